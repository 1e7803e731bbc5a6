//! Epochs: gather an epoch's inputs from chain events, local files and published URIs, compute it
//! with the attribution engine, and read/write the epoch folder (`report.json`, `tree.json`,
//! `epoch.json`).
//!
//! An attestor or a verifier needs nothing but an RPC endpoint and the deployment file
//! ([`Session::compute_epoch_with`]): the paid outputs are read at the URIs the payers named in
//! `OutputsPublished` events ([`Session::published_outputs`] states the rule that makes two honest
//! parties find the same ones), the corpus files at the URIs of the contributions (into a local,
//! hash-checked folder), and the previous epoch's cumulative amounts from its report at its
//! on-chain `reportURI`.
//!
//! Liveness first: a published source whose host does not answer usably (refused connection,
//! timeout, 5xx/408/429 after retries) never stops an attestor's epoch. It is left out and listed
//! in the report's `skippedSources` ([`Unreachable::Skip`]); verifiers recompute with the same
//! sources left out ([`Unreachable::AsReported`]) and say which they can read now.

use crate::{
    error::{EpochError, FileError, WalletError},
    files::write_atomic,
    outputs,
    publication::{CorpusCache, CorpusItem, Fetcher, SyncOptions, SyncSummary},
    rewards::published_epoch,
    ClientError, Progress, Session,
};
use alloy::{
    primitives::{keccak256, Address, Bytes, B256, U256},
    rpc::types::{Filter, Log, TransactionReceipt},
    signers::{local::PrivateKeySigner, Signature, SignerSync},
};
use datanet_attribution::{
    compute_epoch, AttributionReport, CommitOrder, Contribution, DataCutoff, EpochInput,
    EpochOutcome, EpochParams, Inference, Model, RewardTree, SkippedSource, SourceKind,
};
use datanet_bindings::{
    attribution_pool::IAttributionPool,
    AttributionPool::{InferencePaid, OutputsPublished},
    DatanetRegistry::{Committed, Contributed, Retired, Revealed, Reviewed},
    ModelRegistry::{DataCutoffSet, ModelRegistered},
};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::{
    collections::{BTreeMap, HashMap, HashSet},
    path::{Path, PathBuf},
};

pub use datanet_attribution::SignedEpoch;

/// Published outputs files fetched at once.
const OUTPUT_FETCHES: usize = 4;

/// Report, tree and epoch file names inside an epoch folder.
pub const REPORT_FILE: &str = "report.json";
pub const TREE_FILE: &str = "tree.json";
pub const EPOCH_FILE: &str = "epoch.json";

/// `epoch.json`: the signed epoch (the fields attestors sign and `proposeEpoch` takes: `epoch`,
/// `nonce`, `rewardsRoot`, `totalAllocated`, `reportHash`, `reportURI`), the domain it is signed
/// under (chain, pool), how it was computed (blocks, minimum span) and the signatures so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EpochFile {
    #[serde(flatten)]
    pub signed: SignedEpoch,
    pub chain_id: u64,
    pub pool: Address,
    pub from_block: u64,
    pub to_block: u64,
    pub min_span: u32,
    /// Attestor signatures collected so far.
    #[serde(default)]
    pub signatures: Vec<EpochSignature>,
}

impl EpochFile {
    /// The epoch number.
    pub fn epoch(&self) -> u64 {
        self.signed.epoch
    }

    /// The EIP-712 digest attestors sign (the pool's `epochDigest`).
    pub fn digest(&self) -> B256 {
        self.signed.signing_hash(self.chain_id, self.pool)
    }
}

/// The bindings' struct for `proposeEpoch` / `epochDigest`.
pub fn to_binding(e: &SignedEpoch) -> IAttributionPool::Epoch {
    IAttributionPool::Epoch {
        epoch: e.epoch,
        nonce: e.nonce,
        rewardsRoot: e.rewardsRoot,
        totalAllocated: e.totalAllocated,
        reportHash: e.reportHash,
        reportURI: e.reportURI.clone(),
    }
}

/// One attestor's signature over an epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EpochSignature {
    pub signer: Address,
    pub signature: String,
}

/// An accepted contribution as the corpus of an epoch needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorpusEntry {
    pub contribution_id: B256,
    pub content_hash: B256,
    pub contributor: Address,
    pub datanet_id: u64,
    /// Originality order.
    pub order: CommitOrder,
    /// Block the contribution was registered (revealed) in.
    pub registered_block: u64,
    /// Where the contributor published its file.
    pub uri: String,
}

/// An epoch computed from chain data, local files and published URIs.
pub struct ComputedEpoch {
    pub file: EpochFile,
    pub outcome: EpochOutcome,
    pub report_bytes: Vec<u8>,
    /// Where the inputs came from (folders, URIs fetched).
    pub inputs: InputsRead,
    /// The accepted contributions left out of the corpus (the `contribution` entries of the
    /// report's `skippedSources`).
    pub skipped_corpus: Vec<LeftOutContribution>,
    /// With [`Unreachable::AsReported`]: the entries of the given list that name no source of
    /// the epoch (no `OutputsPublished` event of its blocks names the URI; no accepted
    /// contribution of its corpus has this id and URI). They are not honoured, so the recomputed
    /// report lacks them: attestors cannot invent entries.
    pub not_sources: Vec<SkippedSource>,
}

/// An accepted contribution left out of an epoch's corpus.
#[derive(Clone, Debug)]
pub struct LeftOutContribution {
    pub entry: CorpusEntry,
    /// The corpus folder's copy of its file, if it holds one (a verifier honouring the report may).
    pub local: Option<PathBuf>,
}

