//! Rewards of one account against a reward tree: what the tree grants, what was claimed, and the
//! claim itself (anyone may submit it; funds only go to the account).

use crate::{error::RewardsError, ClientError, Session};
use alloy::{
    primitives::{Address, B256, U256},
    rpc::types::TransactionReceipt,
};
use datanet_attribution::RewardTree;
use datanet_bindings::AttributionPool;

/// An account's standing against a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RewardPosition {
    pub account: Address,
    /// The tree's cumulative amount for the account (zero without a leaf).
    pub cumulative: U256,
    pub claimed: U256,
    pub tree_root: B256,
    /// Whether the tree's root is the pool's claimable root now.
    pub is_current_root: bool,
}

impl RewardPosition {
    /// What a claim with this tree would pay now.
    pub fn claimable(&self) -> U256 {
        if self.is_current_root {
            self.cumulative.saturating_sub(self.claimed)
        } else {
            U256::ZERO
        }
    }
}

/// A claim that went through.
#[derive(Clone, Debug)]
pub struct ClaimReceipt {
    /// What the pool paid (its `Claimed` event).
    pub amount: U256,
    /// The account's balance change.
    pub received: U256,
    pub cumulative: U256,
    pub receipt: TransactionReceipt,
}

impl Session {
    /// `account`'s position against `tree`.
    pub async fn reward_position(
        &self,
        tree: &RewardTree,
        account: Address,
    ) -> Result<RewardPosition, ClientError> {
        let root = self
            .pool()
            .rewardsRoot()
            .call()
            .await
            .map_err(|e| self.client.call_error("rewardsRoot", e))?;
        Ok(RewardPosition {
            account,
            cumulative: tree.amount_of(account).unwrap_or(U256::ZERO),
            claimed: self.claimed(account).await?,
            tree_root: tree.root(),
            is_current_root: root == tree.root(),
        })
    }

    /// Claims everything `tree` grants `account` beyond what it claimed. Refuses, without sending, a
    /// tree that is not the claimable root, an account without a leaf, and a claim of nothing.
    pub async fn claim_from_tree(
        &self,
        tree: &RewardTree,
        account: Address,
    ) -> Result<ClaimReceipt, ClientError> {
        let p = self.reward_position(tree, account).await?;
        if !p.is_current_root {
            return Err(RewardsError::NotCurrentRoot { root: p.tree_root }.into());
        }
        if tree.amount_of(account).is_none() {
            return Err(RewardsError::NotInTree { account }.into());
        }
        if p.claimable().is_zero() {
            return Err(RewardsError::NothingToClaim {
                account,
                claimed: self.amount(p.claimed).await?,
            }
            .into());
        }
        let proof = tree
            .get_proof_for(account)
            .map_err(|source| RewardsError::Proof {
                account,
                source: Box::new(source),
            })?;
        let before = self.balance(account).await?;
        let (amount, receipt) = self.claim(account, p.cumulative, proof).await?;
        let after = self.balance(account).await?;
        Ok(ClaimReceipt {
            amount,
            received: after.saturating_sub(before),
            cumulative: p.cumulative,
            receipt,
        })
    }

    /// Claims `account`'s cumulative amount with a proof; returns the amount paid.
    pub async fn claim(
        &self,
        account: Address,
        cumulative_amount: U256,
        proof: Vec<B256>,
    ) -> Result<(U256, TransactionReceipt), ClientError> {
        let call = "claim";
        let tx = self
            .pool()
            .claim(account, cumulative_amount, proof)
            .into_transaction_request();
        let receipt = self.client.send(call, tx).await?;
        let event = crate::session::event::<AttributionPool::Claimed>(&receipt, call)?;
        Ok((event.amount, receipt))
    }
}

