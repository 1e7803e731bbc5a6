//! A datanet's contributions, read from chain data alone: what its curators have to review, and
//! what anyone can audit.
//!
//! The registry keeps no list of a datanet's contributions, only one record per id. The ids come
//! from the datanet's `Contributed` events (`id = keccak256(abi.encode(datanetId, contentHash))`,
//! [`Session::contribution_id`]), read through the paged log scanner; the record of each id is then
//! read in batches (`getContributions`). An id can be registered more than once — a pending
//! contribution displaced by an earlier commitment to the same content, a rejected one contributed
//! again — and its latest registration is the one its record describes, URI included.

use crate::{
    session::{ContributionInfo, Status},
    ClientError, Session,
};
use alloy::{
    primitives::{Address, B256, U256},
    rpc::types::Filter,
};
use datanet_bindings::DatanetRegistry::Contributed;
use serde::Serialize;
use std::collections::HashMap;

/// Which contributions a listing keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContributionFilter {
    /// Only contributions in this status; `None` keeps every status.
    pub status: Option<Status>,
    /// Only contributions whose current contributor is this account (a contributor displaced by an
    /// earlier commitment no longer counts).
    pub contributor: Option<Address>,
}

impl ContributionFilter {
    /// What a curator reviews: every pending contribution.
    pub fn pending() -> Self {
        Self {
            status: Some(Status::Pending),
            contributor: None,
        }
    }

    fn keeps(&self, record: &ContributionInfo) -> bool {
        self.status.is_none_or(|s| s == record.status)
            && self.contributor.is_none_or(|a| a == record.contributor)
    }
}

/// One contribution of a datanet: its current record and the registration that made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatanetContribution {
    pub contribution_id: B256,
    pub content_hash: B256,
    pub contributor: Address,
    pub status: Status,
    /// Reveal time (unix seconds).
    pub submitted_at: u64,
    /// Commit time (unix seconds).
    pub committed_at: u64,
    /// Pending only: the last second a curator may `review` it (`submittedAt + reviewPeriod`).
    pub review_until: Option<u64>,
    /// Pending only: anyone may `finalize` it (as accepted) once the chain's time is past this.
    pub finalizable_after: Option<u64>,
    /// Where the contributor published the file (its latest registration's URI).
    pub uri: String,
}

/// A datanet's contributions at one point of the chain.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatanetContributions {
    pub datanet_id: u64,
    /// The latest block whose events were read.
    pub block: u64,
    /// The chain's time when read (the latest block's timestamp), to compare with `review_until`
    /// and `finalizable_after`.
    pub timestamp: u64,
    /// The filter's matches, by submission (reveal time, then chain order).
    pub contributions: Vec<DatanetContribution>,
}

/// Review deadlines of a contribution, as the registry computes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReviewWindow {
    /// `review` is accepted while `block.timestamp <= review_until`.
    pub review_until: u64,
    /// `finalize` is accepted once `block.timestamp > finalizable_after`: the review period is over,
    /// and no earlier commitment to the same content can still be revealed (the contribution's own
    /// commitment is older than the maximum commitment age).
    pub finalizable_after: u64,
}

impl ReviewWindow {
    /// The registry's `finalize` rule: after `max(submittedAt + reviewPeriod, committedAt +
    /// maxCommitmentAge)`.
    pub fn new(
        submitted_at: u64,
        committed_at: u64,
        review_period: u64,
        max_commitment_age: u64,
    ) -> Self {
        let review_until = submitted_at.saturating_add(review_period);
        let originality_end = committed_at.saturating_add(max_commitment_age);
        Self {
            review_until,
            finalizable_after: review_until.max(originality_end),
        }
    }
}

