//! `epoch verify`: recompute an epoch and compare it with what was published. A mismatch is a
//! result (`matches()` is false), not an error: the caller decides what it means (the CLI exits
//! with its own code).
//!
//! Two ways:
//! - [`Session::verify_epoch`] checks an epoch folder (what an attestor checks before signing, and
//!   after): the recomputation against the folder's files and, once proposed, the chain;
//! - [`Session::verify_published_epoch`] needs no folder — only the chain and public URIs, as an
//!   independent verifier has them: the epoch's record on chain (root, total, report hash), its
//!   `reportURI` and nonce from its `EpochProposed` event, the published report, and a
//!   recomputation from the paid outputs and the corpus at their URIs.
//!   [`Session::verify_published_epochs`] does it for every proposed or accepted epoch.
//!
//! A publication that is definitively missing or wrong (a 404, a report whose hash is not the
//! chain's) is a mismatch; one that cannot be read *now* (refused connection, 5xx) is an error,
//! never a mismatch and never a match.
//!
//! Sources the attestors left out as unreachable (the report's `skippedSources`) are left out of
//! the recomputation too, whether or not this verifier can read them now, so an honest report
//! verifies deterministically; each is then tried now and the verification says which are
//! available ([`SkippedCheck`]: shown, not a mismatch — the attestors may honestly have failed to
//! reach it). An entry that names no source of the epoch is a mismatch: attestors cannot invent
//! entries.

use crate::{
    epoch::{
        error_chain, previous_dir, read_epoch_file, read_report, read_tree, ComputedEpoch,
        EpochPlan, InputsRead, OutputsFrom, PreviousFrom, Unreachable,
    },
    error::EpochError,
    publication::{report_tree, Fetcher, DEFAULT_CONCURRENCY},
    ClientError, Progress, Session,
};
use alloy::{
    primitives::{keccak256, B256, U256},
    rpc::types::Filter,
};
use datanet_attribution::{AttributionReport, EpochParams, SkippedSource, SourceKind};
use datanet_bindings::AttributionPool::EpochProposed;
use futures::StreamExt;
use serde::Serialize;
use std::path::Path;

/// Skipped sources tried at once.
const PROBES: usize = 4;

/// Where the epoch stands on chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChainState {
    Accepted,
    Pending,
    NotOnChain,
}

impl ChainState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Pending => "pending",
            Self::NotOnChain => "not on chain",
        }
    }
}

/// One compared field: the recomputed value, the epoch file's, the folder files', the chain's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub field: &'static str,
    pub recomputed: String,
    pub epoch_file: String,
    pub folder: String,
    pub on_chain: String,
    /// Whether this field agrees everywhere it should (the chain only once the epoch is on chain).
    pub matches: bool,
}

/// A source the report lists as left out (`skippedSources`), and what this verifier found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkippedCheck {
    pub uri: String,
    pub kind: SourceKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contribution_id: Option<B256>,
    /// The attestors' reason.
    pub reason: String,
    /// Whether it names a source of the epoch (an `OutputsPublished` URI of its blocks; an
    /// accepted contribution of its corpus, with this URI). One that does not is a mismatch.
    pub of_this_epoch: bool,
    /// Whether this verifier can read it now; `None` when not tried (not a source, or offline).
    /// Available now is no mismatch (the attestors may honestly have failed to reach it) but
    /// worth the guardian's look.
    pub available_now: Option<bool>,
    /// What this verifier found, in one line naming the URI.
    pub finding: String,
}

/// The outcome of [`Session::verify_epoch`].
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub epoch: u64,
    pub from_block: u64,
    pub to_block: u64,
    pub on_chain: ChainState,
    pub checks: Vec<Check>,
    /// The report's skipped sources, each checked and tried now.
    pub skipped: Vec<SkippedCheck>,
}

impl Verification {
    /// Whether every check agrees and every skipped source is one of the epoch's.
    pub fn matches(&self) -> bool {
        all_match(&self.checks, &self.skipped)
    }

    /// Names of the fields that differ.
    pub fn mismatches(&self) -> Vec<&'static str> {
        mismatches(&self.checks, &self.skipped)
    }
}

