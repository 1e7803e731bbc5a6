//! One epoch: paid inferences in, report, cumulative amounts and tree out.

use std::collections::{BTreeMap, BTreeSet};

use alloy_primitives::{keccak256, Address, B256, U256};
use rayon::prelude::*;

use crate::{
    allocation::largest_remainder,
    corpus::{Contribution, CorpusIndex, Span},
    error::AttributionError,
    originality::WindowOrigins,
    report::{
        AccountReward, AttributionReport, CorpusAtCutoff, CreditRecord, EpochParams,
        InferenceAttribution, ModelCorpus, SpanRecord, Totals, UnattributedInference,
        REPORT_FORMAT,
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
    /// The output text, if anyone published it; its UTF-8 bytes must hash to
    /// `inference_id`. A missing or mismatching output is listed in the
    /// report and its share stays unallocated.
    pub output: Option<String>,
    /// Block of the payment event: orders payments and selects the model's
    /// data cutoff in force.
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
            output: Some(output),
            block_number,
            log_index,
        }
    }

    /// A paid inference whose output nobody published.
    pub fn unpublished(
        inference_id: B256,
        model_id: u64,
        contributor_share: U256,
        block_number: u64,
        log_index: u64,
    ) -> Self {
        Self {
            inference_id,
            model_id,
            contributor_share,
            output: None,
            block_number,
            log_index,
        }
    }
}

/// A move of a model's data cutoff (a `DataCutoffSet` event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DataCutoff {
    /// Block of the `DataCutoffSet` event: the cutoff is in force for
    /// payments in this block and later.
    pub set_at_block: u64,
    /// The cutoff: contributions registered at or before this block count.
    pub cutoff_block: u64,
}

/// What the engine needs to know of a model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Model {
    /// Its datanets: its corpus is their contributions.
    pub datanet_ids: Vec<u64>,
    /// Its cutoff history, in any order: every `DataCutoffSet` event up to
    /// the epoch's last block (registration sets the first).
    pub cutoffs: Vec<DataCutoff>,
}

impl Model {
    /// A model of `datanet_ids` whose single cutoff `cutoff_block` was set at
    /// `set_at_block` (as registration does: both the registration block).
    pub fn new(datanet_ids: Vec<u64>, set_at_block: u64, cutoff_block: u64) -> Self {
        Self {
            datanet_ids,
            cutoffs: vec![DataCutoff {
                set_at_block,
                cutoff_block,
            }],
        }
    }

    /// The cutoff in force for a payment in block `paid_block`: among the
    /// cutoffs set at or before that block, the one with the largest cutoff
    /// block (on chain a cutoff only moves forward, so this is the latest).
    /// `None` if no cutoff had been set by then.
    pub fn cutoff_at(&self, paid_block: u64) -> Option<DataCutoff> {
        self.cutoffs
            .iter()
            .filter(|c| c.set_at_block <= paid_block)
            .max_by_key(|c| (c.cutoff_block, std::cmp::Reverse(c.set_at_block)))
            .copied()
    }
}

/// Everything an epoch is computed from.
#[derive(Debug, Clone, Default)]
pub struct EpochInput {
    /// Parameters, copied into the report.
    pub params: EpochParams,
    /// Accepted, non-retired contributions of (at least) the paid models'
    /// datanets, registered up to the epoch's last block.
    pub contributions: Vec<Contribution>,
    /// The models, by id.
    pub models: BTreeMap<u64, Model>,
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

/// A payment that can be attributed: its position among the sorted payments
/// and the cutoff in force.
struct Attributable<'a> {
    position: usize,
    inference: &'a Inference,
    output: &'a str,
    cutoff: DataCutoff,
}

