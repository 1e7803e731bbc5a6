//! A connection to an EVM node, with an optional wallet, and helpers that turn alloy failures into
//! [`ClientError`]s that name the call.

use crate::{revert, ClientError, Deployment};
use alloy::{
    network::{Ethereum, EthereumWallet},
    primitives::Address,
    providers::{DynProvider, PendingTransactionBuilder, Provider, ProviderBuilder},
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
};

/// A connected node, the chain it serves, and the account that signs (if any).
#[derive(Clone)]
pub struct Client {
    provider: DynProvider,
    url: String,
    chain_id: u64,
    sender: Option<Address>,
}

impl Client {
    /// Connects to `url`, checking that the node answers, with `signer` as the sending account.
    pub async fn connect(url: &str, signer: Option<PrivateKeySigner>) -> Result<Self, ClientError> {
        let parsed = url
            .parse()
            .map_err(|e: url::ParseError| ClientError::InvalidRpcUrl {
                url: url.to_string(),
                reason: e.to_string(),
            })?;
        let sender = signer.as_ref().map(|s| s.address());
        let provider = match signer {
            // Nonces are read from the node for every transaction: a cached nonce would be consumed
            // by a send that fails at gas estimation (a decoded revert), leaving a gap that stalls
            // every later transaction of the process.
            Some(signer) => ProviderBuilder::new()
                .disable_recommended_fillers()
                .with_gas_estimation()
                .with_simple_nonce_management()
                .fetch_chain_id()
                .wallet(EthereumWallet::from(signer))
                .connect_http(parsed)
                .erased(),
            None => ProviderBuilder::new().connect_http(parsed).erased(),
        };
        let chain_id = provider
            .get_chain_id()
            .await
            .map_err(|e| ClientError::Unreachable {
                url: url.to_string(),
                reason: short(&e.to_string()),
            })?;
        Ok(Self {
            provider,
            url: url.to_string(),
            chain_id,
            sender,
        })
    }

    /// The provider, for calls through the bindings.
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// The RPC URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The connected chain's id.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The signing account, or [`ClientError::NoWallet`].
    pub fn sender(&self) -> Result<Address, ClientError> {
        self.sender.ok_or(ClientError::NoWallet)
    }

    /// Checks that the deployment belongs to this chain and that its contracts have code here.
    pub async fn check_deployment(&self, deployment: &Deployment) -> Result<(), ClientError> {
        if deployment.chain_id != self.chain_id {
            return Err(ClientError::WrongChain {
                expected: deployment.chain_id,
                actual: self.chain_id,
            });
        }
        for (name, address) in [
            ("DatanetRegistry", deployment.datanet_registry),
            ("AttributionPool", deployment.attribution_pool),
        ] {
            let code = self
                .provider
                .get_code_at(address)
                .await
                .map_err(|e| self.rpc_error("eth_getCode", e))?;
            if code.is_empty() {
                return Err(ClientError::NoCode { name, address });
            }
        }
        Ok(())
    }

    /// Maps a transport failure of `call` to an error naming the call (or the unreachable URL).
    pub fn rpc_error(&self, call: &str, err: impl std::fmt::Display) -> ClientError {
        let reason = err.to_string();
        // A send without a wallet fails in alloy's fillers ("missing properties … from").
        if self.sender.is_none() && reason.contains("missing properties") {
            return ClientError::NoWallet;
        }
        if reason.contains("error sending request") || reason.contains("Connection refused") {
            return ClientError::Unreachable {
                url: self.url.clone(),
                reason: short(&reason),
            };
        }
        ClientError::Rpc {
            call: call.to_string(),
            reason: short(&reason),
        }
    }

    /// Maps a failed contract call or send to a decoded revert, or an RPC error.
    pub fn call_error(&self, call: &str, err: alloy::contract::Error) -> ClientError {
        if let Some(data) = err.as_revert_data() {
            let reason = revert::describe(&data).unwrap_or_else(|| format!("revert data {data}"));
            return ClientError::Reverted {
                call: call.to_string(),
                reason,
            };
        }
        self.rpc_error(call, err)
    }

    /// Waits for a sent transaction and fails if it reverted.
    pub async fn confirm(
        &self,
        call: &str,
        pending: PendingTransactionBuilder<Ethereum>,
    ) -> Result<TransactionReceipt, ClientError> {
        let receipt = pending
            .get_receipt()
            .await
            .map_err(|e| self.rpc_error(call, e))?;
        if !receipt.status() {
            return Err(ClientError::TransactionFailed {
                call: call.to_string(),
                tx: receipt.transaction_hash.to_string(),
            });
        }
        Ok(receipt)
    }
}

/// First line of a long transport message.
fn short(reason: &str) -> String {
    reason
        .lines()
        .next()
        .unwrap_or(reason)
        .chars()
        .take(300)
        .collect()
}
