//! The pool's governance and money-out operations: the guardian's veto and bounded pause, the
//! delayed two-step replacement of the guardian and of the attestor set, and the model owner's
//! withdrawal of its credited share.

use crate::{session::event, ClientError, Session};
use alloy::{
    primitives::{Address, B256, U256},
    rpc::types::TransactionReceipt,
};
use datanet_bindings::AttributionPool;
use serde::Serialize;

/// The pool's state, as `datanet pool show` prints it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolState {
    pub owner: Address,
    pub guardian: Address,
    /// Proposed guardian and when it can be accepted (unix seconds), if any.
    pub pending_guardian: Option<(Address, u64)>,
    pub attestors: Vec<Address>,
    pub threshold: u8,
    /// Proposed attestor set, threshold, and when it can be accepted, if any.
    pub pending_attestors: Option<(Vec<Address>, u8, u64)>,
    pub challenge_period: u64,
    pub proposal_nonce: u64,
    pub current_epoch: u64,
    pub rewards_root: B256,
    /// Pending epoch number, root and when it can be accepted, if any.
    pub pending_epoch: Option<(u64, B256, u64)>,
    pub paused: bool,
    /// Unix time the current (or last) pause ends.
    pub paused_until: u64,
    #[serde(with = "crate::serde_u256")]
    pub total_allocated: U256,
    #[serde(with = "crate::serde_u256")]
    pub total_claimed: U256,
    #[serde(with = "crate::serde_u256")]
    pub contributors_received: U256,
}

macro_rules! read {
    ($session:expr, $name:literal, $call:expr) => {
        $call
            .call()
            .await
            .map_err(|e| $session.client.call_error($name, e))?
    };
}

impl Session {
    /// Reads the pool's roles, epochs, pause and totals.
    pub async fn pool_state(&self) -> Result<PoolState, ClientError> {
        let pool = self.pool();
        let pending_guardian = read!(self, "pendingGuardian", pool.pendingGuardian());
        let pending_attestors = read!(self, "pendingAttestors", pool.pendingAttestors());
        let pending_epoch = read!(self, "pendingEpoch", pool.pendingEpoch());
        Ok(PoolState {
            owner: read!(self, "owner", pool.owner()),
            guardian: read!(self, "guardian", pool.guardian()),
            pending_guardian: (pending_guardian._0 != Address::ZERO)
                .then_some((pending_guardian._0, pending_guardian._1)),
            attestors: read!(self, "attestors", pool.attestors()),
            threshold: read!(self, "threshold", pool.threshold()),
            pending_attestors: (pending_attestors.validAt != 0).then_some((
                pending_attestors.attestors,
                pending_attestors.threshold,
                pending_attestors.validAt,
            )),
            challenge_period: read!(self, "challengePeriod", pool.challengePeriod()),
            proposal_nonce: read!(self, "proposalNonce", pool.proposalNonce()),
            current_epoch: u64::try_from(read!(self, "currentEpoch", pool.currentEpoch()))
                .unwrap_or(u64::MAX),
            rewards_root: read!(self, "rewardsRoot", pool.rewardsRoot()),
            pending_epoch: (pending_epoch.validAt != 0).then_some((
                pending_epoch.epoch,
                pending_epoch.rewardsRoot,
                pending_epoch.validAt,
            )),
            paused: read!(self, "paused", pool.paused()),
            paused_until: u64::try_from(read!(self, "pausedUntil", pool.pausedUntil()))
                .unwrap_or(u64::MAX),
            total_allocated: read!(self, "totalAllocated", pool.totalAllocated()),
            total_claimed: read!(self, "totalClaimed", pool.totalClaimed()),
            contributors_received: read!(self, "contributorsReceived", pool.contributorsReceived()),
        })
    }

    /// Vetoes the pending epoch (guardian). The proposal nonce advances: the vetoed proposal can
    /// never be replayed. Returns the vetoed epoch and root.
    pub async fn veto_epoch(&self) -> Result<(u64, B256, TransactionReceipt), ClientError> {
        let tx = self.pool().vetoEpoch().into_transaction_request();
        let receipt = self.client.send("vetoEpoch", tx).await?;
        let e = event::<AttributionPool::EpochVetoed>(&receipt, "vetoEpoch")?;
        Ok((
            u64::try_from(e.epoch).unwrap_or(u64::MAX),
            e.rewardsRoot,
            receipt,
        ))
    }