/// A check of one field: its name, and whether it agrees.
trait FieldCheck {
    fn field(&self) -> (&'static str, bool);
}

impl FieldCheck for Check {
    fn field(&self) -> (&'static str, bool) {
        (self.field, self.matches)
    }
}

impl FieldCheck for PublishedCheck {
    fn field(&self) -> (&'static str, bool) {
        (self.field, self.matches)
    }
}

/// Whether every check agrees and every skipped source is one of the epoch's.
fn all_match(checks: &[impl FieldCheck], skipped: &[SkippedCheck]) -> bool {
    checks.iter().all(|c| c.field().1) && skipped.iter().all(|s| s.of_this_epoch)
}

/// Names of the fields that differ, and [`SKIPPED`] when a skipped source is no source of the
/// epoch.
fn mismatches(checks: &[impl FieldCheck], skipped: &[SkippedCheck]) -> Vec<&'static str> {
    let mut fields: Vec<&'static str> = checks
        .iter()
        .map(FieldCheck::field)
        .filter(|(_, ok)| !ok)
        .map(|(f, _)| f)
        .collect();
    if skipped.iter().any(|s| !s.of_this_epoch) {
        fields.push(SKIPPED);
    }
    fields
}

/// What `epoch verify DIR` needs besides the epoch folder.
pub struct VerifyInputs<'a> {
    /// The epoch number the caller expects (checked against the folder), if any.
    pub epoch: Option<u64>,
    /// Folder of contributed files; with a fetcher, missing ones are fetched into it.
    pub corpus_dir: &'a Path,
    pub outputs: OutputsFrom<'a>,
    /// The previous epoch's folder; default: the sibling folder named N-1, else (with a fetcher)
    /// the previous epoch's report published at its on-chain URI.
    pub previous: Option<&'a Path>,
    /// Reads published files; `None` fetches nothing.
    pub fetcher: Option<&'a Fetcher>,
    pub progress: &'a dyn Progress,
}

/// What [`Session::verify_published_epoch`] needs: nothing local but a corpus folder (a cache).
pub struct PublishedVerifyInputs<'a> {
    /// Folder of contributed files; the files it lacks are fetched into it by their URIs.
    pub corpus_dir: &'a Path,
    /// Where the paid outputs are read: normally [`OutputsFrom::Published`].
    pub outputs: OutputsFrom<'a>,
    /// The protocol's minimum span (8): the verifier's own, not the report's, so that an epoch
    /// attributed with another is a mismatch.
    pub min_span: u32,
    pub fetcher: &'a Fetcher,
    pub progress: &'a dyn Progress,
}

/// One compared field of a published epoch: the recomputed value (if the epoch could be
/// recomputed), the chain's, and the published report's (if it could be read).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishedCheck {
    pub field: &'static str,
    pub recomputed: Option<String>,
    pub on_chain: String,
    pub published: Option<String>,
    /// Root and total: the recomputed value is the chain's. Report hash: the recomputed report and
    /// the published one both hash to the chain's report hash.
    pub matches: bool,
}

/// The outcome of [`Session::verify_published_epoch`].
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishedVerification {
    pub epoch: u64,
    /// Accepted or pending.
    pub on_chain: ChainState,
    /// From the epoch's `EpochProposed` event.
    pub report_uri: String,
    pub nonce: u64,
    /// The recomputed epoch's blocks (`None` if it could not be recomputed).
    pub from_block: Option<u64>,
    pub to_block: Option<u64>,
    pub checks: Vec<PublishedCheck>,
    /// Why the epoch could not be recomputed, or why the published report is unusable.
    pub problems: Vec<String>,
    /// Paid inferences of the recomputed epoch whose output was not found / hashed differently.
    pub unpublished: Option<usize>,
    pub mismatched: Option<usize>,
    /// Where the recomputation's inputs were read.
    pub inputs: Option<InputsRead>,
    /// The report's skipped sources, each checked and tried now (empty if not recomputed).
    pub skipped: Vec<SkippedCheck>,
}

impl PublishedVerification {
    /// Whether every check agrees and every skipped source is one of the epoch's.
    pub fn matches(&self) -> bool {
        all_match(&self.checks, &self.skipped)
    }

    /// Names of the fields that differ (`skipped sources` when the report lists one that is no
    /// source of the epoch).
    pub fn mismatches(&self) -> Vec<&'static str> {
        mismatches(&self.checks, &self.skipped)
    }

    /// Whether the named check agrees.
    pub fn check(&self, field: &str) -> bool {
        self.checks.iter().any(|c| c.field == field && c.matches)
    }
}

