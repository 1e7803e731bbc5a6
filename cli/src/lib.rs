//! The Datanet client: typed operations over the generated bindings, for the `datanet` command and
//! for integrators.
//!
//! ```no_run
//! # async fn example() -> Result<(), datanet_cli::ClientError> {
//! use datanet_cli::{Client, Deployment};
//! let signer = "0x…".parse().map_err(|_| datanet_cli::ClientError::Wallet("bad key".into()))?;
//! let client = Client::connect("http://127.0.0.1:8545", Some(signer)).await?;
//! let deployment = Deployment::load_for_chain(".".as_ref(), client.chain_id())?;
//! # Ok(()) }
//! ```

pub mod client;
pub mod deploy;
pub mod deployment;
pub mod epoch;
pub mod error;
pub mod files;
pub mod opts;
pub mod outputs;
pub mod revert;
pub mod session;

pub use client::Client;
pub use deploy::{deploy, DeployConfig};
pub use deployment::Deployment;
pub use error::ClientError;
pub use session::Session;
