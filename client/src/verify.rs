//! `epoch verify`: recompute an epoch from chain data and local files and compare it with the epoch
//! folder and with what the chain holds. A mismatch is a result ([`Verification::matches`] is
//! false), not an error: the caller decides what it means (the CLI exits with its own code).

use crate::{
    epoch::{previous_dir, read_epoch_file, read_report, read_tree, EpochSources},
    error::EpochError,
    ClientError, Session,
};
use alloy::primitives::{B256, U256};
use serde::Serialize;
use std::path::Path;

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

/// The outcome of [`Session::verify_epoch`].
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub epoch: u64,
    pub from_block: u64,
    pub to_block: u64,
    pub on_chain: ChainState,
    pub checks: Vec<Check>,
}

impl Verification {
    /// Whether every check agrees.
    pub fn matches(&self) -> bool {
        self.checks.iter().all(|c| c.matches)
    }

    /// Names of the fields that differ.
    pub fn mismatches(&self) -> Vec<&'static str> {
        self.checks
            .iter()
            .filter(|c| !c.matches)
            .map(|c| c.field)
            .collect()
    }
}

/// What `epoch verify` needs besides the epoch folder.
pub struct VerifyInputs<'a> {
    /// The epoch number the caller expects (checked against the folder), if any.
    pub epoch: Option<u64>,
    pub corpus_dir: &'a Path,
    pub log: &'a Path,
    /// The previous epoch's folder; default: the sibling folder named N-1.
    pub previous: Option<&'a Path>,
}

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
        let sources = EpochSources {
            epoch: file.epoch(),
            to_block: Some(file.to_block),
            from_block: Some(file.from_block),
            min_span: file.min_span,
            corpus_dir: inputs.corpus_dir,
            log: inputs.log,
            previous: previous.as_deref(),
            report_uri: file.signed.reportURI.clone(),
            // Recompute under the nonce it was signed with: the nonce is not derived from data.
            nonce: Some(file.signed.nonce),
        };
        let computed = self.compute_epoch(&sources).await?;
        let folder_tree = read_tree(dir)?;
        let (folder_report, folder_report_hash) = read_report(dir)?;

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
        })
    }
}