/// What [`Session::compute_epoch_with`] does with a published source (an outputs file, an
/// accepted contribution's file) whose host does not answer usably now: a refused or failed
/// connection, a timeout, HTTP 5xx, 408 or 429, after the fetcher's retries
/// ([`crate::publication::PublicationError::is_unreachable`]). Definitive answers (a 404, …)
/// are not concerned: an outputs file that is definitively missing counts as empty, a
/// contribution's file that is definitively missing is an error.
#[derive(Clone, Copy, Debug)]
pub enum Unreachable<'a> {
    /// The attestor's rule: leave it out and list it in the report's `skippedSources` — an outputs
    /// file gives no lines (the inferences found nowhere else are `unpublished`), a contribution
    /// is left out of the corpus (it earns nothing this epoch). Nobody can stop an epoch by
    /// naming a host that hangs or answers 503.
    Skip,
    /// The verifier's rule: leave out exactly the sources of this list (a report's
    /// `skippedSources`), without even trying them, so that an honest report recomputes to the
    /// same bytes whether or not they can be read now; any other source that cannot be read now
    /// is an error (the verifier cannot verify now). Entries naming no source of the epoch are
    /// returned in [`ComputedEpoch::not_sources`].
    AsReported(&'a [SkippedSource]),
}

/// Where an epoch's inputs come from: local files only (the corpus folder, a log of the paid
/// outputs, the previous epoch's folder). See [`EpochPlan`] for inputs read from chain and URIs.
pub struct EpochSources<'a> {
    pub epoch: u64,
    /// Last block included; `None` means the latest block.
    pub to_block: Option<u64>,
    /// First block of payments; `None` means right after the previous epoch (or the deployment).
    pub from_block: Option<u64>,
    pub min_span: u32,
    pub corpus_dir: &'a Path,
    pub log: &'a Path,
    /// The previous epoch's folder (its tree gives the cumulative amounts carried over).
    pub previous: Option<&'a Path>,
    pub report_uri: String,
    /// The pool's proposal nonce to sign under; `None` reads `proposalNonce()`.
    pub nonce: Option<u64>,
}

/// Where the outputs of an epoch's paid inferences are read.
#[derive(Clone, Copy, Debug)]
pub enum OutputsFrom<'a> {
    /// A local JSONL log (see [`crate::outputs`]). Strict: a line that matches no inference paid in
    /// the epoch is refused (tampered or unpaid).
    Log(&'a Path),
    /// The files the payers published, found on chain: the `outputsURI` of every
    /// `OutputsPublished` event of the epoch's blocks. See [`Session::published_outputs`] for the
    /// rule.
    Published,
}

/// Where the cumulative amounts carried over from the previous epoch come from.
#[derive(Clone, Copy, Debug)]
pub enum PreviousFrom<'a> {
    /// None: only epoch 1 has no previous epoch.
    Nothing,
    /// The previous epoch's folder (its `epoch.json` and `tree.json`).
    Folder(&'a Path),
    /// The previous epoch's report published at its on-chain `reportURI`, checked against the
    /// on-chain report hash and root (the previous epoch must be accepted); its accounts give the
    /// cumulative amounts, its parameters the block the new epoch starts after.
    Published,
}

/// Everything [`Session::compute_epoch_with`] needs: the epoch, and where each input comes from.
pub struct EpochPlan<'a> {
    pub epoch: u64,
    /// Last block included; `None` means the latest block.
    pub to_block: Option<u64>,
    /// First block of payments; `None` means right after the previous epoch (or the deployment).
    pub from_block: Option<u64>,
    pub min_span: u32,
    /// Folder of contributed files, matched to contributions by keccak256 (file names do not
    /// matter). With a fetcher, the files of accepted contributions it lacks are fetched by their
    /// on-chain URIs into it first (as `0x<keccak256>` files, hash-checked, resumable: see
    /// [`CorpusCache::sync`]); without one, a missing file is an error.
    pub corpus_dir: &'a Path,
    pub outputs: OutputsFrom<'a>,
    pub previous: PreviousFrom<'a>,
    /// Reads published files (corpus, outputs, previous report); `None` fetches nothing (offline),
    /// and then [`OutputsFrom::Published`] and [`PreviousFrom::Published`] are refused.
    pub fetcher: Option<&'a Fetcher>,
    /// Files fetched at once by the corpus sync.
    pub concurrency: usize,
    pub report_uri: String,
    /// The pool's proposal nonce to sign under; `None` reads `proposalNonce()`.
    pub nonce: Option<u64>,
    /// What to do with a source that cannot be read now: an attestor skips it, a verifier
    /// honours the report's list.
    pub unreachable: Unreachable<'a>,
    /// Progress of the corpus sync and the outputs fetch.
    pub progress: &'a dyn Progress,
}

/// Where an epoch's inputs were read.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputsRead {
    /// The previous epoch's folder, or its report URI; `None` for epoch 1.
    pub previous: Option<String>,
    /// Corpus files (accepted contributions of the paid models' datanets) used.
    pub corpus_files: usize,
    /// What the corpus sync fetched, when files were missing from the folder.
    pub corpus_sync: Option<SyncSummary>,
    /// Each published outputs file, in chain order (empty with a local log).
    pub outputs: Vec<OutputsRead>,
}

/// One published outputs file (an `OutputsPublished` URI).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputsRead {
    pub uri: String,
    /// Valid lines.
    pub outputs: usize,
    /// Lines that are the output of an inference paid in the epoch.
    pub matched: usize,
    /// Lines skipped (not UTF-8, not JSON, no `output` string), 1-based.
    pub rejected_lines: Vec<usize>,
    /// Why the file counts as not published (a definitive answer: 404, an unusable URI, …).
    pub unavailable: Option<String>,
    /// Why the file was left out as unreachable (listed in the report's `skippedSources`).
    pub skipped: Option<String>,
}

/// The outputs found for an epoch's paid inferences.
#[derive(Debug, Default)]
pub struct FoundOutputs {
    /// Inference id → output text (its keccak256 is the id).
    pub texts: HashMap<B256, String>,
    /// Each URI read, in chain order.
    pub files: Vec<OutputsRead>,
    /// The files left out (see [`Unreachable`]).
    pub skipped: Vec<SkippedSource>,
    /// With [`Unreachable::AsReported`]: outputs entries naming no `OutputsPublished` URI of the
    /// blocks.
    pub not_sources: Vec<SkippedSource>,
}

