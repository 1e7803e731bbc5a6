//! One epoch: paid inferences in, report, cumulative amounts and tree out.

use std::collections::{BTreeMap, BTreeSet};

use alloy_primitives::{keccak256, Address, B256, U256};
use rayon::prelude::*;

use crate::{
    allocation::largest_remainder,
    corpus::{Contribution, CorpusIndex, Span},
    error::AttributionError,
    report::{
        AccountReward, AttributionReport, CreditRecord, EpochParams, InferenceAttribution,
        ModelCorpus, SpanRecord, Totals, REPORT_FORMAT,
    },
    reward_tree::RewardTree,
};

/// A paid inference, from an `InferencePaid` event plus its output text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inference {
    /// keccak256 of the output text, as paid for on chain.
    pub inference_id: B256,
    /// The paid model.
    pub model_id: u64,
    /// The contributors' share of the payment.
    pub contributor_share: U256,
    /// The output text; its UTF-8 bytes must hash to `inference_id`.
    pub output: String,
    /// Block of the payment event (orders payments).
    pub block_number: u64,
    /// Log index of the payment event within its block.
    pub log_index: u64,
}

impl Inference {
    /// An inference whose id is computed from its output.
    pub fn new(
        model_id: u64,
        contributor_share: U256,
        output: impl Into<String>,
        block_number: u64,
        log_index: u64,
    ) -> Self {
        let output = output.into();
        Self {
            inference_id: keccak256(output.as_bytes()),
            model_id,
            contributor_share,
            output,
            block_number,
            log_index,
        }
    }
}

/// Everything an epoch is computed from.
#[derive(Debug, Clone, Default)]
pub struct EpochInput {
    /// Parameters, copied into the report.
    pub params: EpochParams,
    /// Accepted, non-retired contributions of (at least) the paid models' datanets.
    pub contributions: Vec<Contribution>,
    /// Each model's datanets: a model's corpus is the contributions of these.
    pub models: BTreeMap<u64, Vec<u64>>,
    /// Payments of the epoch, in any order.
    pub inferences: Vec<Inference>,
    /// Cumulative amounts after the previous epoch.
    pub previous: BTreeMap<Address, U256>,
}

/// The result of an epoch.
#[derive(Debug, Clone)]
pub struct EpochOutcome {
    /// The report (its hash is the on-chain `reportHash`).
    pub report: AttributionReport,
    /// Cumulative amounts after this epoch: previous plus this epoch's, for
    /// every account with a positive amount.
    pub cumulative: BTreeMap<Address, U256>,
    /// The reward tree of `cumulative` (values by address), if non-empty.
    pub tree: Option<RewardTree>,
}

