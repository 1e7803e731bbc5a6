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
