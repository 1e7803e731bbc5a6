//! Typed errors of the attribution engine and the reward tree.

use alloy_primitives::{Address, B256};

/// Why an epoch, a corpus or a report could not be computed or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttributionError {
    /// A contribution's content does not hash to its on-chain content hash.
    #[error("contribution {contribution_id}: content hashes to {computed}, expected {expected}")]
    ContentHashMismatch {
        /// The contribution whose file was refused.
        contribution_id: B256,
        /// The content hash registered on chain.
        expected: B256,
        /// keccak256 of the supplied bytes.
        computed: B256,
    },
    /// An inference pays for a model that the input does not describe.
    #[error("inference {inference_id} pays model {model_id}, which is not in the input")]
    UnknownModel {
        /// The inference.
        inference_id: B256,
        /// Its model.
        model_id: u64,
    },
    /// A payment's model had no data cutoff set at or before the payment's
    /// block. On chain registration sets one, so the input lacks the model's
    /// `DataCutoffSet` events.
    #[error(
        "inference {inference_id} pays model {model_id} at block {block_number}, before any data cutoff of that model"
    )]
    NoDataCutoff {
        /// The inference.
        inference_id: B256,
        /// Its model.
        model_id: u64,
        /// Block of the payment.
        block_number: u64,
    },
    /// The same contribution id appears twice in a corpus.
    #[error("contribution {0} appears more than once")]
    DuplicateContribution(B256),
    /// Two payments share the same (block, log index) position.
    #[error("two payments at block {block_number}, log index {log_index}")]
    DuplicatePayment {
        /// Block of the payment event.
        block_number: u64,
        /// Log index of the payment event.
        log_index: u64,
    },
    /// A payment lies outside the epoch's block range.
    #[error(
        "inference {inference_id} was paid at block {block_number}, outside the epoch's blocks {from_block}..={to_block}"
    )]
    PaymentOutsideEpoch {
        /// The inference.
        inference_id: B256,
        /// Block of the payment.
        block_number: u64,
        /// First block of the epoch.
        from_block: u64,
        /// Last block of the epoch.
        to_block: u64,
    },
    /// The epoch's block range is empty (`from_block > to_block`).
    #[error("epoch block range is empty: from {from_block} to {to_block}")]
    EmptyBlockRange {
        /// First block.
        from_block: u64,
        /// Last block.
        to_block: u64,
    },
    /// `min_span` must be at least one token.
    #[error("minimum span must be at least 1 token, got {0}")]
    InvalidMinSpan(u32),
    /// The corpus has more tokens than a 32-bit suffix array can index.
    #[error("corpus of {tokens} tokens (with separators) is too large to index")]
    CorpusTooLarge {
        /// Number of tokens plus separators.
        tokens: usize,
    },
    /// The suffix-array library reported a failure.
    #[error("suffix array construction failed: {0}")]
    SuffixArray(String),
    /// A sum exceeded 2^256 − 1.
    #[error("arithmetic overflow while computing {0}")]
    Overflow(&'static str),
    /// A report could not be parsed or is not canonical.
    #[error("invalid attribution report: {0}")]
    InvalidReport(String),
    /// Building the reward tree failed.
    #[error(transparent)]
    RewardTree(#[from] RewardTreeError),
}

/// Why a reward tree could not be built, loaded or queried.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RewardTreeError {
    /// A Merkle tree needs at least one leaf.
    #[error("a reward tree needs at least one account")]
    Empty,
    /// An account appears twice among the values.
    #[error("account {0} appears more than once")]
    DuplicateAccount(Address),
    /// The dump's `format` is not `standard-v1`.
    #[error("unknown tree format {0:?}, expected \"standard-v1\"")]
    UnknownFormat(String),
    /// The dump's leaf encoding is not `["address","uint256"]`.
    #[error("unsupported leaf encoding {0:?}, expected [\"address\", \"uint256\"]")]
    UnsupportedLeafEncoding(Vec<String>),
    /// A value of the dump could not be read.
    #[error("value {index}: {reason}")]
    InvalidValue {
        /// Position in `values`.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// The tree array is not a valid Merkle tree.
    #[error("merkle tree is invalid: {0}")]
    InvalidTree(String),
    /// A value index is past the end of `values`.
    #[error("value index {index} out of bounds ({len} values)")]
    IndexOutOfBounds {
        /// Requested index.
        index: usize,
        /// Number of values.
        len: usize,
    },
    /// The account has no leaf in this tree.
    #[error("account {0} is not in the tree")]
    AccountNotFound(Address),
    /// JSON (de)serialization failed.
    #[error("tree JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Writing the dump failed.
    #[error("writing tree JSON: {0}")]
    Io(#[from] std::io::Error),
}