/// Computes an epoch: checks each output against its inference id, matches
/// spans in its model's corpus, divides its contributor share by credit, and
/// adds the per-account sums to the previous cumulative amounts.
///
/// One corpus index is built per distinct set of datanets among the paid
/// models, one at a time. Contributions outside every paid model's datanets,
/// and models nobody paid, do not affect the result.
pub fn compute_epoch(input: &EpochInput) -> Result<EpochOutcome, AttributionError> {
    let params = input.params;
    if params.min_span == 0 {
        return Err(AttributionError::InvalidMinSpan(params.min_span));
    }
    if params.from_block > params.to_block {
        return Err(AttributionError::EmptyBlockRange {
            from_block: params.from_block,
            to_block: params.to_block,
        });
    }

    // Payments in chain order, each checked.
    let mut inferences: Vec<&Inference> = input.inferences.iter().collect();
    inferences.sort_by_key(|i| (i.block_number, i.log_index));
    for pair in inferences.windows(2) {
        if (pair[0].block_number, pair[0].log_index) == (pair[1].block_number, pair[1].log_index) {
            return Err(AttributionError::DuplicatePayment {
                block_number: pair[0].block_number,
                log_index: pair[0].log_index,
            });
        }
    }
    for inference in &inferences {
        let computed = keccak256(inference.output.as_bytes());
        if computed != inference.inference_id {
            return Err(AttributionError::InferenceIdMismatch {
                inference_id: inference.inference_id,
                computed,
            });
        }
        if !(params.from_block..=params.to_block).contains(&inference.block_number) {
            return Err(AttributionError::PaymentOutsideEpoch {
                inference_id: inference.inference_id,
                block_number: inference.block_number,
                from_block: params.from_block,
                to_block: params.to_block,
            });
        }
        if !input.models.contains_key(&inference.model_id) {
            return Err(AttributionError::UnknownModel {
                inference_id: inference.inference_id,
                model_id: inference.model_id,
            });
        }
    }

    // Paid models grouped by datanet set, so each corpus is indexed once.
    let mut corpora: BTreeMap<BTreeSet<u64>, Vec<u64>> = BTreeMap::new();
    let paid_models: BTreeSet<u64> = inferences.iter().map(|i| i.model_id).collect();
    for &model_id in &paid_models {
        let datanets: BTreeSet<u64> = input.models[&model_id].iter().copied().collect();
        corpora.entry(datanets).or_default().push(model_id);
    }

    let mut attributions: Vec<Option<InferenceAttribution>> = vec![None; inferences.len()];
    let mut models = Vec::with_capacity(paid_models.len());
    for (datanets, model_ids) in &corpora {
        let mut index = CorpusIndex::build(
            input
                .contributions
                .iter()
                .filter(|c| datanets.contains(&c.datanet_id)),
        )?;
        // The window filter pays for itself once the outputs' bytes reach about
        // an eighth of the corpus's token count; it never changes a result.
        let output_bytes: usize = inferences
            .iter()
            .filter(|i| model_ids.contains(&i.model_id))
            .map(|i| i.output.len())
            .sum();
        if output_bytes.saturating_mul(8) > index.token_count() {
            index.add_window_filter(params.min_span as usize);
        }
        for &model_id in model_ids {
            models.push(ModelCorpus {
                model_id,
                datanet_ids: datanets.iter().copied().collect(),
                contributions: index.documents().len() as u64,
                tokens: index.token_count() as u64,
            });
        }
        let results: Vec<(usize, InferenceAttribution)> = inferences
            .par_iter()
            .enumerate()
            .filter(|(_, i)| model_ids.contains(&i.model_id))
            .map(|(n, i)| (n, attribute(&index, i, params.min_span as usize)))
            .collect();
        for (n, attribution) in results {
            attributions[n] = Some(attribution);
        }
    }
    models.sort_by_key(|m| m.model_id);
    let inferences: Vec<InferenceAttribution> = attributions.into_iter().flatten().collect();

    // Per-account sums and cumulative amounts.
    let mut epoch_amounts: BTreeMap<Address, U256> = BTreeMap::new();
    let mut totals = Totals {
        contributor_share: U256::ZERO,
        allocated: U256::ZERO,
        unallocated: U256::ZERO,
        cumulative_allocated: U256::ZERO,
    };
    for inference in &inferences {
        totals.contributor_share = checked_add(
            totals.contributor_share,
            inference.contributor_share,
            "the epoch's contributor share",
        )?;
        totals.unallocated = checked_add(totals.unallocated, inference.unallocated, "unallocated")?;
        for credit in &inference.credits {
            let sum = epoch_amounts.entry(credit.contributor).or_default();
            *sum = checked_add(*sum, credit.amount, "an account's epoch amount")?;
            totals.allocated = checked_add(totals.allocated, credit.amount, "allocated")?;
        }
    }
    let mut cumulative: BTreeMap<Address, U256> = input
        .previous
        .iter()
        .filter(|(_, amount)| !amount.is_zero())
        .map(|(&a, &v)| (a, v))
        .collect();
    let mut accounts = Vec::new();
    for (&account, &epoch_amount) in &epoch_amounts {
        if epoch_amount.is_zero() {
            continue;
        }
        let total = cumulative.entry(account).or_default();
        *total = checked_add(*total, epoch_amount, "a cumulative amount")?;
        accounts.push(AccountReward {
            account,
            epoch_amount,
            cumulative_amount: *total,
        });
    }
    for amount in cumulative.values() {
        totals.cumulative_allocated =
            checked_add(totals.cumulative_allocated, *amount, "the cumulative total")?;
    }

    let tree = if cumulative.is_empty() {
        None
    } else {
        Some(RewardTree::from_cumulative(&cumulative)?)
    };
    let report = AttributionReport {
        format: REPORT_FORMAT.to_owned(),
        parameters: params,
        models,
        inferences,
        accounts,
        totals,
        rewards_root: tree.as_ref().map(RewardTree::root),
    };
    Ok(EpochOutcome {
        report,
        cumulative,
        tree,
    })
}

/// Matches one output and divides its share among the credited contributions.
fn attribute(index: &CorpusIndex, inference: &Inference, min_span: usize) -> InferenceAttribution {
    let (tokens, spans) = index.find_spans(&inference.output, min_span);
    // Credit per document; document indices are in originality order.
    let mut credit_by_document: BTreeMap<usize, u64> = BTreeMap::new();
    for span in &spans {
        *credit_by_document.entry(span.document).or_default() += span.len() as u64;
    }
    let weights: Vec<u64> = credit_by_document.values().copied().collect();
    let amounts = largest_remainder(inference.contributor_share, &weights);
    let documents = index.documents();
    let credits: Vec<CreditRecord> = credit_by_document
        .iter()
        .zip(amounts)
        .map(|((&doc, &credit), amount)| CreditRecord {
            contribution_id: documents[doc].contribution_id,
            contributor: documents[doc].contributor,
            credit,
            amount,
        })
        .collect();
    let unallocated = if credits.is_empty() {
        inference.contributor_share
    } else {
        U256::ZERO
    };
    InferenceAttribution {
        inference_id: inference.inference_id,
        model_id: inference.model_id,
        block_number: inference.block_number,
        log_index: inference.log_index,
        contributor_share: inference.contributor_share,
        tokens: tokens as u64,
        spans: spans
            .iter()
            .map(|s: &Span| SpanRecord {
                start: s.start as u64,
                end: s.end as u64,
                contribution_id: documents[s.document].contribution_id,
            })
            .collect(),
        credits,
        unallocated,
    }
}

fn checked_add(a: U256, b: U256, what: &'static str) -> Result<U256, AttributionError> {
    a.checked_add(b).ok_or(AttributionError::Overflow(what))
}