/// Check names.
pub const ROOT: &str = "rewards root";
pub const TOTAL: &str = "total allocated";
pub const REPORT: &str = "report hash";
/// What differs when the report lists a skipped source that is no source of the epoch.
pub const SKIPPED: &str = "skipped sources";

impl Session {
    /// Recomputes the epoch in `dir` and compares root, report hash and total with the folder and
    /// the chain. Before the epoch is proposed, only the folder is compared (what an attestor checks
    /// before signing).
    pub async fn verify_epoch(
        &self,
        dir: &Path,
        inputs: &VerifyInputs<'_>,
    ) -> Result<Verification, ClientError> {
        let file = read_epoch_file(dir)?;
        if let Some(given) = inputs.epoch {
            if given != file.epoch() {
                return Err(EpochError::EpochArgMismatch {
                    given,
                    found: file.epoch(),
                    dir: dir.to_path_buf(),
                }
                .into());
            }
        }
        let previous = previous_dir(inputs.previous, dir, file.epoch());
        let previous = match (&previous, inputs.fetcher) {
            (Some(dir), _) => PreviousFrom::Folder(dir),
            (None, Some(_)) => PreviousFrom::Published,
            (None, None) => PreviousFrom::Nothing,
        };
        let folder_tree = read_tree(dir)?;
        let (folder_report, folder_report_hash) = read_report(dir)?;
        let plan = EpochPlan {
            epoch: file.epoch(),
            to_block: Some(file.to_block),
            from_block: Some(file.from_block),
            min_span: file.min_span,
            corpus_dir: inputs.corpus_dir,
            outputs: inputs.outputs,
            previous,
            fetcher: inputs.fetcher,
            concurrency: DEFAULT_CONCURRENCY,
            report_uri: file.signed.reportURI.clone(),
            // Recompute under the nonce it was signed with: the nonce is not derived from data.
            nonce: Some(file.signed.nonce),
            unreachable: Unreachable::AsReported(&folder_report.skipped_sources),
            progress: inputs.progress,
        };
        let computed = self.compute_epoch_with(&plan).await?;
        let skipped = check_skipped(&computed, inputs.fetcher).await;

        let pool = self.pool();
        let current = self.current_epoch().await?;
        let (state, root, hash, total) = if file.epoch() <= current {
            let r = pool
                .epochRecord(U256::from(file.epoch()))
                .call()
                .await
                .map_err(|e| self.client.call_error("epochRecord", e))?;
            (
                ChainState::Accepted,
                r.rewardsRoot,
                r.reportHash,
                r.totalAllocated,
            )
        } else {
            let p = pool
                .pendingEpoch()
                .call()
                .await
                .map_err(|e| self.client.call_error("pendingEpoch", e))?;
            if p.validAt == 0 || p.epoch != file.epoch() {
                (ChainState::NotOnChain, B256::ZERO, B256::ZERO, U256::ZERO)
            } else {
                (
                    ChainState::Pending,
                    p.rewardsRoot,
                    p.reportHash,
                    U256::from(p.totalAllocated),
                )
            }
        };
        let on_chain = state != ChainState::NotOnChain;
        let check =
            |field, recomputed: String, epoch_file: String, folder: String, chain: String| {
                let matches = recomputed == epoch_file
                    && recomputed == folder
                    && (!on_chain || recomputed == chain);
                Check {
                    field,
                    recomputed,
                    epoch_file,
                    folder,
                    on_chain: chain,
                    matches,
                }
            };
        let r = &computed.file.signed;
        let f = &file.signed;
        let checks = vec![
            check(
                "rewards root",
                r.rewardsRoot.to_string(),
                f.rewardsRoot.to_string(),
                folder_tree.root().to_string(),
                root.to_string(),
            ),
            check(
                "report hash",
                r.reportHash.to_string(),
                f.reportHash.to_string(),
                folder_report_hash.to_string(),
                hash.to_string(),
            ),
            check(
                "total allocated",
                r.totalAllocated.to_string(),
                f.totalAllocated.to_string(),
                folder_report.totals.cumulative_allocated.to_string(),
                total.to_string(),
            ),
        ];
        Ok(Verification {
            epoch: file.epoch(),
            from_block: file.from_block,
            to_block: file.to_block,
            on_chain: state,
            checks,
            skipped,
        })
    }
}