impl Session {
    /// Gathers every input of an epoch from local files and computes it. Fails, listing them, on
    /// corpus files that match no contribution, accepted contributions without a corpus file and
    /// log outputs that match no paid inference; paid inferences without an output in the log are
    /// listed in the report. See [`Self::compute_epoch_with`] for inputs read from published URIs.
    pub async fn compute_epoch(
        &self,
        sources: &EpochSources<'_>,
    ) -> Result<ComputedEpoch, ClientError> {
        let previous = match sources.previous {
            Some(dir) => PreviousFrom::Folder(dir),
            None => PreviousFrom::Nothing,
        };
        self.compute_epoch_with(&EpochPlan {
            epoch: sources.epoch,
            to_block: sources.to_block,
            from_block: sources.from_block,
            min_span: sources.min_span,
            corpus_dir: sources.corpus_dir,
            outputs: OutputsFrom::Log(sources.log),
            previous,
            fetcher: None,
            concurrency: crate::publication::DEFAULT_CONCURRENCY,
            report_uri: sources.report_uri.clone(),
            nonce: sources.nonce,
            unreachable: Unreachable::Skip,
            progress: &crate::Silent,
        })
        .await
    }

    /// Gathers every input of an epoch — from chain data, local folders and published URIs as
    /// `plan` says — and computes it. Nothing is written but fetched corpus files (into the corpus
    /// folder); the caller writes the epoch folder.
    ///
    /// Fails on: corpus files that match no registered contribution; accepted contributions whose
    /// file is neither in the corpus folder nor fetchable by its URI because it is definitively
    /// gone (a 404 at every URI naming it: put a copy in the corpus folder); with a log, log
    /// outputs that match no paid inference; a previous epoch that cannot be had; the reader's own
    /// problems (no IPFS gateway, a local disk error). A paid inference whose output is not found
    /// is listed in the report (`unpublished`) and its share stays in the pool: it never stops an
    /// epoch. Neither does a host that cannot be read now: see [`Unreachable`] for what
    /// `plan.unreachable` makes of it.
    pub async fn compute_epoch_with(
        &self,
        plan: &EpochPlan<'_>,
    ) -> Result<ComputedEpoch, ClientError> {
        let mut inputs = InputsRead::default();
        let (previous, previous_to_block) = match plan.previous {
            PreviousFrom::Folder(dir) => {
                let file = read_epoch_file(dir)?;
                if file.epoch() + 1 != plan.epoch {
                    return Err(EpochError::PreviousMismatch {
                        dir: dir.to_path_buf(),
                        found: file.epoch(),
                        expected: plan.epoch.saturating_sub(1),
                    }
                    .into());
                }
                let tree = read_tree(dir)?;
                if tree.root() != file.signed.rewardsRoot {
                    return Err(EpochError::TreeRootMismatch {
                        path: dir.join(TREE_FILE),
                    }
                    .into());
                }
                let cumulative: BTreeMap<Address, U256> = tree
                    .values()
                    .iter()
                    .map(|leaf| (leaf.account, leaf.amount))
                    .collect();
                inputs.previous = Some(dir.display().to_string());
                (cumulative, Some(file.to_block))
            }
            PreviousFrom::Published if plan.epoch > 1 => {
                let Some(fetcher) = plan.fetcher else {
                    return Err(EpochError::PreviousMissing { epoch: plan.epoch }.into());
                };
                let previous = plan.epoch - 1;
                let published =
                    published_epoch(self, fetcher, previous)
                        .await
                        .map_err(|source| EpochError::PreviousUnavailable {
                            epoch: plan.epoch,
                            source: Box::new(source),
                        })?;
                let params = published.report.parameters;
                if params.epoch != previous
                    || params.chain_id != self.client.chain_id()
                    || params.pool != self.deployment.attribution_pool
                {
                    return Err(EpochError::PreviousReportMismatch {
                        uri: published.uri,
                        epoch: params.epoch,
                        chain_id: params.chain_id,
                        pool: params.pool,
                        expected: previous,
                    }
                    .into());
                }
                let cumulative: BTreeMap<Address, U256> = published
                    .tree
                    .values()
                    .iter()
                    .map(|leaf| (leaf.account, leaf.amount))
                    .collect();
                inputs.previous = Some(published.uri);
                (cumulative, Some(params.to_block))
            }
            PreviousFrom::Nothing if plan.epoch > 1 => {
                return Err(EpochError::PreviousMissing { epoch: plan.epoch }.into())
            }
            PreviousFrom::Nothing | PreviousFrom::Published => (BTreeMap::new(), None),
        };

        let latest = self.client.latest_block().await?;
        let to_block = plan.to_block.unwrap_or(latest);
        if to_block > latest {
            return Err(EpochError::BeyondLatest { to_block, latest }.into());
        }
        let from_block = plan
            .from_block
            .or(previous_to_block.map(|b| b + 1))
            .unwrap_or(self.deployment.deployment_block);
        if from_block > to_block {
            return Err(EpochError::EmptyRange {
                epoch: plan.epoch,
                from_block,
                to_block,
            }
            .into());
        }

        let contributions = self.accepted_contributions(to_block).await?;
        let models = self.models_at(to_block).await?;
        let payments = self.payments(from_block, to_block).await?;
        let paid: HashSet<B256> = payments.iter().map(|p| p.0).collect();
        // Sources left out (the report's list), and reported entries that name no source.
        let mut skipped: Vec<SkippedSource> = Vec::new();
        let mut not_sources: Vec<SkippedSource> = Vec::new();
        let reported = |kind: SourceKind| -> Vec<&SkippedSource> {
            match plan.unreachable {
                Unreachable::Skip => Vec::new(),
                Unreachable::AsReported(list) => list.iter().filter(|s| s.kind == kind).collect(),
            }
        };

        // Outputs, by inference id.
        let texts: HashMap<B256, String> = match plan.outputs {
            OutputsFrom::Log(log) => {
                let logged = outputs::read(log)?;
                let stray: Vec<(usize, B256)> = logged
                    .iter()
                    .filter(|o| !paid.contains(&o.inference_id))
                    .map(|o| (o.line.max(1), o.inference_id))
                    .collect();
                if !stray.is_empty() {
                    return Err(EpochError::StrayOutputs {
                        from_block,
                        to_block,
                        outputs: stray,
                    }
                    .into());
                }
                // A log replaces every published file; a reported outputs entry is still checked
                // against the blocks' OutputsPublished URIs, and carried into the report.
                let entries = reported(SourceKind::Outputs);
                if !entries.is_empty() {
                    let uris = self.outputs_uris(from_block, to_block).await?;
                    for s in entries {
                        if s.contribution_id.is_none() && uris.contains(&s.uri) {
                            skipped.push(s.clone());
                        } else {
                            not_sources.push(s.clone());
                        }
                    }
                }
                logged
                    .into_iter()
                    .map(|o| (o.inference_id, o.text))
                    .collect()
            }
            OutputsFrom::Published => {
                let Some(fetcher) = plan.fetcher else {
                    return Err(EpochError::Offline {
                        what: "the published outputs",
                    }
                    .into());
                };
                let found = self
                    .published_outputs(
                        fetcher,
                        from_block,
                        to_block,
                        &paid,
                        plan.unreachable,
                        plan.progress,
                    )
                    .await?;
                inputs.outputs = found.files;
                skipped.extend(found.skipped);
                not_sources.extend(found.not_sources);
                found.texts
            }
        };

        // Corpus files, by content hash.
        let corpus = if plan.corpus_dir.exists() {
            crate::files::collect(&[plan.corpus_dir.to_path_buf()])?
        } else {
            Vec::new()
        };
        let mut by_hash: HashMap<B256, PathBuf> = HashMap::new();
        for f in &corpus {
            by_hash
                .entry(f.content_hash)
                .or_insert_with(|| f.path.clone());
        }
        // A file may belong to a contribution that is not in this epoch's corpus (pending, rejected or
        // accepted after the end block): it is skipped. A file whose hash was never registered in any
        // datanet is refused: it is tampered or foreign data.
        let known: HashSet<B256> = self
            .client
            .events::<Contributed>(
                Filter::new().address(self.deployment.datanet_registry),
                self.deployment.deployment_block,
                latest,
            )
            .await?
            .iter()
            .map(|(e, _)| e.contentHash)
            .collect();
        let unknown: Vec<PathBuf> = corpus
            .iter()
            .filter(|f| !known.contains(&f.content_hash))
            .map(|f| f.path.clone())
            .collect();
        if !unknown.is_empty() {
            return Err(EpochError::UnknownCorpusFiles { files: unknown }.into());
        }
        let used: std::collections::BTreeSet<u64> = models
            .values()
            .flat_map(|m| m.datanet_ids.iter().copied())
            .collect();
        let needed: Vec<&CorpusEntry> = contributions
            .iter()
            .filter(|c| used.contains(&c.datanet_id))
            .collect();
        // Contributions left out: those the report lists (a verifier), or those whose file
        // cannot be fetched now (an attestor, below).
        let mut left_out: HashSet<B256> = HashSet::new();
        for s in reported(SourceKind::Contribution) {
            let of_epoch = s.contribution_id.is_some_and(|id| {
                needed
                    .iter()
                    .any(|c| c.contribution_id == id && c.uri == s.uri)
            });
            match s.contribution_id {
                Some(id) if of_epoch => {
                    left_out.insert(id);
                    skipped.push(s.clone());
                }
                _ => not_sources.push(s.clone()),
            }
        }
        let missing: Vec<CorpusItem> = needed
            .iter()
            .filter(|c| {
                !by_hash.contains_key(&c.content_hash) && !left_out.contains(&c.contribution_id)
            })
            .map(|c| CorpusItem {
                contribution_id: c.contribution_id,
                content_hash: c.content_hash,
                uri: c.uri.clone(),
            })
            .collect();
        if !missing.is_empty() {
            let Some(fetcher) = plan.fetcher else {
                return Err(EpochError::MissingCorpusFiles {
                    contributions: missing.iter().map(|m| m.contribution_id).collect(),
                }
                .into());
            };
            let cache = CorpusCache::open(plan.corpus_dir).map_err(EpochError::Corpus)?;
            let options = SyncOptions {
                concurrency: plan.concurrency,
                base: None,
            };
            let mut summary = cache
                .sync(fetcher, &missing, &options, plan.progress)
                .await
                .map_err(EpochError::Corpus)?;
            // An attestor leaves out a file whose every URI is unreachable now or definitively
            // gone (404, other bytes, an unusable URI: the contributor's own answer — taking a
            // file down must not stop everyone's epoch); a file the reader itself cannot fetch
            // (no gateway, disk) stops the epoch.
            let skip = matches!(plan.unreachable, Unreachable::Skip);
            let (unreachable, fatal): (Vec<_>, Vec<_>) = std::mem::take(&mut summary.failed)
                .into_iter()
                .partition(|f| skip && (f.error.is_unreachable() || f.error.is_definitive()));
            if !fatal.is_empty() {
                return Err(EpochError::CorpusUnavailable { failures: fatal }.into());
            }
            for f in &unreachable {
                for id in &f.contribution_ids {
                    if let Some(c) = needed.iter().find(|c| c.contribution_id == *id) {
                        left_out.insert(*id);
                        skipped.push(SkippedSource {
                            uri: c.uri.clone(),
                            kind: SourceKind::Contribution,
                            contribution_id: Some(*id),
                            reason: f.error.summary(),
                        });
                    }
                }
            }
            summary.failed = unreachable;
            for m in &missing {
                if !left_out.contains(&m.contribution_id) {
                    by_hash.insert(m.content_hash, cache.path_of(m.content_hash));
                }
            }
            inputs.corpus_sync = Some(summary);
        }
        let mut corpus_contributions = Vec::with_capacity(needed.len());
        let mut skipped_corpus = Vec::new();
        for c in needed {
            if left_out.contains(&c.contribution_id) {
                skipped_corpus.push(LeftOutContribution {
                    entry: c.clone(),
                    local: by_hash.get(&c.content_hash).cloned(),
                });
                continue;
            }
            let Some(path) = by_hash.get(&c.content_hash) else {
                return Err(EpochError::MissingCorpusFiles {
                    contributions: vec![c.contribution_id],
                }
                .into());
            };
            let bytes = std::fs::read(path).map_err(|e| ClientError::file(path, e))?;
            let contribution = Contribution::from_content(
                c.contribution_id,
                c.contributor,
                c.datanet_id,
                c.order,
                c.registered_block,
                c.content_hash,
                &bytes,
            )
            .map_err(|source| EpochError::BadCorpusFile {
                path: path.clone(),
                source: Box::new(source),
            })?;
            corpus_contributions.push(contribution);
        }
        inputs.corpus_files = corpus_contributions.len();

        // A paid output nobody published is listed in the report and its share stays in the pool:
        // it never stops an epoch.
        let inferences: Vec<Inference> = payments
            .iter()
            .map(|(inference_id, model_id, share, block, index)| Inference {
                inference_id: *inference_id,
                model_id: *model_id,
                contributor_share: *share,
                output: texts.get(inference_id).cloned(),
                block_number: *block,
                log_index: *index,
            })
            .collect();

        let params = EpochParams {
            epoch: plan.epoch,
            chain_id: self.client.chain_id(),
            pool: self.deployment.attribution_pool,
            from_block,
            to_block,
            min_span: plan.min_span,
        };
        let input = EpochInput {
            params,
            contributions: corpus_contributions,
            models,
            inferences,
            previous,
        };
        let mut outcome =
            compute_epoch(&input).map_err(|e| EpochError::Attribution(Box::new(e)))?;
        outcome.report.set_skipped_sources(skipped);
        let report_bytes = outcome.report.to_canonical_json();
        let nonce = match plan.nonce {
            Some(n) => n,
            None => self.proposal_nonce().await?,
        };
        let signed = outcome
            .report
            .signed_epoch(nonce, plan.report_uri.clone())
            .ok_or(EpochError::NothingAllocated { epoch: plan.epoch })?;
        debug_assert_eq!(signed.reportHash, keccak256(&report_bytes));
        let file = EpochFile {
            signed,
            chain_id: self.client.chain_id(),
            pool: self.deployment.attribution_pool,
            from_block,
            to_block,
            min_span: plan.min_span,
            signatures: Vec::new(),
        };
        Ok(ComputedEpoch {
            file,
            outcome,
            report_bytes,
            inputs,
            skipped_corpus,
            not_sources,
        })
    }

