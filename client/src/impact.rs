//! A contributor's impact: its contributions with their status and credited tokens, and per epoch
//! what it earned, each epoch's reward tree checked against the root accepted on chain.

use crate::{
    epoch::{read_epoch_file, read_report, read_tree},
    publication::Fetcher,
    rewards::{published_epoch, PublishedEpochError},
    session::{ContributionInfo, Status},
    ClientError, Session,
};
use alloy::{
    primitives::{Address, B256, U256},
    rpc::types::Filter,
};
use datanet_attribution::{AttributionReport, RewardTree};
use datanet_bindings::DatanetRegistry::Contributed;
use serde::Serialize;
use std::{collections::BTreeMap, path::Path};

/// One contribution of the account.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContributionImpact {
    pub contribution_id: B256,
    pub datanet_id: u64,
    pub status: Status,
    pub uri: String,
    /// Output tokens credited to it over the epochs read.
    pub credited_tokens: u64,
    /// Base units earned over the epochs read.
    #[serde(with = "crate::serde_u256")]
    pub earned: U256,
}

/// Whether an epoch's tree is the one the chain accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TreeCheck {
    #[serde(rename = "verified")]
    Verified,
    #[serde(rename = "MISMATCH")]
    Mismatch,
    #[serde(rename = "not accepted yet")]
    NotAcceptedYet,
}

impl TreeCheck {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Mismatch => "MISMATCH",
            Self::NotAcceptedYet => "not accepted yet",
        }
    }
}

/// One epoch, as it concerns the account.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EpochImpact {
    pub epoch: u64,
    pub credited_tokens: u64,
    #[serde(with = "crate::serde_u256")]
    pub earned: U256,
    #[serde(with = "crate::serde_u256")]
    pub cumulative: U256,
    /// The epoch's tree against the chain's accepted root.
    pub on_chain: TreeCheck,
}

/// The whole picture for one account.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Impact {
    pub account: Address,
    pub contributions: Vec<ContributionImpact>,
    pub epochs: Vec<EpochImpact>,
    #[serde(with = "crate::serde_u256")]
    pub claimed: U256,
    /// What the latest verified tree grants beyond what was claimed.
    #[serde(with = "crate::serde_u256")]
    pub claimable: U256,
}

impl Session {
    /// The impact of `account` from its `Contributed` events and the epoch folders under
    /// `epochs_dir` (one folder per epoch, as `attribute --out` writes them).
    pub async fn impact(&self, account: Address, epochs_dir: &Path) -> Result<Impact, ClientError> {
        let mut dirs: Vec<(u64, std::path::PathBuf)> = Vec::new();
        if epochs_dir.is_dir() {
            for entry in
                std::fs::read_dir(epochs_dir).map_err(|e| ClientError::file(epochs_dir, e))?
            {
                let path = entry.map_err(|e| ClientError::file(epochs_dir, e))?.path();
                if let Ok(file) = read_epoch_file(&path) {
                    dirs.push((file.epoch(), path));
                }
            }
        }
        dirs.sort();
        let mut epochs = Vec::with_capacity(dirs.len());
        for (n, dir) in &dirs {
            let (report, _) = read_report(dir)?;
            epochs.push((*n, report, read_tree(dir)?));
        }
        self.impact_of(account, &epochs).await
    }

    /// The impact of `account` from its `Contributed` events and the reports published for every
    /// accepted epoch (each fetched at its on-chain `reportURI` and checked against the on-chain
    /// report hash and root; see [`crate::rewards::published_epoch`]): no local folder needed.
    pub async fn impact_published(
        &self,
        account: Address,
        fetcher: &Fetcher,
    ) -> Result<Impact, PublishedEpochError> {
        let current = self.current_epoch().await?;
        let mut epochs = Vec::new();
        for n in 1..=current {
            let p = published_epoch(self, fetcher, n).await?;
            epochs.push((n, p.report, p.tree));
        }
        Ok(self.impact_of(account, &epochs).await?)
    }

    /// The impact of `account` over `epochs` (number, report, tree), sorted by number.
    async fn impact_of(
        &self,
        account: Address,
        epochs_read: &[(u64, AttributionReport, RewardTree)],
    ) -> Result<Impact, ClientError> {
        let latest = self.client.latest_block().await?;
        let filter = Filter::new()
            .address(self.deployment.datanet_registry)
            .topic3(account.into_word());
        let events = self
            .client
            .events::<Contributed>(filter, self.deployment.deployment_block, latest)
            .await?;
        let mut ids: Vec<B256> = Vec::new();
        let mut uris: BTreeMap<B256, String> = BTreeMap::new();
        for (e, _) in &events {
            let id = Session::contribution_id(
                u64::try_from(e.datanetId).unwrap_or(u64::MAX),
                e.contentHash,
            );
            if !ids.contains(&id) {
                ids.push(id);
            }
            uris.insert(id, e.uri.clone());
        }
        let records: Vec<ContributionInfo> = self.contributions(&ids).await?;

        let current = self.current_epoch().await?;
        let pool = self.pool();
        let mut credits: BTreeMap<B256, (u64, U256)> = BTreeMap::new();
        let mut epochs = Vec::new();
        let mut accepted_cumulative = U256::ZERO;
        for (n, report, tree) in epochs_read {
            let mut credited = 0u64;
            for inference in &report.inferences {
                for c in inference
                    .credits
                    .iter()
                    .filter(|c| c.contributor == account)
                {
                    credited += c.credit;
                    let entry = credits.entry(c.contribution_id).or_default();
                    entry.0 += c.credit;
                    entry.1 += c.amount;
                }
            }
            let earned = report
                .accounts
                .iter()
                .find(|a| a.account == account)
                .map(|a| a.epoch_amount)
                .unwrap_or_default();
            let cumulative = tree.amount_of(account).unwrap_or_default();
            let check = if *n <= current {
                let record = pool
                    .epochRecord(U256::from(*n))
                    .call()
                    .await
                    .map_err(|e| self.client.call_error("epochRecord", e))?;
                if record.rewardsRoot == tree.root() {
                    accepted_cumulative = cumulative;
                    TreeCheck::Verified
                } else {
                    TreeCheck::Mismatch
                }
            } else {
                TreeCheck::NotAcceptedYet
            };
            epochs.push(EpochImpact {
                epoch: *n,
                credited_tokens: credited,
                earned,
                cumulative,
                on_chain: check,
            });
        }
        let claimed = self.claimed(account).await?;
        // Only the contributions the account still holds: one an earlier committer took over
        // (`Displaced`) or another account registered again after a reject is theirs now.
        let contributions = records
            .into_iter()
            .filter(|r| r.contributor == account)
            .map(|r| {
                let (credited_tokens, earned) =
                    credits.get(&r.contribution_id).copied().unwrap_or_default();
                ContributionImpact {
                    contribution_id: r.contribution_id,
                    datanet_id: r.datanet_id,
                    status: r.status,
                    uri: uris.get(&r.contribution_id).cloned().unwrap_or_default(),
                    credited_tokens,
                    earned,
                }
            })
            .collect();
        Ok(Impact {
            account,
            contributions,
            epochs,
            claimed,
            claimable: accepted_cumulative.saturating_sub(claimed),
        })
    }
}