/// Computes an epoch: checks each output against its inference id, credits
/// its tokens to the earliest contributions (see the crate docs), divides its
/// contributor share by credit, and adds the per-account sums to the previous
/// cumulative amounts.
///
/// One corpus index is built per distinct set of datanets among the paid
/// models, one at a time, over the contributions registered up to the latest
/// cutoff in use; one origin table per distinct cutoff. Contributions outside
/// every paid model's datanets, and models nobody paid, do not affect the
/// result. A payment whose output is missing or mismatches its id is listed
/// (`unpublished`, `mismatched`) and never fails the epoch.
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
    let mut payments: Vec<&Inference> = input.inferences.iter().collect();
    payments.sort_by_key(|i| (i.block_number, i.log_index));
    for pair in payments.windows(2) {
        if (pair[0].block_number, pair[0].log_index) == (pair[1].block_number, pair[1].log_index) {
            return Err(AttributionError::DuplicatePayment {
                block_number: pair[0].block_number,
                log_index: pair[0].log_index,
            });
        }
    }
    let mut attributable = Vec::with_capacity(payments.len());
    let (mut unpublished, mut mismatched) = (Vec::new(), Vec::new());
    for inference in &payments {
        if !(params.from_block..=params.to_block).contains(&inference.block_number) {
            return Err(AttributionError::PaymentOutsideEpoch {
                inference_id: inference.inference_id,
                block_number: inference.block_number,
                from_block: params.from_block,
                to_block: params.to_block,
            });
        }
        let Some(model) = input.models.get(&inference.model_id) else {
            return Err(AttributionError::UnknownModel {
                inference_id: inference.inference_id,
                model_id: inference.model_id,
            });
        };
        let output = match &inference.output {
            None => {
                unpublished.push(unattributed(inference));
                continue;
            }
            Some(text) if keccak256(text.as_bytes()) != inference.inference_id => {
                mismatched.push(unattributed(inference));
                continue;
            }
            Some(text) => text.as_str(),
        };
        let cutoff =
            model
                .cutoff_at(inference.block_number)
                .ok_or(AttributionError::NoDataCutoff {
                    inference_id: inference.inference_id,
                    model_id: inference.model_id,
                    block_number: inference.block_number,
                })?;
        attributable.push(Attributable {
            position: attributable.len(),
            inference,
            output,
            cutoff,
        });
    }

    // Attributed payments grouped by datanet set, so each corpus is indexed
    // once, then by cutoff block.
    let mut corpora: BTreeMap<BTreeSet<u64>, BTreeMap<u64, Vec<&Attributable>>> = BTreeMap::new();
    for a in &attributable {
        let datanets: BTreeSet<u64> = input.models[&a.inference.model_id]
            .datanet_ids
            .iter()
            .copied()
            .collect();
        corpora
            .entry(datanets)
            .or_default()
            .entry(a.cutoff.cutoff_block)
            .or_default()
            .push(a);
    }

    let mut attributions: Vec<Option<InferenceAttribution>> = vec![None; attributable.len()];
    let mut models: BTreeMap<u64, ModelCorpus> = BTreeMap::new();
    for (datanets, by_cutoff) in &corpora {
        let latest = by_cutoff.keys().next_back().copied().unwrap_or(0);
        let mut index = CorpusIndex::build(
            input
                .contributions
                .iter()
                .filter(|c| datanets.contains(&c.datanet_id) && c.registered_block <= latest),
        )?;
        // The window filter pays for itself once the outputs' bytes reach about
        // an eighth of the corpus's token count; it never changes a result.
        let output_bytes: usize = by_cutoff.values().flatten().map(|a| a.output.len()).sum();
        if output_bytes.saturating_mul(8) > index.token_count() {
            index.add_window_filter(params.min_span as usize);
        }
        for (&cutoff_block, group) in by_cutoff {
            let (contributions, tokens) = index
                .documents()
                .iter()
                .filter(|d| d.registered_block <= cutoff_block)
                .fold((0u64, 0u64), |(n, t), d| (n + 1, t + d.tokens as u64));
            for a in group {
                let model = models
                    .entry(a.inference.model_id)
                    .or_insert_with(|| ModelCorpus {
                        model_id: a.inference.model_id,
                        datanet_ids: datanets.iter().copied().collect(),
                        cutoffs: Vec::new(),
                    });
                if !model.cutoffs.iter().any(|c| c.cutoff_block == cutoff_block) {
                    model.cutoffs.push(CorpusAtCutoff {
                        set_at_block: a.cutoff.set_at_block,
                        cutoff_block,
                        contributions,
                        tokens,
                    });
                }
            }
            let origins = index.window_origins(params.min_span as usize, Some(cutoff_block));
            let results: Vec<(usize, InferenceAttribution)> = group
                .par_iter()
                .map(|a| (a.position, attribute(&origins, a)))
                .collect();
            for (position, attribution) in results {
                attributions[position] = Some(attribution);
            }
        }
    }
    let models: Vec<ModelCorpus> = models
        .into_values()
        .map(|mut m| {
            m.cutoffs.sort_by_key(|c| c.cutoff_block);
            m
        })
        .collect();
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
    for left in unpublished.iter().chain(&mismatched) {
        totals.contributor_share = checked_add(
            totals.contributor_share,
            left.contributor_share,
            "the epoch's contributor share",
        )?;
        totals.unallocated =
            checked_add(totals.unallocated, left.contributor_share, "unallocated")?;
    }
    let mut cumulative: BTreeMap<Address, U256> = input
        .previous
        .iter()
        .filter(|(_, amount)| !amount.is_zero())
        .map(|(&a, &v)| (a, v))
        .collect();
    for (&account, &epoch_amount) in &epoch_amounts {
        if epoch_amount.is_zero() {
            continue;
        }
        let total = cumulative.entry(account).or_default();
        *total = checked_add(*total, epoch_amount, "a cumulative amount")?;
    }
    // Every leaf of the tree, not only this epoch's earners: one published report is enough for a
    // contributor (or the contributor page) to rebuild the root and a proof, with no earlier report.
    let accounts: Vec<AccountReward> = cumulative
        .iter()
        .map(|(&account, &cumulative_amount)| AccountReward {
            account,
            epoch_amount: epoch_amounts.get(&account).copied().unwrap_or_default(),
            cumulative_amount,
        })
        .collect();
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
        unpublished,
        mismatched,
        skipped_sources: Vec::new(),
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

