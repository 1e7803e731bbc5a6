//! The Datanet client: typed operations on a Datanet deployment over the generated bindings, for the
//! `datanet` command and for integrators. No terminal code: configuration comes in as plain structs
//! ([`RpcConfig`], [`KeySource`]), progress goes out through [`Progress`], failures are
//! [`ClientError`]s a caller can match on.
//!
//! Everything that talks to a node goes through one [`Client`]: a retrying transport (exponential
//! backoff with jitter on 429, 5xx, timeouts and refused connections), one paged log scanner that
//! shrinks its pages when a provider refuses them, and one way to send a transaction that survives a
//! lost answer without ever sending twice.
//!
//! An epoch can be computed and verified from chain data and published URIs alone
//! ([`Session::compute_epoch_with`], [`Session::verify_published_epoch`]): outputs at the URIs of
//! `OutputsPublished` events, the corpus at its contributions' URIs, the previous epoch at its
//! `reportURI`. So that two honest parties always compute the same report, only a definitive
//! answer from a publisher (a 404, an unusable URI, a wrong hash:
//! [`publication::PublicationError::is_definitive`]) counts as "not published"; a failure that may
//! pass (refused connection, 5xx) is an error naming the URI — see
//! [`Session::published_outputs`] for the whole rule.
//!
//! ```no_run
//! # async fn example() -> Result<(), datanet_client::ClientError> {
//! use datanet_client::{Client, KeySource, RpcConfig, Session};
//! let signer = KeySource::PrivateKey("0x…".into()).open()?;
//! let client = Client::connect(&RpcConfig::new("http://127.0.0.1:8545"), Some(signer)).await?;
//! let session = Session::open(client, "deployments".as_ref()).await?;
//! let token = session.token().await?;
//! let bond = token.parse("2.5")?;
//! let (datanet_id, _receipt) = session.create_datanet("ipfs://…", bond, 86_400).await?;
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

pub mod client;
pub mod contribute;
pub mod contributions;
pub mod deploy;
pub mod deployment;
pub mod epoch;
pub mod error;
pub mod files;
pub mod impact;
pub mod logs;
pub mod outputs;
pub mod payments;
pub mod pool;
pub mod progress;
pub mod publication;
pub mod retry;
pub mod revert;
pub mod rewards;
pub mod session;
pub mod token;
pub mod tree;
pub mod verify;
pub mod wallet;

pub use client::{ChainClock, Client, RpcConfig, SentTransaction};
pub use deploy::{deploy, DeployConfig};
pub use deployment::Deployment;
pub use error::ClientError;
pub use progress::{Progress, Silent};
pub use session::Session;
pub use token::{Amount, Token};
pub use wallet::KeySource;

/// Amounts in JSON as decimal strings of base units (JSON numbers lose precision past 2^53).
pub mod serde_u256 {
    use alloy::primitives::U256;

    pub fn serialize<S: serde::Serializer>(value: &U256, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }
}
