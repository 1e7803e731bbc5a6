//! A connection to an EVM node: the retrying transport, the log scanner, and the one way the client
//! sends a transaction ([`Client::send`]: sign locally, send, recover from a lost answer by hash,
//! wait for the receipt with a timeout).

use crate::{
    error::TransportError,
    logs::{LogScanConfig, LogScanner},
    retry::{RetryLayer, RetryPolicy, RpcStats, RpcStatsSnapshot},
    revert, ClientError, Deployment,
};
use alloy::{
    eips::eip2718::Encodable2718,
    network::{EthereumWallet, NetworkTransactionBuilder, TransactionBuilder},
    primitives::{Address, B256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::{
        client::ClientBuilder,
        types::{Filter, Log, TransactionReceipt, TransactionRequest},
    },
    signers::{local::PrivateKeySigner, Signature, SignerSync},
    sol_types::SolEvent,
};
use std::{sync::Arc, time::Duration};
use tokio::sync::Mutex;

/// Where the node is and how patiently to talk to it. Plain data: build it from flags, a config
/// file or code.
#[derive(Clone, Debug)]
pub struct RpcConfig {
    pub url: String,
    pub retry: RetryPolicy,
    pub logs: LogScanConfig,
    /// How long to wait for a receipt before giving up with [`ClientError::ReceiptTimeout`].
    pub receipt_timeout: Duration,
    /// How often to poll for a receipt; `None`: 50 ms for a local node, 2 s otherwise.
    pub poll_interval: Option<Duration>,
}

impl RpcConfig {
    /// Defaults for `url`: 8 retries from 100 ms, 10,000-block log pages 4 at a time, 5 minutes
    /// for a receipt.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            retry: RetryPolicy::default(),
            logs: LogScanConfig::default(),
            receipt_timeout: Duration::from_secs(300),
            poll_interval: None,
        }
    }
}

/// A connected node, the chain it serves, and the account that signs (if any).
#[derive(Clone)]
pub struct Client {
    provider: DynProvider,
    url: String,
    chain_id: u64,
    signer: Option<Arc<Signer>>,
    logs: LogScanner,
    stats: Arc<RpcStats>,
    receipt_timeout: Duration,
    poll_interval: Duration,
}

struct Signer {
    address: Address,
    key: PrivateKeySigner,
    wallet: EthereumWallet,
    /// Next nonce this process will use: sends are serialized, and a lagging node never hands out a
    /// nonce this process already used.
    next_nonce: Mutex<Option<u64>>,
}

/// The chain's time as last observed, moving with wall time.
#[derive(Clone, Copy, Debug)]
pub struct ChainClock {
    pub timestamp: u64,
    pub observed: std::time::Instant,
}

impl ChainClock {
    /// Seconds since the epoch on the chain's clock, now (at least).
    pub fn now(&self) -> u64 {
        self.timestamp + self.observed.elapsed().as_secs()
    }

    /// How long until the chain's clock reaches `timestamp`.
    pub fn until(&self, timestamp: u64) -> Duration {
        let now = self.timestamp as f64 + self.observed.elapsed().as_secs_f64();
        Duration::from_secs_f64((timestamp as f64 - now).max(0.0))
    }
}

/// A transaction the node has accepted.
#[derive(Clone, Debug)]
pub struct SentTransaction {
    /// What was called, for messages.
    pub call: String,
    pub hash: B256,
    pub nonce: u64,
}

