//! Typed errors of the client library. Every variant carries the values a caller needs to act on it
//! (the call, the transaction, the path, the amounts) and, where there is one, the cause as
//! `#[source]`; messages name the problem and, where there is one, the fix.

use crate::token::{Amount, AmountError, Token};
use alloy::{
    primitives::{Address, B256, U256},
    transports::{RpcError, TransportErrorKind},
};
use std::path::PathBuf;

/// A transport or JSON-RPC failure, as alloy reports it.
pub type TransportError = RpcError<TransportErrorKind>;

/// What can go wrong talking to a Datanet deployment.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The RPC endpoint did not answer (after retries).
    #[error("cannot reach the RPC endpoint {url}; start a node (`datanet devnet`) or pass --rpc-url / ETH_RPC_URL")]
    Unreachable {
        url: String,
        #[source]
        source: TransportError,
    },
    /// The RPC URL does not parse.
    #[error("invalid RPC URL {url:?}")]
    InvalidRpcUrl {
        url: String,
        #[source]
        source: url::ParseError,
    },
    /// A JSON-RPC request failed (after retries) for another reason than a revert.
    #[error("{call} failed")]
    Rpc {
        call: String,
        #[source]
        source: TransportError,
    },
    /// The provider refused an `eth_getLogs` page even at a single block.
    #[error("{what} logs of blocks {from}..={to}: the provider refused the query even at its smallest range")]
    LogsRefused {
        what: String,
        from: u64,
        to: u64,
        #[source]
        source: TransportError,
    },
    /// A log or receipt did not decode as the event the bindings describe.
    #[error("{what}: a log does not decode as the expected event")]
    UndecodableLog {
        what: String,
        #[source]
        source: alloy::sol_types::Error,
    },
    /// A receipt lacks the event the call always emits.
    #[error("{call}: no {event} event in the receipt of {tx}")]
    MissingEvent {
        call: String,
        event: &'static str,
        tx: B256,
    },

    /// The deployment file of the connected chain is missing.
    #[error("no Datanet deployment for chain {chain_id}: expected {}; run `datanet deploy` or pass --deployments DIR", path.display())]
    NoDeployment { chain_id: u64, path: PathBuf },
    /// A deployment file exists but cannot be read.
    #[error("cannot read deployment file {}", path.display())]
    BadDeployment {
        path: PathBuf,
        #[source]
        source: FileError,
    },
    /// A deployment file for the chain exists and overwriting was not asked for.
    #[error("{} already exists; pass --force to overwrite it", path.display())]
    DeploymentExists { path: PathBuf },
    /// The deployment file describes another chain than the one connected to.
    #[error("deployment file is for chain {expected} but the RPC endpoint is chain {actual}; check --rpc-url")]
    WrongChain { expected: u64, actual: u64 },
    /// No contract code where the deployment file says a contract is.
    #[error("no contract code at {address} ({name}); the deployment file does not match this chain's state")]
    NoCode {
        name: &'static str,
        address: Address,
    },
    /// The deployment parameters are inconsistent.
    #[error("threshold {threshold} must be between 1 and the {attestors} attestor(s)")]
    BadThreshold { threshold: usize, attestors: usize },

    /// The operation needs a wallet and none was given.
    #[error(
        "this command sends transactions: pass --private-key, --keystore, --account or --mnemonic"
    )]
    NoWallet,
    /// The wallet could not be opened or could not sign.
    #[error(transparent)]
    Wallet(#[from] WalletError),

    /// A call or transaction reverted; the revert data decoded against the Datanet ABIs.
    #[error("{call} reverted: {reason}")]
    Reverted {
        call: String,
        /// The decoded custom error with its values and NatSpec notice, or the raw data.
        reason: String,
        /// The raw revert data.
        data: alloy::primitives::Bytes,
    },
    /// The node refused the transaction before it was mined (funds, nonce, fees).
    #[error("{call}: the node refused the transaction")]
    Rejected {
        call: String,
        #[source]
        source: TransportError,
    },
    /// The transaction was mined but failed.
    #[error("{call}: transaction {tx} failed on chain")]
    TransactionFailed { call: String, tx: B256 },
    /// No receipt arrived in time. The transaction may still be mined: re-running is safe.
    #[error("{call}: no receipt for transaction {tx} after {waited_secs}s; it may still be mined: check it (`cast receipt {tx}`) before sending again (a re-run of contribute or pay waits for it and skips what is done)")]
    ReceiptTimeout {
        call: String,
        tx: B256,
        waited_secs: u64,
    },
    /// Another transaction took the nonce of ours (replaced or sent by another process).
    #[error("{call}: nonce {nonce} of {sender} was used by another transaction than {tx}; re-run")]
    NonceTaken {
        call: String,
        sender: Address,
        nonce: u64,
        tx: B256,
    },
    /// Transactions of the sender sent earlier are still waiting to be mined.
    #[error("{count} earlier transaction(s) of {sender} are still pending; wait until they are mined, then re-run")]
    PendingTransactions { sender: Address, count: u64 },

    /// Not enough tokens.
    #[error("insufficient balance for {purpose}: {account} has {}, needs {}", token.amount(*balance), token.amount(*needed))]
    InsufficientBalance {
        purpose: &'static str,
        account: Address,
        /// In base units of `token`.
        balance: U256,
        needed: U256,
        token: Box<Token>,
    },
    /// An amount typed by the user does not parse in the token's units.
    #[error(transparent)]
    Amount(#[from] AmountError),

    /// The datanet does not exist.
    #[error("datanet {datanet_id} does not exist (datanets run from 1 to {count})")]
    DatanetNotFound { datanet_id: u64, count: u64 },
    /// The model does not exist.
    #[error("model {model_id} does not exist (models run from 1 to {count})")]
    ModelNotFound { model_id: u64, count: u64 },
    /// An output's amount does not parse.
    #[error("output {line}: {source}")]
    OutputAmount {
        line: usize,
        #[source]
        source: AmountError,
    },
    /// An output names no amount and no default was given.
    #[error("no amount for output {line}: pass --amount")]
    MissingAmount { line: usize },
    /// A payment of zero.
    #[error("output {line} has amount 0; payments must be positive")]
    ZeroPayment { line: usize },
    /// A batch size of zero.
    #[error("the batch size must be at least 1")]
    ZeroBatch,

    /// Epochs: computing, signing, proposing, verifying.
    #[error(transparent)]
    Epoch(#[from] EpochError),
    /// Rewards: the tree and the chain disagree, or nothing to claim.
    #[error(transparent)]
    Rewards(#[from] RewardsError),

    /// A local file could not be read or written.
    #[error("{}", path.display())]
    File {
        path: PathBuf,
        #[source]
        source: FileError,
    },
}

/// Why a local file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not UTF-8 text")]
    NotUtf8,
    #[error("line {line}: {reason}")]
    Line { line: usize, reason: String },
    #[error("empty: {0}")]
    Empty(&'static str),
    #[error("not a reward tree: {0}")]
    Tree(#[source] Box<datanet_attribution::RewardTreeError>),
    #[error("not an attribution report: {0}")]
    Report(#[source] Box<datanet_attribution::AttributionError>),
}

impl ClientError {
    /// A local file error on `path`.
    pub fn file(path: impl Into<PathBuf>, source: impl Into<FileError>) -> Self {
        Self::File {
            path: path.into(),
            source: source.into(),
        }
    }

    /// Whether this is a revert whose decoded reason names `error` (e.g. `"DuplicateContribution"`).
    pub fn is_revert(&self, error: &str) -> bool {
        matches!(self, Self::Reverted { reason, .. } if reason.starts_with(error))
    }
}

/// Why a wallet could not be opened. Messages never contain key material or passwords.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    #[error("--private-key is not a valid 32-byte hex private key")]
    InvalidPrivateKey,
    #[error("--mnemonic is not a valid BIP-39 phrase")]
    InvalidMnemonic,
    #[error("no keystore account {name:?} at {}; create it with `cast wallet import {name} --interactive`", path.display())]
    AccountNotFound { name: String, path: PathBuf },
    #[error("no keystore at {}", path.display())]
    KeystoreNotFound { path: PathBuf },
    #[error("keystore folder {} holds {count} files; pass the file itself", path.display())]
    KeystoreFolder { path: PathBuf, count: usize },
    #[error("wrong password for keystore {}", path.display())]
    WrongPassword { path: PathBuf },
    #[error("cannot open keystore {}", path.display())]
    Keystore {
        path: PathBuf,
        #[source]
        source: alloy::signers::local::LocalSignerError,
    },
    #[error("cannot read --password-file {}", path.display())]
    PasswordFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("keystore {} needs a password: pass --password-file or set ETH_PASSWORD", path.display())]
    PasswordRequired { path: PathBuf },
    #[error("cannot read the password")]
    PasswordPrompt(#[source] std::io::Error),
    #[error("signing failed")]
    Signing(#[source] alloy::signers::Error),
}

/// What can go wrong building, signing, proposing or verifying an epoch.
#[derive(Debug, thiserror::Error)]
pub enum EpochError {
    #[error("epochs are numbered from 1")]
    ZeroEpoch,
    #[error("epoch {epoch} is already accepted on chain (current epoch {current}); attribute epoch {}", current + 1)]
    AlreadyAccepted { epoch: u64, current: u64 },
    #[error("previous epoch folder {} holds epoch {found}, not {expected}", dir.display())]
    PreviousMismatch {
        dir: PathBuf,
        found: u64,
        expected: u64,
    },
    #[error("{} does not match the root in its epoch file", path.display())]
    TreeRootMismatch { path: PathBuf },
    #[error("epoch {epoch} builds on epoch {}: pass --previous with that epoch's folder", epoch - 1)]
    PreviousMissing { epoch: u64 },
    #[error("--to-block {to_block} is beyond the latest block {latest}")]
    BeyondLatest { to_block: u64, latest: u64 },
    #[error(
        "epoch {epoch} would cover no blocks ({from_block}..={to_block}): wait for new payments"
    )]
    EmptyRange {
        epoch: u64,
        from_block: u64,
        to_block: u64,
    },
    #[error("{} corpus file(s) match no registered contribution (tampered or never contributed): {}", files.len(), files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    UnknownCorpusFiles { files: Vec<PathBuf> },
    #[error("the corpus folder lacks the file of {} accepted contribution(s) and fetching is off (offline): {}", contributions.len(), list(contributions))]
    MissingCorpusFiles { contributions: Vec<B256> },
    /// Files of accepted contributions could not be fetched by their URIs: the epoch cannot be
    /// attributed honestly without every one.
    #[error("{} accepted contribution file(s) could not be fetched by their on-chain URIs, and attribution needs every one (put a copy in the corpus folder, or try again later): {}", failures.len(), failures.iter().map(sync_failure).collect::<Vec<_>>().join("; "))]
    CorpusUnavailable {
        failures: Vec<crate::publication::SyncFailure>,
    },
    /// The corpus folder cannot be used as a cache of fetched files.
    #[error("the corpus folder")]
    Corpus(#[source] crate::publication::PublicationError),
    /// A published outputs file could not be read for now (not a definitive answer such as a 404):
    /// counting its outputs as unpublished would make this party disagree with one who can read it.
    #[error("outputs published at {uri} cannot be read now, and counting them as unpublished would make this report differ from that of anyone who can read them; try again later")]
    OutputsUnavailable {
        uri: String,
        #[source]
        source: Box<crate::publication::PublicationError>,
    },
    /// Something must be fetched but the caller asked for nothing to be.
    #[error("{what} must be fetched, but fetching is off (offline)")]
    Offline { what: &'static str },
    /// The previous epoch's published report could not be had or trusted.
    #[error("epoch {epoch} builds on epoch {}, whose published report cannot be used (or pass --previous with that epoch's folder)", epoch - 1)]
    PreviousUnavailable {
        epoch: u64,
        #[source]
        source: Box<crate::rewards::PublishedEpochError>,
    },
    /// The previous epoch's published report (whose hash the chain holds) describes another epoch.
    #[error("the report at {uri} is for epoch {epoch} of pool {pool} on chain {chain_id}, not for epoch {expected} of this deployment")]
    PreviousReportMismatch {
        uri: String,
        epoch: u64,
        chain_id: u64,
        pool: Address,
        expected: u64,
    },
    #[error("{}: not a usable contribution", path.display())]
    BadCorpusFile {
        path: PathBuf,
        #[source]
        source: Box<datanet_attribution::AttributionError>,
    },
    #[error("{} log output(s) match no inference paid in blocks {from_block}..={to_block} (tampered or unpaid): {}", outputs.len(), outputs.iter().map(|(line, id)| format!("line {line} ({id})")).collect::<Vec<_>>().join(", "))]
    StrayOutputs {
        from_block: u64,
        to_block: u64,
        outputs: Vec<(usize, B256)>,
    },
    #[error("attribution failed")]
    Attribution(#[source] Box<datanet_attribution::AttributionError>),
    #[error("epoch {epoch} allocates nothing to anyone yet (no paid output reuses contributed data): nothing to propose")]
    NothingAllocated { epoch: u64 },
    #[error("{} is for pool {pool} on chain {chain_id}, not this deployment's pool {expected_pool} on chain {expected_chain}", dir.display())]
    WrongPool {
        dir: PathBuf,
        pool: Address,
        chain_id: u64,
        expected_pool: Address,
        expected_chain: u64,
    },
    #[error("{signer} is not an attestor of pool {pool}")]
    NotAttestor { signer: Address, pool: Address },
    #[error(
        "signature by {signer} does not count: not an attestor, or it signed other epoch data"
    )]
    SignatureNotCounted { signer: Address },
    #[error("{collected} attestor signature(s) collected, {needed} needed: more attestors must run `datanet epoch sign`")]
    NotEnoughSignatures { collected: usize, needed: usize },
    #[error("signature {signature:?} is not a 65-byte hex signature")]
    BadSignature { signature: String },
    #[error("no epoch is pending: propose one first (`datanet epoch propose DIR`)")]
    NothingPending,
    #[error("{} was computed for proposal nonce {nonce} but the pool is at {expected} (a veto or an attestor rotation happened): run `datanet attribute` again, then sign", dir.display())]
    StaleNonce {
        dir: PathBuf,
        nonce: u64,
        expected: u64,
    },
    #[error("epoch {epoch} is neither accepted nor pending on chain (current epoch {current}{}): nothing published to verify", pending.map(|p| format!(", epoch {p} pending")).unwrap_or_default())]
    NotPublished {
        epoch: u64,
        current: u64,
        pending: Option<u64>,
    },
    #[error("no EpochProposed event of epoch {epoch} with root {rewards_root}: the chain does not say where its report is")]
    NoProposal { epoch: u64, rewards_root: B256 },
    /// The report at an epoch's `reportURI` could not be read for now (not a definitive answer).
    #[error("the report of epoch {epoch} at {uri} cannot be read now; try again later")]
    ReportUnavailable {
        epoch: u64,
        uri: String,
        #[source]
        source: Box<crate::publication::PublicationError>,
    },
    #[error("--epoch {given} but {} holds epoch {found}", dir.display())]
    EpochArgMismatch {
        given: u64,
        found: u64,
        dir: PathBuf,
    },
}

/// What can go wrong showing or claiming rewards.
#[derive(Debug, thiserror::Error)]
pub enum RewardsError {
    #[error("tree root {root} is not the pool's claimable root; wait for `epoch accept` or use the latest epoch's tree")]
    NotCurrentRoot { root: B256 },
    #[error("{account} has no leaf in this reward tree: nothing to claim")]
    NotInTree { account: Address },
    #[error("{account} already claimed its {claimed}: nothing new to claim")]
    NothingToClaim { account: Address, claimed: Amount },
    #[error("no proof for {account}")]
    Proof {
        account: Address,
        #[source]
        source: Box<datanet_attribution::RewardTreeError>,
    },
}

fn sync_failure(f: &crate::publication::SyncFailure) -> String {
    let error = crate::epoch::error_chain(&f.error);
    let uris = f.uris.join(", ");
    if error.contains(&uris) {
        format!("{}: {error}", list(&f.contribution_ids))
    } else {
        format!("{} ({uris}): {error}", list(&f.contribution_ids))
    }
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