    /// Pauses payments, claims and owner withdrawals (guardian), for at most the pool's maximum
    /// pause; returns when the pause ends.
    pub async fn pause(&self) -> Result<(u64, TransactionReceipt), ClientError> {
        let tx = self.pool().pause().into_transaction_request();
        let receipt = self.client.send("pause", tx).await?;
        let e = event::<AttributionPool::Paused>(&receipt, "pause")?;
        Ok((u64::try_from(e.until).unwrap_or(u64::MAX), receipt))
    }

    /// Ends the pause now (guardian).
    pub async fn unpause(&self) -> Result<TransactionReceipt, ClientError> {
        let tx = self.pool().unpause().into_transaction_request();
        self.client.send("unpause", tx).await
    }

    /// Proposes a new guardian (owner); it can be accepted after the challenge period. Returns
    /// when.
    pub async fn propose_guardian(
        &self,
        guardian: Address,
    ) -> Result<(u64, TransactionReceipt), ClientError> {
        let tx = self
            .pool()
            .proposeGuardian(guardian)
            .into_transaction_request();
        let receipt = self.client.send("proposeGuardian", tx).await?;
        let e = event::<AttributionPool::GuardianProposed>(&receipt, "proposeGuardian")?;
        Ok((u64::try_from(e.validAt).unwrap_or(u64::MAX), receipt))
    }

    /// Makes the proposed guardian the guardian (anyone, once its delay passed).
    pub async fn accept_guardian(&self) -> Result<(Address, TransactionReceipt), ClientError> {
        let tx = self.pool().acceptGuardian().into_transaction_request();
        let receipt = self.client.send("acceptGuardian", tx).await?;
        let e = event::<AttributionPool::GuardianChanged>(&receipt, "acceptGuardian")?;
        Ok((e.guardian, receipt))
    }

    /// Withdraws the guardian proposal (owner).
    pub async fn cancel_guardian(&self) -> Result<TransactionReceipt, ClientError> {
        let tx = self.pool().cancelGuardian().into_transaction_request();
        self.client.send("cancelGuardian", tx).await
    }

    /// Proposes a new attestor set and threshold (owner); it can be accepted after the challenge
    /// period. Returns when.
    pub async fn propose_attestors(
        &self,
        attestors: &[Address],
        threshold: u8,
    ) -> Result<(u64, TransactionReceipt), ClientError> {
        let tx = self
            .pool()
            .proposeAttestors(attestors.to_vec(), threshold)
            .into_transaction_request();
        let receipt = self.client.send("proposeAttestors", tx).await?;
        let e = event::<AttributionPool::AttestorsProposed>(&receipt, "proposeAttestors")?;
        Ok((u64::try_from(e.validAt).unwrap_or(u64::MAX), receipt))
    }

    /// Makes the proposed attestor set current (owner, once its delay passed). The proposal nonce
    /// advances and a pending epoch is discarded: signatures of the outgoing set stop counting.
    pub async fn accept_attestors(&self) -> Result<TransactionReceipt, ClientError> {
        let tx = self.pool().acceptAttestors().into_transaction_request();
        self.client.send("acceptAttestors", tx).await
    }

    /// Cancels the attestor proposal (guardian).
    pub async fn cancel_attestors(&self) -> Result<TransactionReceipt, ClientError> {
        let tx = self.pool().cancelAttestors().into_transaction_request();
        self.client.send("cancelAttestors", tx).await
    }

    /// Withdraws the sender's credited model-owner share to `to` (default: the sender); returns the
    /// amount.
    pub async fn withdraw_owner_share(
        &self,
        to: Option<Address>,
    ) -> Result<(U256, TransactionReceipt), ClientError> {
        let to = match to {
            Some(to) => to,
            None => self.client.sender()?,
        };
        let tx = self
            .pool()
            .withdrawOwnerShare(to)
            .into_transaction_request();
        let receipt = self.client.send("withdrawOwnerShare", tx).await?;
        let e = event::<AttributionPool::OwnerShareWithdrawn>(&receipt, "withdrawOwnerShare")?;
        Ok((e.amount, receipt))
    }
}