impl Session {
    /// The proposed or accepted epochs, in order: 1 to the current epoch, then the pending one.
    pub async fn published_epochs(&self) -> Result<Vec<(u64, ChainState)>, ClientError> {
        let current = self.current_epoch().await?;
        let mut epochs: Vec<(u64, ChainState)> =
            (1..=current).map(|n| (n, ChainState::Accepted)).collect();
        let pending = self
            .pool()
            .pendingEpoch()
            .call()
            .await
            .map_err(|e| self.client.call_error("pendingEpoch", e))?;
        if pending.validAt != 0 && pending.epoch > current {
            epochs.push((pending.epoch, ChainState::Pending));
        }
        Ok(epochs)
    }

    /// Verifies every proposed or accepted epoch in order (see [`Self::verify_published_epoch`]).
    pub async fn verify_published_epochs(
        &self,
        inputs: &PublishedVerifyInputs<'_>,
    ) -> Result<Vec<PublishedVerification>, ClientError> {
        let mut out = Vec::new();
        for (epoch, _) in self.published_epochs().await? {
            out.push(self.verify_published_epoch(epoch, inputs).await?);
        }
        Ok(out)
    }

    /// Verifies epoch `epoch` (accepted, or pending) from the chain and public URIs alone:
    ///
    /// 1. on chain: its record (accepted: `epochRecord`; pending: `pendingEpoch`) — root, total
    ///    allocated, report hash — and its `reportURI` and nonce from its latest `EpochProposed`
    ///    event with that root;
    /// 2. the report at `reportURI`: its keccak256 against the chain's report hash; its parameters
    ///    give the epoch's last block (where the attestors cut it);
    /// 3. the recomputation: from the previous epoch's end (its published report) to that block,
    ///    with `inputs.min_span`, the outputs and the corpus from their URIs
    ///    ([`Session::compute_epoch_with`]);
    /// 4. root, total and report hash of the recomputation against the chain's.
    ///
    /// A definitive problem (the report is not at its URI, does not parse, or the previous epoch's
    /// report does not match the chain; the recomputation allocates nothing) is listed in
    /// [`PublishedVerification::problems`] and fails the checks it prevents. Reading failures that
    /// may pass (network, 5xx) and missing corpus files are errors.
    pub async fn verify_published_epoch(
        &self,
        epoch: u64,
        inputs: &PublishedVerifyInputs<'_>,
    ) -> Result<PublishedVerification, ClientError> {
        if epoch == 0 {
            return Err(EpochError::ZeroEpoch.into());
        }
        let pool = self.pool();
        let current = self.current_epoch().await?;
        let (state, root, report_hash, total) = if epoch <= current {
            let r = pool
                .epochRecord(U256::from(epoch))
                .call()
                .await
                .map_err(|e| self.client.call_error("epochRecord", e))?;
            (
                ChainState::Accepted,
                r.rewardsRoot,
                r.reportHash,
                r.totalAllocated,
            )
        } else {
            let p = pool
                .pendingEpoch()
                .call()
                .await
                .map_err(|e| self.client.call_error("pendingEpoch", e))?;
            if p.validAt == 0 || p.epoch != epoch {
                return Err(EpochError::NotPublished {
                    epoch,
                    current,
                    pending: (p.validAt != 0).then_some(p.epoch),
                }
                .into());
            }
            (
                ChainState::Pending,
                p.rewardsRoot,
                p.reportHash,
                U256::from(p.totalAllocated),
            )
        };
        let latest = self.client.latest_block().await?;
        let filter = Filter::new()
            .address(self.deployment.attribution_pool)
            .topic1(B256::from(U256::from(epoch)))
            .topic2(root);
        let proposals = self
            .client
            .events::<EpochProposed>(filter, self.deployment.deployment_block, latest)
            .await?;
        let Some((proposed, _)) = proposals.into_iter().next_back() else {
            return Err(EpochError::NoProposal {
                epoch,
                rewards_root: root,
            }
            .into());
        };
        let report_uri = proposed.reportURI;
        let nonce = u64::try_from(proposed.nonce).unwrap_or(u64::MAX);
        let mut problems = Vec::new();

        // The published report.
        let published: Option<(B256, Option<AttributionReport>)> =
            match inputs.fetcher.fetch(&report_uri).await {
                Ok(bytes) => {
                    let hash = keccak256(&bytes);
                    if hash != report_hash {
                        problems.push(format!(
                        "the report at {report_uri} hashes to {hash}, the chain says {report_hash}"
                    ));
                    }
                    match AttributionReport::from_json(&bytes) {
                        Ok(report) => Some((hash, Some(report))),
                        Err(e) => {
                            problems.push(format!(
                                "the report at {report_uri} is not an epoch report: {}",
                                error_chain(&e)
                            ));
                            Some((hash, None))
                        }
                    }
                }
                Err(e) if e.is_definitive() => {
                    problems.push(format!("no report at {report_uri}: {}", error_chain(&e)));
                    None
                }
                Err(e) => {
                    return Err(EpochError::ReportUnavailable {
                        epoch,
                        uri: report_uri,
                        source: Box::new(e),
                    }
                    .into())
                }
            };
        let report = published.as_ref().and_then(|(_, r)| r.as_ref());
        let params: Option<EpochParams> = report.map(|r| r.parameters);
        if let Some(p) = &params {
            if p.epoch != epoch
                || p.chain_id != self.client.chain_id()
                || p.pool != self.deployment.attribution_pool
            {
                problems.push(format!(
                    "the report at {report_uri} is for epoch {} of pool {} on chain {}",
                    p.epoch, p.pool, p.chain_id
                ));
            }
        }

        // The recomputation, up to the block the report names.
        let computed: Option<ComputedEpoch> = match &params {
            None => {
                problems.push(
                    "the epoch's last block is unknown without its report: not recomputed".into(),
                );
                None
            }
            Some(p) => {
                let plan = EpochPlan {
                    epoch,
                    to_block: Some(p.to_block),
                    from_block: None,
                    min_span: inputs.min_span,
                    corpus_dir: inputs.corpus_dir,
                    outputs: inputs.outputs,
                    previous: if epoch > 1 {
                        PreviousFrom::Published
                    } else {
                        PreviousFrom::Nothing
                    },
                    fetcher: Some(inputs.fetcher),
                    concurrency: DEFAULT_CONCURRENCY,
                    report_uri: report_uri.clone(),
                    nonce: Some(nonce),
                    // Leave out what the attestors left out, even if it can be read now.
                    unreachable: Unreachable::AsReported(
                        report.map_or(&[][..], |r| r.skipped_sources.as_slice()),
                    ),
                    progress: inputs.progress,
                };
                match self.compute_epoch_with(&plan).await {
                    Ok(c) => Some(c),
                    Err(ClientError::Epoch(e)) if definitive(&e) => {
                        problems.push(format!("not recomputed: {}", error_chain(&e)));
                        None
                    }
                    Err(e) => return Err(e),
                }
            }
        };

        let skipped = match &computed {
            Some(c) => check_skipped(c, Some(inputs.fetcher)).await,
            None => Vec::new(),
        };
        let recomputed = computed.as_ref().map(|c| &c.file.signed);
        let published_root = report.and_then(|r| report_tree(r).ok()).map(|t| t.root());
        let checks = vec![
            PublishedCheck {
                field: ROOT,
                recomputed: recomputed.map(|r| r.rewardsRoot.to_string()),
                on_chain: root.to_string(),
                published: published_root.map(|r| r.to_string()),
                matches: recomputed.is_some_and(|r| r.rewardsRoot == root),
            },
            PublishedCheck {
                field: TOTAL,
                recomputed: recomputed.map(|r| r.totalAllocated.to_string()),
                on_chain: total.to_string(),
                published: report.map(|r| r.totals.cumulative_allocated.to_string()),
                matches: recomputed.is_some_and(|r| r.totalAllocated == total),
            },
            PublishedCheck {
                field: REPORT,
                recomputed: recomputed.map(|r| r.reportHash.to_string()),
                on_chain: report_hash.to_string(),
                published: published.as_ref().map(|(h, _)| h.to_string()),
                matches: recomputed.is_some_and(|r| r.reportHash == report_hash)
                    && published.as_ref().is_some_and(|(h, _)| *h == report_hash),
            },
        ];
        Ok(PublishedVerification {
            epoch,
            on_chain: state,
            report_uri,
            nonce,
            from_block: computed.as_ref().map(|c| c.file.from_block),
            to_block: computed.as_ref().map(|c| c.file.to_block),
            checks,
            problems,
            unpublished: computed
                .as_ref()
                .map(|c| c.outcome.report.unpublished.len()),
            mismatched: computed.as_ref().map(|c| c.outcome.report.mismatched.len()),
            inputs: computed.map(|c| c.inputs),
            skipped,
        })
    }
}