    /// The distinct non-empty `outputsURI`s of the pool's `OutputsPublished` events in the
    /// blocks, in chain order.
    pub async fn outputs_uris(
        &self,
        from_block: u64,
        to_block: u64,
    ) -> Result<Vec<String>, ClientError> {
        let events = self
            .client
            .events::<OutputsPublished>(
                Filter::new().address(self.deployment.attribution_pool),
                from_block,
                to_block,
            )
            .await?;
        let mut uris: Vec<String> = Vec::new();
        for (e, _) in events {
            if !e.outputsURI.is_empty() && !uris.contains(&e.outputsURI) {
                uris.push(e.outputsURI);
            }
        }
        Ok(uris)
    }

    /// The outputs of the inferences in `paid` (paid in blocks `from_block..=to_block`), read from
    /// what the payers published. The rule, so that every honest party finds the same outputs:
    ///
    /// 1. The files are the `outputsURI`s of the pool's `OutputsPublished` events in the blocks,
    ///    each distinct URI read once, in chain order (an empty URI names nothing).
    /// 2. A file is read as JSONL, `{"output": "…"}` per line (the `pay` format); a line that is
    ///    not UTF-8, not JSON or has no `output` string is skipped
    ///    ([`crate::outputs::parse_published`]).
    /// 3. A paid inference's output is any line, in any of the files, whose text's keccak256 is
    ///    its inference id (so a tampered line simply matches nothing). Lines that match no
    ///    inference of `paid` are ignored: a file may hold outputs of other epochs or payers.
    /// 4. A file that is definitively not there — the publisher's own answer, the same for
    ///    everyone: HTTP 4xx other than 408/429 (404 above all), an unusable URI, a missing local
    ///    file, more than the 256 MiB limit (see
    ///    [`crate::publication::PublicationError::is_definitive`]) — counts as empty, and the
    ///    inferences it alone held are `unpublished` in the report.
    /// 5. A host that does not answer usably now — a refused connection or timeout, 5xx/408/429,
    ///    after retries — would make this party's report differ from that of one who can read
    ///    it, whether the file is counted as empty or waited for; and waiting would let anyone
    ///    stop the epochs with a dust payment naming such a host. So it is left out *and listed*
    ///    in the report's `skippedSources` ([`Unreachable::Skip`]): verifiers recompute with the
    ///    same files left out ([`Unreachable::AsReported`]: those are not even fetched) and say
    ///    which they can read now. For a verifier, any other file it cannot read now is an
    ///    error naming the URI ([`EpochError::OutputsUnavailable`]), as is the reader's own
    ///    problem (no IPFS gateway configured) for anyone.
    pub async fn published_outputs(
        &self,
        fetcher: &Fetcher,
        from_block: u64,
        to_block: u64,
        paid: &HashSet<B256>,
        unreachable: Unreachable<'_>,
        progress: &dyn Progress,
    ) -> Result<FoundOutputs, ClientError> {
        let uris = self.outputs_uris(from_block, to_block).await?;
        let mut found = FoundOutputs::default();
        // URI → the report's reason, for the files the report left out.
        let mut honoured: HashMap<String, String> = HashMap::new();
        if let Unreachable::AsReported(list) = unreachable {
            for s in list.iter().filter(|s| s.kind == SourceKind::Outputs) {
                if s.contribution_id.is_none() && uris.contains(&s.uri) {
                    honoured.insert(s.uri.clone(), s.reason.clone());
                    found.skipped.push(s.clone());
                } else {
                    found.not_sources.push(s.clone());
                }
            }
        }
        let skip = matches!(unreachable, Unreachable::Skip);
        progress.start("fetching outputs", uris.len() as u64);
        let honoured_ref = &honoured;
        let mut fetched = futures::stream::iter(uris.into_iter().map(|uri| async move {
            let result = match honoured_ref.get(&uri) {
                Some(reason) => Err(reason.clone()),
                None => Ok(fetcher.fetch(&uri).await),
            };
            (uri, result)
        }))
        .buffered(OUTPUT_FETCHES);
        let mut done = 0u64;
        while let Some((uri, result)) = fetched.next().await {
            let read = match result {
                // Left out by the report: not read.
                Err(reason) => OutputsRead {
                    uri,
                    outputs: 0,
                    matched: 0,
                    rejected_lines: Vec::new(),
                    unavailable: None,
                    skipped: Some(reason),
                },
                Ok(Ok(bytes)) => {
                    let parsed = outputs::parse_published(&bytes);
                    let mut matched = 0;
                    for o in &parsed.outputs {
                        if paid.contains(&o.inference_id) {
                            matched += 1;
                            found
                                .texts
                                .entry(o.inference_id)
                                .or_insert_with(|| o.text.clone());
                        }
                    }
                    OutputsRead {
                        uri,
                        outputs: parsed.outputs.len(),
                        matched,
                        rejected_lines: parsed.rejected.iter().map(|(line, _)| *line).collect(),
                        unavailable: None,
                        skipped: None,
                    }
                }
                Ok(Err(e)) if e.is_definitive() => OutputsRead {
                    uri,
                    outputs: 0,
                    matched: 0,
                    rejected_lines: Vec::new(),
                    unavailable: Some(error_chain(&e)),
                    skipped: None,
                },
                Ok(Err(e)) if skip && e.is_unreachable() => {
                    let reason = e.summary();
                    found.skipped.push(SkippedSource {
                        uri: uri.clone(),
                        kind: SourceKind::Outputs,
                        contribution_id: None,
                        reason: reason.clone(),
                    });
                    OutputsRead {
                        uri,
                        outputs: 0,
                        matched: 0,
                        rejected_lines: Vec::new(),
                        unavailable: None,
                        skipped: Some(reason),
                    }
                }
                Ok(Err(e)) => {
                    progress.finish();
                    return Err(EpochError::OutputsUnavailable {
                        uri,
                        source: Box::new(e),
                    }
                    .into());
                }
            };
            found.files.push(read);
            done += 1;
            progress.set(done);
        }
        progress.finish();
        Ok(found)
    }

