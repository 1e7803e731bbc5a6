//! Datanet's Proof of Attribution engine and reward tree.
//!
//! A pure library: data in, report and tree out. It never talks to a chain; the
//! CLI reads contributions, models and payments from events and hands them over.
//!
//! # The attribution rule
//!
//! For every paid inference of an epoch (see [`compute_epoch`]), numbered as
//! the steps of DESIGN's "Proof of Attribution":
//!
//! 1. **Corpus.** The model's corpus is the accepted, non-retired
//!    contributions of its datanets registered (revealed, `Contributed` event
//!    block) at or before the model's **data cutoff in force when the output
//!    was paid**: among the model's cutoffs set in a block `<=` the payment's
//!    block, the latest ([`Model::cutoff_at`]). Registration sets the first
//!    cutoff (the registration block), so a model has one from its first
//!    payment on; a payment with none is an input error
//!    ([`AttributionError::NoDataCutoff`]), never a silent default. Data
//!    registered after a model learned, such as its own published outputs fed
//!    back as "data", earns nothing. Contributions are ordered by
//!    **originality = commit order** ([`CommitOrder`]: block and log index of
//!    the commitment's `Committed` event, then the index in the reveal; ties,
//!    which the chain never produces, by contribution id). Each is followed
//!    by its own separator, so no window crosses from one contribution into
//!    another ([`CorpusIndex`]).
//! 2. **Tokens** ([`tokenize()`]): Unicode NFC, then lowercase, then maximal
//!    runs of alphanumeric characters; for outputs and corpus alike.
//! 3. **Outputs.** `keccak256(output bytes)` must equal the paid
//!    `inferenceId`. An inference whose output is missing is listed in the
//!    report as `unpublished`, one whose output hashes differently as
//!    `mismatched`; either way its contributor share stays unallocated and the
//!    epoch goes on. Published files the attestors could not read when they
//!    computed the epoch are not among the inputs at all and are listed in the
//!    report ([`SkippedSource`]).
//! 4. **Originality per token.** For every window of `min_span` consecutive
//!    output tokens (default 8), its origin is the earliest contribution of the
//!    corpus containing it. Each output token is credited to the earliest
//!    origin among the windows that cover it; a token covered by no window
//!    with an origin is credited to nobody. So a later copy of existing data
//!    earns nothing, and extending a copied passage with words of one's own
//!    earns only the tokens no earlier contribution covers. The report lists,
//!    per inference, the credited tokens as runs of consecutive tokens with
//!    the same contribution ([`WindowOrigins`] computes this with the suffix
//!    array: see its module).
//! 5. **Allocation.** With `c_j` the number of tokens credited to contribution
//!    `j` and `C = Σ c_j`, the inference's contributor share `S` is divided by
//!    the largest-remainder method ([`largest_remainder`]): `floor(S·c_j/C)`
//!    each, then +1 to the `S − Σ floor` contributions with the largest
//!    `S·c_j mod C`, ties to the earlier contribution. An inference without
//!    credited tokens leaves `S` unallocated.
//! 6. **Cumulative amounts.** Per-account sums are added to the previous
//!    epoch's cumulative amounts; accounts with a positive amount form the
//!    [`RewardTree`], byte-identical to OpenZeppelin's `StandardMerkleTree`.
//!    Its root, the report's hash and the cumulative total are what attestors
//!    sign as a [`SignedEpoch`].
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
//! use datanet_attribution::{
//!     compute_epoch, CommitOrder, Contribution, EpochInput, EpochParams, Inference, Model,
//! };
//!
//! let alice = Contribution {
//!     contribution_id: B256::with_last_byte(1),
//!     contributor: Address::with_last_byte(0xa1),
//!     datanet_id: 7,
//!     order: CommitOrder::new(10, 0, 0), // committed in block 10, first log, first item
//!     registered_block: 12,              // revealed in block 12
//!     text: "the quick brown fox jumps over the lazy dog".into(),
//! };
//! // Bob copies Alice's sentence and adds words of his own, later.
//! let bob = Contribution {
//!     contribution_id: B256::with_last_byte(2),
//!     contributor: Address::with_last_byte(0xb0),
//!     order: CommitOrder::new(20, 3, 0),
//!     registered_block: 22,
//!     text: "the quick brown fox jumps over the lazy dog and runs far away".into(),
//!     ..alice.clone()
//! };
//! // Model 3 learns from datanet 7; registered at block 30 (cutoff 30).
//! let models = BTreeMap::from([(3, Model::new(vec![7], 30, 30))]);
//! let output = "Well: the QUICK brown fox jumps over the lazy dog and runs far away!";
//! let input = EpochInput {
//!     params: EpochParams { epoch: 1, chain_id: 31337, from_block: 31, to_block: 100, ..Default::default() },
//!     contributions: vec![alice, bob],
//!     models,
//!     inferences: vec![Inference::new(3, U256::from(1000), output, 50, 0)],
//!     previous: BTreeMap::new(),
//! };
//! let outcome = compute_epoch(&input)?;
//! let inference = &outcome.report.inferences[0];
//! // Tokens 1..10 ("the quick … dog") are Alice's: every window inside them
//! // is in her earlier file. Tokens 10..14 ("and runs far away") only Bob has.
//! let runs: Vec<_> = inference.spans.iter().map(|s| (s.start, s.end, s.contribution_id)).collect();
//! assert_eq!(runs, [(1, 10, B256::with_last_byte(1)), (10, 14, B256::with_last_byte(2))]);
//! assert_eq!((inference.credits[0].credit, inference.credits[1].credit), (9, 4));
//! assert_eq!(outcome.cumulative[&Address::with_last_byte(0xa1)], U256::from(692)); // 1000 · 9/13
//! assert_eq!(outcome.cumulative[&Address::with_last_byte(0xb0)], U256::from(308));
//! let report_bytes = outcome.report.to_canonical_json(); // the file; its keccak256 is reportHash
//! let tree_json = outcome.tree.as_ref().expect("someone earned").to_json(); // StandardMerkleTree dump
//! let epoch = outcome.report.signed_epoch(0, "ipfs://…/report.json").expect("a root");
//! let digest = epoch.signing_hash(31337, Address::with_last_byte(0xaa)); // what attestors sign
//! # let _ = (report_bytes, tree_json, digest);
//! # Ok::<(), datanet_attribution::AttributionError>(())
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod allocation;
pub mod corpus;
pub mod epoch;
pub mod error;
mod gram_filter;
pub mod originality;
pub mod report;
pub mod reward_tree;
pub mod signed_epoch;
pub mod tokenize;

pub use allocation::largest_remainder;
pub use corpus::{CommitOrder, Contribution, CorpusIndex, DocumentInfo, Span};
pub use epoch::{compute_epoch, DataCutoff, EpochInput, EpochOutcome, Inference, Model};
pub use error::{AttributionError, RewardTreeError};
pub use originality::WindowOrigins;
pub use report::{
    AccountReward, AttributionReport, CorpusAtCutoff, CreditRecord, EpochParams,
    InferenceAttribution, ModelCorpus, SkippedSource, SourceKind, SpanRecord, Totals,
    UnattributedInference, REPORT_FORMAT,
};
pub use reward_tree::{leaf_hash, node_hash, RewardLeaf, RewardTree, StandardTreeDump};
pub use signed_epoch::{epoch_domain, SignedEpoch, EPOCH_DOMAIN_NAME, EPOCH_DOMAIN_VERSION};
pub use tokenize::tokenize;