/// The sources a recomputation left out as the report listed them, each tried now (a few at a
/// time), then the report's entries that name no source of the epoch.
async fn check_skipped(computed: &ComputedEpoch, fetcher: Option<&Fetcher>) -> Vec<SkippedCheck> {
    let honoured = &computed.outcome.report.skipped_sources;
    let mut checks: Vec<SkippedCheck> = futures::stream::iter(
        honoured
            .iter()
            .map(|source| async move { try_now(computed, source, fetcher).await }),
    )
    .buffered(PROBES)
    .collect()
    .await;
    for s in &computed.not_sources {
        let what = match (s.kind, s.contribution_id) {
            (SourceKind::Outputs, _) => format!(
                "no OutputsPublished event of blocks {}..={} names it",
                computed.file.from_block, computed.file.to_block
            ),
            (SourceKind::Contribution, Some(id)) => {
                format!("no accepted contribution {id} of the epoch's corpus has this URI")
            }
            (SourceKind::Contribution, None) => "a contribution entry without its id".into(),
        };
        checks.push(SkippedCheck {
            uri: s.uri.clone(),
            kind: s.kind,
            contribution_id: s.contribution_id,
            reason: s.reason.clone(),
            of_this_epoch: false,
            available_now: None,
            finding: format!(
                "listed as skipped by the attestors but no source of this epoch ({what}): {}",
                s.uri
            ),
        });
    }
    checks
}