    /// Contributions accepted (and not retired) at `to_block`, in originality order: the
    /// position `(block, logIndex)` of the `Committed` event of the commitment each was revealed
    /// under, then its index in the reveal.
    ///
    /// A reveal emits `Revealed(commitment)` and then one `Contributed` event per item, in the
    /// committed order, in the same transaction; they are paired by transaction. A commitment committed again after it
    /// expired counts from its latest `Committed` event before the reveal.
    pub async fn accepted_contributions(
        &self,
        to_block: u64,
    ) -> Result<Vec<CorpusEntry>, ClientError> {
        #[derive(Clone, Copy, PartialEq)]
        enum State {
            Pending,
            Accepted,
            Gone,
        }
        enum Event {
            Contributed(Box<CorpusEntry>),
            Reviewed(B256, bool),
            Gone(B256),
        }
        let registry = Filter::new().address(self.deployment.datanet_registry);
        let from = self.deployment.deployment_block;
        let client = &self.client;
        let (committed, revealed, contributed, reviewed, retired) = futures::try_join!(
            client.events::<Committed>(registry.clone(), from, to_block),
            client.events::<Revealed>(registry.clone(), from, to_block),
            client.events::<Contributed>(registry.clone(), from, to_block),
            client.events::<Reviewed>(registry.clone(), from, to_block),
            client.events::<Retired>(registry.clone(), from, to_block),
        )?;
        // Every Committed position of each commitment, in chain order.
        let mut commits: HashMap<B256, Vec<(u64, u64)>> = HashMap::new();
        for (e, log) in &committed {
            commits.entry(e.commitment).or_default().push(position(log));
        }
        // Per reveal transaction: its commitment's order, and the next item index.
        let mut reveal_of_tx: HashMap<B256, (CommitOrder, u64)> = HashMap::new();
        for (e, log) in &revealed {
            let at = position(log);
            let commit = commits
                .get(&e.commitment)
                .and_then(|all| all.iter().rev().find(|p| **p < at).copied())
                .unwrap_or(at);
            if let Some(tx) = log.transaction_hash {
                reveal_of_tx.insert(tx, (CommitOrder::new(commit.0, commit.1, 0), 0));
            }
        }
        let mut events: Vec<((u64, u64), Event)> = Vec::new();
        for (e, log) in contributed {
            let (block, index) = position(&log);
            let order = match log
                .transaction_hash
                .and_then(|tx| reveal_of_tx.get_mut(&tx))
            {
                Some((order, next)) => {
                    let o = CommitOrder::new(order.block_number, order.log_index, *next);
                    *next += 1;
                    o
                }
                // No reveal in the transaction: the event's own position.
                None => CommitOrder::new(block, index, 0),
            };
            events.push((
                (block, index),
                Event::Contributed(Box::new(CorpusEntry {
                    contribution_id: Session::contribution_id(
                        u64::try_from(e.datanetId).unwrap_or(u64::MAX),
                        e.contentHash,
                    ),
                    content_hash: e.contentHash,
                    contributor: e.contributor,
                    datanet_id: u64::try_from(e.datanetId).unwrap_or(u64::MAX),
                    order,
                    registered_block: block,
                    uri: e.uri,
                })),
            ));
        }
        for (e, log) in reviewed {
            events.push((
                position(&log),
                Event::Reviewed(e.contributionId, e.accepted),
            ));
        }
        for (e, log) in retired {
            events.push((position(&log), Event::Gone(e.contributionId)));
        }
        events.sort_by_key(|(pos, _)| *pos);
        // Replay: the latest registration of an id (a displacement re-registers it) defines its
        // contributor and order.
        let mut state: HashMap<B256, (CorpusEntry, State)> = HashMap::new();
        for (_, event) in events {
            match event {
                Event::Contributed(entry) => {
                    state.insert(entry.contribution_id, (*entry, State::Pending));
                }
                Event::Reviewed(id, accepted) => {
                    if let Some(entry) = state.get_mut(&id) {
                        entry.1 = if accepted {
                            State::Accepted
                        } else {
                            State::Gone
                        };
                    }
                }
                Event::Gone(id) => {
                    if let Some(entry) = state.get_mut(&id) {
                        entry.1 = State::Gone;
                    }
                }
            }
        }
        let mut accepted: Vec<CorpusEntry> = state
            .into_values()
            .filter(|(_, s)| *s == State::Accepted)
            .map(|(c, _)| c)
            .collect();
        accepted.sort_by_key(|c| c.order);
        Ok(accepted)
    }