impl Client {
    /// Connects to `config.url`, checking that the node answers, with `signer` as the sending account.
    pub async fn connect(
        config: &RpcConfig,
        signer: Option<PrivateKeySigner>,
    ) -> Result<Self, ClientError> {
        let url: url::Url = config
            .url
            .parse()
            .map_err(|source| ClientError::InvalidRpcUrl {
                url: config.url.clone(),
                source,
            })?;
        let local = matches!(
            url.host_str(),
            Some("localhost" | "127.0.0.1" | "::1" | "[::1]")
        );
        let stats = Arc::new(RpcStats::default());
        let rpc = ClientBuilder::default()
            .layer(RetryLayer::new(config.retry, stats.clone()))
            .http(url);
        let provider = ProviderBuilder::new()
            .disable_recommended_fillers()
            .connect_client(rpc)
            .erased();
        let chain_id =
            provider
                .get_chain_id()
                .await
                .map_err(|source| ClientError::Unreachable {
                    url: config.url.clone(),
                    source,
                })?;
        let signer = signer.map(|s| {
            Arc::new(Signer {
                address: s.address(),
                key: s.clone(),
                wallet: EthereumWallet::from(s),
                next_nonce: Mutex::new(None),
            })
        });
        let poll_interval = config.poll_interval.unwrap_or(if local {
            Duration::from_millis(50)
        } else {
            Duration::from_secs(2)
        });
        tracing::debug!(url = %config.url, chain_id, sender = ?signer.as_ref().map(|s| s.address), "connected");
        Ok(Self {
            provider,
            url: config.url.clone(),
            chain_id,
            signer,
            logs: LogScanner::new(config.logs, stats.clone()),
            stats,
            receipt_timeout: config.receipt_timeout,
            poll_interval,
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
        self.signer
            .as_ref()
            .map(|s| s.address)
            .ok_or(ClientError::NoWallet)
    }

    /// Signs `message` as EIP-191 `personal_sign` does (deterministic: RFC 6979).
    pub fn sign_message(&self, message: &[u8]) -> Result<Signature, ClientError> {
        let signer = self.signer.as_ref().ok_or(ClientError::NoWallet)?;
        Ok(signer
            .key
            .sign_message_sync(message)
            .map_err(crate::error::WalletError::Signing)?)
    }

    /// Signs a 32-byte digest (an EIP-712 hash the contract computed).
    pub fn sign_hash(&self, digest: &B256) -> Result<Signature, ClientError> {
        let signer = self.signer.as_ref().ok_or(ClientError::NoWallet)?;
        Ok(signer
            .key
            .sign_hash_sync(digest)
            .map_err(crate::error::WalletError::Signing)?)
    }

    /// The chain's clock: the latest block's timestamp, advancing with wall time from now on (a
    /// lower bound of the next block's timestamp, on a devnet whose clock was moved too).
    pub async fn chain_clock(&self) -> Result<ChainClock, ClientError> {
        let block = self
            .provider
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await
            .map_err(|e| self.rpc_error("eth_getBlockByNumber", e))?
            .ok_or_else(|| ClientError::Rpc {
                call: "eth_getBlockByNumber".into(),
                source: alloy::transports::TransportErrorKind::custom_str("no latest block"),
            })?;
        Ok(ChainClock {
            timestamp: block.header.timestamp,
            observed: std::time::Instant::now(),
        })
    }

    /// What the transport did so far (requests, retries, log pages, refusals).
    pub fn stats(&self) -> RpcStatsSnapshot {
        self.stats.snapshot()
    }

    /// The latest block number.
    pub async fn latest_block(&self) -> Result<u64, ClientError> {
        self.provider
            .get_block_number()
            .await
            .map_err(|e| self.rpc_error("eth_blockNumber", e))
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

    /* LOGS */

    /// Every log matching `filter` (address and topics) in `from..=to`, paged by the scanner, in
    /// chain order.
    pub async fn logs(
        &self,
        filter: &Filter,
        from: u64,
        to: u64,
        what: &str,
    ) -> Result<Vec<Log>, ClientError> {
        self.logs.scan(&self.provider, filter, from, to, what).await
    }

    /// Every `E` event matching `filter` (address and topics) in `from..=to`, decoded, in chain order.
    pub async fn events<E: SolEvent>(
        &self,
        filter: Filter,
        from: u64,
        to: u64,
    ) -> Result<Vec<(E, Log)>, ClientError> {
        let what = E::SIGNATURE.split('(').next().unwrap_or(E::SIGNATURE);
        let filter = filter.event_signature(E::SIGNATURE_HASH);
        let logs = self.logs(&filter, from, to, what).await?;
        logs.into_iter()
            .map(|log| {
                let decoded =
                    log.log_decode::<E>()
                        .map_err(|source| ClientError::UndecodableLog {
                            what: what.to_string(),
                            source,
                        })?;
                Ok((decoded.inner.data, log))
            })
            .collect()
    }

    /* TRANSACTIONS */

    /// Sends a transaction and waits for its receipt; fails on a revert (decoded), a refusal by the
    /// node, a failed receipt or a timeout that names the transaction.
    pub async fn send(
        &self,
        call: &str,
        tx: TransactionRequest,
    ) -> Result<TransactionReceipt, ClientError> {
        let sent = self.submit(call, tx).await?;
        self.confirm(&sent).await
    }

    /// Signs and sends a transaction without waiting for it to be mined.
    ///
    /// The transaction is signed here, so its hash is known before it is sent. If the answer to
    /// `eth_sendRawTransaction` is lost (a timeout, a dropped connection, a provider that accepted it
    /// and then failed), the node is asked for the transaction by hash; only if it does not have it
    /// are the same signed bytes sent again — same nonce, same hash — so a transaction is never sent
    /// twice.
    pub async fn submit(
        &self,
        call: &str,
        mut tx: TransactionRequest,
    ) -> Result<SentTransaction, ClientError> {
        let signer = self.signer.as_ref().ok_or(ClientError::NoWallet)?;
        let from = signer.address;
        let mut next_nonce = signer.next_nonce.lock().await;
        if next_nonce.is_none() {
            // This process's first transaction: an earlier run (killed, or timed out waiting for a
            // receipt) may have left transactions in the pool; their outcome decides what to send,
            // so wait for them instead of racing them.
            self.wait_for_pending(from).await?;
        }
        let pending = self
            .provider
            .get_transaction_count(from)
            .pending()
            .await
            .map_err(|e| self.rpc_error("eth_getTransactionCount", e))?;
        let nonce = next_nonce.map_or(pending, |n| n.max(pending));
        tx.set_from(from);
        tx.set_chain_id(self.chain_id);
        tx.set_nonce(nonce);
        let gas = self
            .provider
            .estimate_gas(tx.clone())
            .await
            .map_err(|e| self.call_error_transport(call, e))?;
        // A margin for state that moves between estimate and inclusion; unused gas is not paid.
        tx.set_gas_limit(gas.saturating_add(gas / 5));
        let fees = self
            .provider
            .estimate_eip1559_fees()
            .await
            .map_err(|e| self.rpc_error("eth_feeHistory", e))?;
        tx.set_max_fee_per_gas(fees.max_fee_per_gas);
        tx.set_max_priority_fee_per_gas(fees.max_priority_fee_per_gas);
        let envelope = tx.build(&signer.wallet).await.map_err(|e| {
            ClientError::Wallet(crate::error::WalletError::Signing(
                alloy::signers::Error::other(e),
            ))
        })?;
        let hash = *envelope.tx_hash();
        let raw = envelope.encoded_2718();

        let mut attempt = 0u32;
        loop {
            attempt += 1;
            match self.provider.send_raw_transaction(&raw).await {
                Ok(_) => break,
                Err(error) => {
                    // Did the node take it anyway?
                    if self.knows_transaction(hash).await? {
                        self.stats
                            .send_recoveries
                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        tracing::info!(%hash, call, "send answer lost, but the node has the transaction");
                        break;
                    }
                    let in_transit = matches!(error, TransportError::Transport(_))
                        || crate::retry::is_connection_error(&error);
                    if in_transit && attempt < 5 {
                        // Not there: the same bytes again (same nonce, same hash).
                        self.stats
                            .send_recoveries
                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        tracing::info!(%hash, call, attempt, "send failed in transit; sending the same transaction again");
                        tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                        continue;
                    }
                    let latest = self
                        .provider
                        .get_transaction_count(from)
                        .latest()
                        .await
                        .map_err(|e| self.rpc_error("eth_getTransactionCount", e))?;
                    if latest > nonce {
                        return Err(ClientError::NonceTaken {
                            call: call.to_string(),
                            sender: from,
                            nonce,
                            tx: hash,
                        });
                    }
                    if in_transit {
                        return Err(self.rpc_error(call, error));
                    }
                    return Err(ClientError::Rejected {
                        call: call.to_string(),
                        source: error,
                    });
                }
            }
        }
        *next_nonce = Some(nonce + 1);
        tracing::info!(%hash, call, nonce, "transaction sent");
        Ok(SentTransaction {
            call: call.to_string(),
            hash,
            nonce,
        })
    }

    /// Waits for a sent transaction's receipt (polling, up to the receipt timeout) and fails if it
    /// reverted.
    pub async fn confirm(&self, sent: &SentTransaction) -> Result<TransactionReceipt, ClientError> {
        let started = tokio::time::Instant::now();
        loop {
            let receipt = self
                .provider
                .get_transaction_receipt(sent.hash)
                .await
                .map_err(|e| self.rpc_error("eth_getTransactionReceipt", e))?;
            if let Some(receipt) = receipt {
                if !receipt.status() {
                    return Err(ClientError::TransactionFailed {
                        call: sent.call.clone(),
                        tx: sent.hash,
                    });
                }
                return Ok(receipt);
            }
            if started.elapsed() >= self.receipt_timeout {
                return Err(ClientError::ReceiptTimeout {
                    call: sent.call.clone(),
                    tx: sent.hash,
                    waited_secs: started.elapsed().as_secs(),
                });
            }
            tokio::time::sleep(self.poll_interval).await;
        }
    }

    /// Waits until no transaction of `account` is pending in the node's pool (a killed process may
    /// have left some), up to the receipt timeout.
    pub async fn wait_for_pending(&self, account: Address) -> Result<(), ClientError> {
        let started = tokio::time::Instant::now();
        loop {
            let pending = self
                .provider
                .get_transaction_count(account)
                .pending()
                .await
                .map_err(|e| self.rpc_error("eth_getTransactionCount", e))?;
            let latest = self
                .provider
                .get_transaction_count(account)
                .latest()
                .await
                .map_err(|e| self.rpc_error("eth_getTransactionCount", e))?;
            if pending <= latest {
                return Ok(());
            }
            if started.elapsed() >= self.receipt_timeout {
                return Err(ClientError::PendingTransactions {
                    sender: account,
                    count: pending - latest,
                });
            }
            tokio::time::sleep(self.poll_interval).await;
        }
    }

    async fn knows_transaction(&self, hash: B256) -> Result<bool, ClientError> {
        let tx = self
            .provider
            .get_transaction_by_hash(hash)
            .await
            .map_err(|e| self.rpc_error("eth_getTransactionByHash", e))?;
        Ok(tx.is_some())
    }

    /* ERRORS */

    /// Maps a transport failure of `call` to an error naming the call (or the unreachable URL).
    pub fn rpc_error(&self, call: &str, source: TransportError) -> ClientError {
        if crate::retry::is_connection_error(&source) {
            return ClientError::Unreachable {
                url: self.url.clone(),
                source,
            };
        }
        ClientError::Rpc {
            call: call.to_string(),
            source,
        }
    }

    /// Maps a failed contract call to a decoded revert, or an RPC error.
    pub fn call_error(&self, call: &str, err: alloy::contract::Error) -> ClientError {
        match err {
            alloy::contract::Error::TransportError(e) => self.call_error_transport(call, e),
            other => {
                if let Some(data) = other.as_revert_data() {
                    return reverted(call, data);
                }
                ClientError::Rpc {
                    call: call.to_string(),
                    source: alloy::transports::TransportErrorKind::custom(other),
                }
            }
        }
    }

    fn call_error_transport(&self, call: &str, e: TransportError) -> ClientError {
        if let Some(data) = e.as_error_resp().and_then(|p| p.as_revert_data()) {
            return reverted(call, data);
        }
        self.rpc_error(call, e)
    }
}

fn reverted(call: &str, data: alloy::primitives::Bytes) -> ClientError {
    let reason = revert::describe(&data).unwrap_or_else(|| format!("revert data {data}"));
    ClientError::Reverted {
        call: call.to_string(),
        reason,
        data,
    }
}