/// Tries one left-out source now: an outputs file at its URI; a contribution's file in the
/// corpus folder, else at its URI (hash-checked).
async fn try_now(
    computed: &ComputedEpoch,
    source: &SkippedSource,
    fetcher: Option<&Fetcher>,
) -> SkippedCheck {
    let said = format!(
        "skipped by the attestors as unreachable ({})",
        source.reason
    );
    let local = computed
        .skipped_corpus
        .iter()
        .find(|c| Some(c.entry.contribution_id) == source.contribution_id);
    let (available_now, finding) = match (source.kind, local, fetcher) {
        (SourceKind::Contribution, Some(c), _) if c.local.is_some() => (
            Some(true),
            format!(
                "{said}, available now (a copy is in the corpus folder): {}",
                source.uri
            ),
        ),
        (_, _, None) => (
            None,
            format!("{said}, not tried (fetching is off): {}", source.uri),
        ),
        (kind, local, Some(fetcher)) => {
            let result = match (kind, local) {
                (SourceKind::Contribution, Some(c)) => fetcher
                    .fetch_checked(&source.uri, c.entry.content_hash)
                    .await
                    .map(drop),
                _ => fetcher.fetch(&source.uri).await.map(drop),
            };
            match result {
                Ok(()) => (Some(true), format!("{said}, available now: {}", source.uri)),
                Err(e) => (
                    Some(false),
                    format!(
                        "{said}, still unavailable ({}): {}",
                        e.summary(),
                        source.uri
                    ),
                ),
            }
        }
    };
    SkippedCheck {
        uri: source.uri.clone(),
        kind: source.kind,
        contribution_id: source.contribution_id,
        reason: source.reason.clone(),
        of_this_epoch: true,
        available_now,
        finding,
    }
}

/// Whether a failed recomputation is a fact about what was published (a mismatch), rather than a
/// failure of this verifier (an error).
fn definitive(e: &EpochError) -> bool {
    match e {
        EpochError::NothingAllocated { .. }
        | EpochError::EmptyRange { .. }
        | EpochError::BeyondLatest { .. }
        | EpochError::PreviousReportMismatch { .. } => true,
        EpochError::PreviousUnavailable { source, .. } => source.is_definitive(),
        _ => false,
    }
}