fn unattributed(inference: &Inference) -> UnattributedInference {
    UnattributedInference {
        inference_id: inference.inference_id,
        model_id: inference.model_id,
        block_number: inference.block_number,
        log_index: inference.log_index,
        contributor_share: inference.contributor_share,
    }
}

/// Credits one output's tokens and divides its share among the contributions.
fn attribute(origins: &WindowOrigins<'_>, a: &Attributable<'_>) -> InferenceAttribution {
    let inference = a.inference;
    let (tokens, runs) = origins.attribute(a.output);
    // Credit per document; document indices are in originality order.
    let mut credit_by_document: BTreeMap<usize, u64> = BTreeMap::new();
    for run in &runs {
        *credit_by_document.entry(run.document).or_default() += run.len() as u64;
    }
    let weights: Vec<u64> = credit_by_document.values().copied().collect();
    let amounts = largest_remainder(inference.contributor_share, &weights);
    let documents = origins.documents();
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
        data_cutoff: a.cutoff.cutoff_block,
        contributor_share: inference.contributor_share,
        tokens: tokens as u64,
        spans: runs
            .iter()
            .map(|run: &Span| SpanRecord {
                start: run.start as u64,
                end: run.end as u64,
                contribution_id: documents[run.document].contribution_id,
            })
            .collect(),
        credits,
        unallocated,
    }
}

fn checked_add(a: U256, b: U256, what: &'static str) -> Result<U256, AttributionError> {
    a.checked_add(b).ok_or(AttributionError::Overflow(what))
}