    /// The models registered by `to_block`, with their datanets and every data cutoff set up to
    /// `to_block` (registration sets the first).
    pub async fn models_at(&self, to_block: u64) -> Result<BTreeMap<u64, Model>, ClientError> {
        let models_filter = Filter::new().address(self.deployment.model_registry);
        let from = self.deployment.deployment_block;
        let (registered, cutoffs) = futures::try_join!(
            self.client
                .events::<ModelRegistered>(models_filter.clone(), from, to_block),
            self.client
                .events::<DataCutoffSet>(models_filter, from, to_block),
        )?;
        let mut models = BTreeMap::new();
        for (e, _) in registered {
            let id = u64::try_from(e.modelId).unwrap_or(u64::MAX);
            let datanet_ids = e
                .datanetIds
                .iter()
                .map(|d| u64::try_from(*d).unwrap_or(u64::MAX))
                .collect();
            models.insert(
                id,
                Model {
                    datanet_ids,
                    cutoffs: Vec::new(),
                },
            );
        }
        for (e, log) in cutoffs {
            let id = u64::try_from(e.modelId).unwrap_or(u64::MAX);
            if let Some(model) = models.get_mut(&id) {
                model.cutoffs.push(DataCutoff {
                    set_at_block: log.block_number.unwrap_or_default(),
                    cutoff_block: u64::try_from(e.cutoffBlock).unwrap_or(u64::MAX),
                });
            }
        }
        Ok(models)
    }