impl Session {
    /// The contributions of `datanet_id` that `filter` keeps, by submission: every `Contributed`
    /// event of the datanet from the deployment block to the latest block, the current record of
    /// each id (the latest registration wins), and for pending ones their review deadlines.
    ///
    /// Fails with [`ClientError::DatanetNotFound`] for a datanet that does not exist.
    pub async fn datanet_contributions(
        &self,
        datanet_id: u64,
        filter: ContributionFilter,
    ) -> Result<DatanetContributions, ClientError> {
        let registry = self.registry();
        let datanet = registry
            .getDatanet(U256::from(datanet_id))
            .call()
            .await
            .map_err(|e| self.client.call_error("getDatanet", e))?;
        if datanet.owner == Address::ZERO {
            return Err(ClientError::DatanetNotFound {
                datanet_id,
                count: self.datanet_count().await?,
            });
        }
        let (_, max_commitment_age) = self.commitment_ages().await?;
        let latest = self.client.latest_block().await?;
        let now = self.client.chain_clock().await?.timestamp;

        let mut events = Filter::new()
            .address(self.deployment.datanet_registry)
            .topic2(U256::from(datanet_id));
        // A record's contributor is the one of its latest registration, so the events of that
        // contributor hold every id it may currently own.
        if let Some(contributor) = filter.contributor {
            events = events.topic3(contributor.into_word());
        }
        let contributed = self
            .client
            .events::<Contributed>(events, self.deployment.deployment_block, latest)
            .await?;
        // Latest registration of each id, with its chain position for the order.
        let mut registrations: HashMap<B256, (usize, Contributed)> = HashMap::new();
        for (position, (event, _)) in contributed.into_iter().enumerate() {
            let id = Session::contribution_id(datanet_id, event.contentHash);
            registrations.insert(id, (position, event));
        }
        let mut ids: Vec<B256> = registrations.keys().copied().collect();
        ids.sort_by_key(|id| registrations.get(id).map(|(position, _)| *position));
        let records = self.contributions(&ids).await?;

        let review_period = u64::from(datanet.reviewPeriod);
        let mut contributions: Vec<(u64, usize, DatanetContribution)> = Vec::new();
        for record in records.into_iter().filter(|r| filter.keeps(r)) {
            let Some((position, event)) = registrations.remove(&record.contribution_id) else {
                continue;
            };
            let window = (record.status == Status::Pending).then(|| {
                ReviewWindow::new(
                    record.submitted_at,
                    record.committed_at,
                    review_period,
                    max_commitment_age,
                )
            });
            contributions.push((
                record.submitted_at,
                position,
                DatanetContribution {
                    contribution_id: record.contribution_id,
                    content_hash: event.contentHash,
                    contributor: record.contributor,
                    status: record.status,
                    submitted_at: record.submitted_at,
                    committed_at: record.committed_at,
                    review_until: window.map(|w| w.review_until),
                    finalizable_after: window.map(|w| w.finalizable_after),
                    uri: event.uri,
                },
            ));
        }
        contributions.sort_by_key(|(submitted_at, position, _)| (*submitted_at, *position));
        Ok(DatanetContributions {
            datanet_id,
            block: latest,
            timestamp: now,
            contributions: contributions.into_iter().map(|(_, _, c)| c).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finalize_waits_for_the_review_period_and_the_originality_window() {
        // Review period longer than the commitment window: the review period decides.
        let w = ReviewWindow::new(1_000, 990, 7 * 86_400, 86_400);
        assert_eq!(w.review_until, 1_000 + 7 * 86_400);
        assert_eq!(w.finalizable_after, 1_000 + 7 * 86_400);
        // A short review period: an earlier commitment may still be revealed until the
        // contribution's own commitment is a maximum age old.
        let w = ReviewWindow::new(1_000, 400, 3_600, 86_400);
        assert_eq!(w.review_until, 4_600);
        assert_eq!(w.finalizable_after, 400 + 86_400);
    }

    #[test]
    fn the_filter_keeps_a_status_and_a_current_contributor() {
        let record = ContributionInfo {
            contribution_id: B256::repeat_byte(1),
            contributor: Address::repeat_byte(2),
            datanet_id: 1,
            submitted_at: 10,
            committed_at: 9,
            status: Status::Rejected,
        };
        assert!(ContributionFilter::default().keeps(&record));
        assert!(!ContributionFilter::pending().keeps(&record));
        let rejected_by = |a: u8| ContributionFilter {
            status: Some(Status::Rejected),
            contributor: Some(Address::repeat_byte(a)),
        };
        assert!(rejected_by(2).keeps(&record));
        assert!(!rejected_by(3).keeps(&record));
    }
}
