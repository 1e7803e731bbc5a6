//! Datanet's Proof of Attribution engine and reward tree.
//!
//! A pure library: data in, report and tree out. It never talks to a chain; the
//! CLI reads contributions, models and payments from events and hands them over.
//!
//! # The attribution rule
//!
//! For every paid inference of an epoch (see [`compute_epoch`]):
//!
//! 1. **Check.** `keccak256(output bytes)` must equal the paid `inferenceId`,
//!    else the epoch fails with [`AttributionError::InferenceIdMismatch`].
//! 2. **Tokenize** the output and the corpus ([`tokenize()`]): Unicode NFC, then
//!    lowercase, then maximal runs of alphanumeric characters.
//! 3. **Corpus.** The model's corpus is the contributions of its datanets,
//!    ordered by originality: `order` (on-chain registration order), then
//!    contribution id. Each contribution is followed by its own separator, so a
//!    match never crosses from one contribution into another ([`CorpusIndex`]).
//! 4. **Spans** (greedy, non-overlapping, left to right): at output token `i`,
//!    let `L` be the largest length with `output[i..i+L]` occurring in the
//!    corpus. If `L >= min_span` (default 8), record the span `[i, i+L)`, credit
//!    all `L` tokens to the *earliest* contribution containing the whole span,
//!    and continue at `i+L`; otherwise continue at `i+1`. A later copy of
//!    existing data therefore earns nothing.
//! 5. **Allocation.** With `c_j` the credit of contribution `j` and `C = Σ c_j`,
//!    the inference's contributor share `S` is divided by the largest-remainder
//!    method ([`largest_remainder`]): `floor(S·c_j/C)` each, then +1 to the
//!    `S − Σ floor` contributions with the largest `S·c_j mod C`, ties to the
//!    earlier contribution. An inference without spans leaves `S` unallocated.
//! 6. **Cumulative amounts.** Per-account sums are added to the previous
//!    epoch's cumulative amounts; accounts with a positive amount form the
//!    [`RewardTree`], byte-identical to OpenZeppelin's `StandardMerkleTree`.
//!
//! Everything is integer arithmetic and sorted iteration: the same input gives
//! the same [`AttributionReport`] bytes, hash, tree dump and root on any machine
//! built with the same Unicode tables.
//!
//! # Example
//!
//! ```
//! use std::collections::BTreeMap;
//! use alloy_primitives::{Address, B256, U256};
//! use datanet_attribution::{compute_epoch, Contribution, EpochInput, EpochParams, Inference};
//!
//! let poem = "the quick brown fox jumps over the lazy dog and runs far away";
//! let input = EpochInput {
//!     params: EpochParams { epoch: 1, chain_id: 31337, from_block: 1, to_block: 100, ..Default::default() },
//!     contributions: vec![Contribution {
//!         contribution_id: B256::with_last_byte(1),
//!         contributor: Address::with_last_byte(0xa1),
//!         datanet_id: 7,
//!         order: 1,
//!         text: poem.into(),
//!     }],
//!     models: BTreeMap::from([(3, vec![7])]), // model 3 is built from datanet 7
//!     inferences: vec![Inference::new(3, U256::from(1000), "Well: the QUICK brown fox jumps over the lazy dog!", 50, 0)],
//!     previous: BTreeMap::new(),
//! };
//! let outcome = compute_epoch(&input)?;
//! let spans = &outcome.report.inferences[0].spans;
//! assert_eq!((spans[0].start, spans[0].end), (1, 10)); // 9 tokens >= min_span 8
//! assert_eq!(outcome.cumulative[&Address::with_last_byte(0xa1)], U256::from(1000));
//! let report_bytes = outcome.report.to_canonical_json(); // the file; its keccak256 is reportHash
//! let tree_json = outcome.tree.expect("someone earned").to_json(); // StandardMerkleTree dump
//! # let _ = (report_bytes, tree_json);
//! # Ok::<(), datanet_attribution::AttributionError>(())
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod allocation;
pub mod corpus;
pub mod epoch;
pub mod error;
mod gram_filter;
pub mod report;
pub mod reward_tree;
pub mod tokenize;

pub use allocation::largest_remainder;
pub use corpus::{Contribution, CorpusIndex, DocumentInfo, Span};
pub use epoch::{compute_epoch, EpochInput, EpochOutcome, Inference};
pub use error::{AttributionError, RewardTreeError};
pub use report::{
    AccountReward, AttributionReport, CreditRecord, EpochParams, InferenceAttribution, ModelCorpus,
    SpanRecord, Totals, REPORT_FORMAT,
};
pub use reward_tree::{leaf_hash, node_hash, RewardLeaf, RewardTree, StandardTreeDump};
pub use tokenize::tokenize;