    /// `(inferenceId, modelId, contributorShare, block, logIndex)` of payments in the range.
    pub async fn payments(
        &self,
        from_block: u64,
        to_block: u64,
    ) -> Result<Vec<(B256, u64, U256, u64, u64)>, ClientError> {
        let mut out = Vec::new();
        for (e, log) in self
            .client
            .events::<InferencePaid>(
                Filter::new().address(self.deployment.attribution_pool),
                from_block,
                to_block,
            )
            .await?
        {
            let (block, index) = position(&log);
            out.push((
                e.inferenceId,
                u64::try_from(e.modelId).unwrap_or(u64::MAX),
                e.contributorShare,
                block,
                index,
            ));
        }
        Ok(out)
    }

    /// Proposes an epoch with the signatures in its file plus `extra` ones: recovers each signer,
    /// drops duplicates, checks each is an attestor and that there are enough, sorts by signer.
    /// Returns the signers used and the receipt.
    pub async fn propose_epoch(
        &self,
        file: &EpochFile,
        extra: &[String],
    ) -> Result<(Vec<Address>, TransactionReceipt), ClientError> {
        let digest = file.digest();
        let mut signatures: Vec<(Address, Bytes)> = Vec::new();
        for s in file
            .signatures
            .iter()
            .map(|s| s.signature.as_str())
            .chain(extra.iter().map(String::as_str))
        {
            let (signer, bytes) = recover_signer(s, digest)?;
            if !signatures.iter().any(|(x, _)| *x == signer) {
                signatures.push((signer, bytes));
            }
        }
        let pool = self.pool();
        for (signer, _) in &signatures {
            let ok = pool
                .isAttestor(*signer)
                .call()
                .await
                .map_err(|e| self.client.call_error("isAttestor", e))?;
            if !ok {
                return Err(EpochError::SignatureNotCounted { signer: *signer }.into());
            }
        }
        let threshold = pool
            .threshold()
            .call()
            .await
            .map_err(|e| self.client.call_error("threshold", e))?;
        if signatures.len() < usize::from(threshold) {
            return Err(EpochError::NotEnoughSignatures {
                collected: signatures.len(),
                needed: usize::from(threshold),
            }
            .into());
        }
        signatures.sort_by_key(|(signer, _)| *signer);
        let tx = pool
            .proposeEpoch(
                to_binding(&file.signed),
                signatures.iter().map(|(_, b)| b.clone()).collect(),
            )
            .into_transaction_request();
        let receipt = self.client.send("proposeEpoch", tx).await?;
        Ok((signatures.into_iter().map(|(s, _)| s).collect(), receipt))
    }

    /// Accepts the pending epoch (after its challenge period); returns its number and root.
    pub async fn accept_epoch(&self) -> Result<(u64, B256, TransactionReceipt), ClientError> {
        let pool = self.pool();
        let pending = pool
            .pendingEpoch()
            .call()
            .await
            .map_err(|e| self.client.call_error("pendingEpoch", e))?;
        if pending.validAt == 0 {
            return Err(EpochError::NothingPending.into());
        }
        let tx = pool.acceptEpoch().into_transaction_request();
        let receipt = self.client.send("acceptEpoch", tx).await?;
        Ok((pending.epoch, pending.rewardsRoot, receipt))
    }

    /// The number of the last accepted epoch (0 before the first).
    pub async fn current_epoch(&self) -> Result<u64, ClientError> {
        let current = self
            .pool()
            .currentEpoch()
            .call()
            .await
            .map_err(|e| self.client.call_error("currentEpoch", e))?;
        Ok(u64::try_from(current).unwrap_or(u64::MAX))
    }

    /// The pool's `proposalNonce()`: signed into every epoch; every veto and attestor rotation
    /// advances it.
    pub async fn proposal_nonce(&self) -> Result<u64, ClientError> {
        self.pool()
            .proposalNonce()
            .call()
            .await
            .map_err(|e| self.client.call_error("proposalNonce", e))
    }

    /// The EIP-712 digest of an epoch, as the pool computes it (`epochDigest`), read from chain; it
    /// equals [`EpochFile::digest`] computed locally.
    pub async fn epoch_digest(&self, file: &EpochFile) -> Result<B256, ClientError> {
        self.pool()
            .epochDigest(to_binding(&file.signed))
            .call()
            .await
            .map_err(|e| self.client.call_error("epochDigest", e))
    }

    /// Checks that `file` belongs to this deployment's pool and chain.
    pub fn check_epoch_file(&self, dir: &Path, file: &EpochFile) -> Result<(), ClientError> {
        if file.chain_id != self.client.chain_id() || file.pool != self.deployment.attribution_pool
        {
            return Err(EpochError::WrongPool {
                dir: dir.to_path_buf(),
                pool: file.pool,
                chain_id: file.chain_id,
                expected_pool: self.deployment.attribution_pool,
                expected_chain: self.client.chain_id(),
            }
            .into());
        }
        Ok(())
    }