/// Why the published report and tree of an epoch could not be had or trusted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublishedEpochError {
    /// The pool has accepted no epoch yet.
    #[error("the pool has accepted no epoch yet: no published reward tree to read")]
    NoEpochYet,
    /// The epoch asked for is beyond the current one (or zero).
    #[error("epoch {epoch} is not accepted (the pool's current epoch is {current}): no published reward tree yet")]
    NotAccepted { epoch: u64, current: u64 },
    /// The pool holds an accepted epoch but no `EpochProposed` event with its root was found.
    #[error("no EpochProposed event of epoch {epoch} with root {rewards_root} between blocks {from_block} and {to_block}: the report URI is unknown")]
    NoProposal {
        epoch: u64,
        rewards_root: B256,
        from_block: u64,
        to_block: u64,
    },
    /// The report could not be fetched, or it does not match the chain (hash or rebuilt root).
    #[error("epoch {epoch}: {source}")]
    Publication {
        epoch: u64,
        #[source]
        source: crate::publication::PublicationError,
    },
    /// The chain could not be read.
    #[error(transparent)]
    Client(#[from] ClientError),
}

impl PublishedEpochError {
    /// Whether the report is definitively unusable — the same answer for every reader (no epoch,
    /// no proposal, a 404, a hash or root that differs from the chain's; see
    /// [`crate::publication::PublicationError::is_definitive`]) — rather than unreadable for now
    /// (a network failure, a chain read that failed).
    pub fn is_definitive(&self) -> bool {
        match self {
            Self::NoEpochYet | Self::NotAccepted { .. } | Self::NoProposal { .. } => true,
            Self::Publication { source, .. } => source.is_definitive(),
            Self::Client(_) => false,
        }
    }
}

/// An accepted epoch as published: its report, the reward tree rebuilt from it (root checked against
/// the chain) and the URI it was read from.
#[derive(Clone, Debug)]
pub struct PublishedEpoch {
    pub epoch: u64,
    pub report: datanet_attribution::AttributionReport,
    pub tree: RewardTree,
    pub uri: String,
}

/// The accepted `epoch` read from nothing but the chain and its published report: the on-chain
/// record (root, report hash), the report URI from the latest `EpochProposed` of that epoch with that
/// root, the report fetched and checked against the report hash, and the tree rebuilt and checked
/// against the root.
pub async fn published_epoch(
    session: &Session,
    fetcher: &crate::publication::Fetcher,
    epoch: u64,
) -> Result<PublishedEpoch, PublishedEpochError> {
    use alloy::rpc::types::Filter;
    let pool = session.pool();
    let current = pool
        .currentEpoch()
        .call()
        .await
        .map_err(|e| session.client.call_error("currentEpoch", e))?;
    let current = u64::try_from(current).unwrap_or(u64::MAX);
    if epoch == 0 || epoch > current {
        return Err(PublishedEpochError::NotAccepted { epoch, current });
    }
    let record = pool
        .epochRecord(U256::from(epoch))
        .call()
        .await
        .map_err(|e| session.client.call_error("epochRecord", e))?;
    let from_block = session.deployment.deployment_block;
    let to_block = session.client.latest_block().await?;
    let filter = Filter::new()
        .address(session.deployment.attribution_pool)
        .topic1(B256::from(U256::from(epoch)))
        .topic2(record.rewardsRoot);
    let proposals = session
        .client
        .events::<AttributionPool::EpochProposed>(filter, from_block, to_block)
        .await?;
    let Some((proposed, _)) = proposals.into_iter().next_back() else {
        return Err(PublishedEpochError::NoProposal {
            epoch,
            rewards_root: record.rewardsRoot,
            from_block,
            to_block,
        });
    };
    let uri = proposed.reportURI;
    let (report, tree) = fetcher
        .fetch_report_tree(&uri, record.reportHash, record.rewardsRoot)
        .await
        .map_err(|source| PublishedEpochError::Publication { epoch, source })?;
    Ok(PublishedEpoch {
        epoch,
        report,
        tree,
        uri,
    })
}

/// The pool's current epoch as published (see [`published_epoch`]).
pub async fn published_current_epoch(
    session: &Session,
    fetcher: &crate::publication::Fetcher,
) -> Result<PublishedEpoch, PublishedEpochError> {
    let current = session
        .pool()
        .currentEpoch()
        .call()
        .await
        .map_err(|e| session.client.call_error("currentEpoch", e))?;
    let current = u64::try_from(current).unwrap_or(u64::MAX);
    if current == 0 {
        return Err(PublishedEpochError::NoEpochYet);
    }
    published_epoch(session, fetcher, current).await
}
