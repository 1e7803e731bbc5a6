//! Typed errors of the client library. Each message names the problem and, where there is one, the fix.

use alloy::primitives::Address;
use std::path::PathBuf;

/// What can go wrong talking to a Datanet deployment.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The RPC endpoint did not answer.
    #[error("cannot reach the RPC endpoint {url} ({reason}); start a node (`datanet devnet`) or pass --rpc-url / ETH_RPC_URL")]
    Unreachable { url: String, reason: String },
    /// The RPC URL does not parse.
    #[error("invalid RPC URL {url:?}: {reason}")]
    InvalidRpcUrl { url: String, reason: String },
    /// No deployment file for the connected chain.
    #[error("no Datanet deployment for chain {chain_id}: expected {}; run `datanet deploy` or pass --deployments DIR", path.display())]
    NoDeployment { chain_id: u64, path: PathBuf },
    /// A deployment file exists but cannot be read.
    #[error("cannot read deployment file {}: {reason}", path.display())]
    BadDeployment { path: PathBuf, reason: String },
    /// A deployment file for the chain exists and `--force` was not given.
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
    /// The operation needs a wallet and none was given.
    #[error(
        "this command sends transactions: pass --private-key, --keystore, --account or --mnemonic"
    )]
    NoWallet,
    /// The wallet could not be opened.
    #[error("{0}")]
    Wallet(String),
    /// A contract call reverted with a decoded reason.
    #[error("{call} reverted: {reason}")]
    Reverted { call: String, reason: String },
    /// The transaction was mined but failed.
    #[error("{call}: transaction {tx} failed on chain")]
    TransactionFailed { call: String, tx: String },
    /// Not enough tokens.
    #[error("insufficient {token} balance: {account} has {balance}, needs {needed}")]
    InsufficientBalance {
        token: String,
        account: Address,
        balance: String,
        needed: String,
    },
    /// Any other RPC or transport failure.
    #[error("{call}: {reason}")]
    Rpc { call: String, reason: String },
    /// Local file trouble.
    #[error("{}: {reason}", path.display())]
    Io { path: PathBuf, reason: String },
    /// Input the user gave is not usable.
    #[error("{0}")]
    InvalidInput(String),
}

impl ClientError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, err: impl std::fmt::Display) -> Self {
        Self::Io {
            path: path.into(),
            reason: err.to_string(),
        }
    }
}