    /// Signs the epoch in `dir` as attestor `signer` and adds the signature to its `epoch.json`
    /// (replacing an earlier one by the same signer). Returns the signature and the digest.
    pub async fn sign_epoch_dir(
        &self,
        dir: &Path,
        signer: &PrivateKeySigner,
    ) -> Result<(EpochFile, EpochSignature, B256), ClientError> {
        let mut file = read_epoch_file(dir)?;
        self.check_epoch_file(dir, &file)?;
        let is_attestor = self
            .pool()
            .isAttestor(signer.address())
            .call()
            .await
            .map_err(|e| self.client.call_error("isAttestor", e))?;
        if !is_attestor {
            return Err(EpochError::NotAttestor {
                signer: signer.address(),
                pool: file.pool,
            }
            .into());
        }
        let nonce = self.proposal_nonce().await?;
        if file.signed.nonce != nonce {
            return Err(EpochError::StaleNonce {
                dir: dir.to_path_buf(),
                nonce: file.signed.nonce,
                expected: nonce,
            }
            .into());
        }
        let digest = file.digest();
        let signature = sign_digest(signer, digest)?;
        file.signatures.retain(|s| s.signer != signature.signer);
        file.signatures.push(signature.clone());
        write_epoch_file(dir, &file)?;
        Ok((file, signature, digest))
    }
}

/// Signs an epoch digest with an attestor key.
pub fn sign_digest(signer: &PrivateKeySigner, digest: B256) -> Result<EpochSignature, ClientError> {
    let signature: Signature = signer
        .sign_hash_sync(&digest)
        .map_err(WalletError::Signing)?;
    Ok(EpochSignature {
        signer: signer.address(),
        signature: format!("0x{}", alloy::hex::encode(signature.as_bytes())),
    })
}

/// Recovers who signed `digest`; returns the signer and the signature's bytes.
pub fn recover_signer(signature: &str, digest: B256) -> Result<(Address, Bytes), ClientError> {
    let bad = || EpochError::BadSignature {
        signature: signature.to_string(),
    };
    let bytes = alloy::hex::decode(signature.trim()).map_err(|_| bad())?;
    let sig = Signature::try_from(bytes.as_slice()).map_err(|_| bad())?;
    let signer = sig
        .recover_address_from_prehash(&digest)
        .map_err(|_| bad())?;
    Ok((signer, Bytes::from(bytes)))
}

/// Writes report, tree and epoch file into `dir` (each to a temporary name, then renamed).
pub fn write_epoch_dir(dir: &Path, computed: &ComputedEpoch) -> Result<(), ClientError> {
    std::fs::create_dir_all(dir).map_err(|e| ClientError::file(dir, e))?;
    let tree = computed
        .outcome
        .tree
        .as_ref()
        .ok_or(EpochError::NothingAllocated {
            epoch: computed.file.epoch(),
        })?;
    write_atomic(&dir.join(REPORT_FILE), &computed.report_bytes)?;
    write_atomic(&dir.join(TREE_FILE), tree.to_json_pretty().as_bytes())?;
    write_epoch_file(dir, &computed.file)
}

/// Writes `epoch.json`.
pub fn write_epoch_file(dir: &Path, file: &EpochFile) -> Result<(), ClientError> {
    let path = dir.join(EPOCH_FILE);
    let json = serde_json::to_string_pretty(file).map_err(|e| ClientError::file(&path, e))?;
    write_atomic(&path, (json + "\n").as_bytes())
}

/// Reads `epoch.json` from an epoch folder.
pub fn read_epoch_file(dir: &Path) -> Result<EpochFile, ClientError> {
    let path = dir.join(EPOCH_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| ClientError::file(&path, e))?;
    serde_json::from_str(&text).map_err(|e| ClientError::file(&path, e))
}

/// Reads a reward tree dump: `tree.json` in an epoch folder, or the file itself.
pub fn read_tree(path: &Path) -> Result<RewardTree, ClientError> {
    let path = if path.is_dir() {
        path.join(TREE_FILE)
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&path).map_err(|e| ClientError::file(&path, e))?;
    RewardTree::load(&bytes).map_err(|e| ClientError::file(&path, FileError::Tree(Box::new(e))))
}

/// Reads `report.json` from an epoch folder, with its keccak256.
pub fn read_report(dir: &Path) -> Result<(AttributionReport, B256), ClientError> {
    let path = dir.join(REPORT_FILE);
    let bytes = std::fs::read(&path).map_err(|e| ClientError::file(&path, e))?;
    let report = AttributionReport::from_json(&bytes)
        .map_err(|e| ClientError::file(&path, FileError::Report(Box::new(e))))?;
    Ok((report, keccak256(&bytes)))
}

/// The previous epoch's folder: `explicit`, or `<parent of dir>/<N-1>` when it exists.
pub fn previous_dir(explicit: Option<&Path>, dir: &Path, epoch: u64) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if epoch <= 1 {
        return None;
    }
    let sibling = dir
        .parent()
        .unwrap_or(Path::new("."))
        .join((epoch - 1).to_string());
    sibling.exists().then_some(sibling)
}

/// An error and its causes on one line.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let cause = e.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
        source = e.source();
    }
    text
}

fn position(log: &Log) -> (u64, u64) {
    (
        log.block_number.unwrap_or_default(),
        log.log_index.unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_file_round_trips_with_the_signed_epochs_field_names() {
        let file = EpochFile {
            signed: SignedEpoch {
                epoch: 2,
                nonce: 1,
                rewardsRoot: B256::repeat_byte(1),
                totalAllocated: U256::from(5),
                reportHash: B256::repeat_byte(2),
                reportURI: "ipfs://x/report.json".into(),
            },
            chain_id: 31337,
            pool: Address::repeat_byte(3),
            from_block: 10,
            to_block: 20,
            min_span: 8,
            signatures: vec![],
        };
        let json = serde_json::to_string_pretty(&file).unwrap();
        let back: EpochFile = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
        assert_eq!(back, file);
        for key in [
            "\"epoch\"",
            "\"nonce\"",
            "\"rewardsRoot\"",
            "\"reportURI\"",
            "\"toBlock\"",
        ] {
            assert!(json.contains(key), "{key} in {json}");
        }
    }
}
