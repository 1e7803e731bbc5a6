//! A [`Client`] bound to one [`Deployment`]: typed operations over the four contracts.

use crate::{files::DataFile, Client, ClientError, Deployment};
use alloy::{
    primitives::{keccak256, Address, B256, U256},
    providers::DynProvider,
    rpc::types::TransactionReceipt,
    sol_types::{SolEvent, SolValue},
};
use datanet_bindings::{
    datanet_registry::IDatanetRegistry::{self, ContributionInput},
    AttributionPool::{self, AttributionPoolInstance},
    DatanetRegistry::{self, DatanetRegistryInstance},
    DatanetToken::{self, DatanetTokenInstance},
    ModelRegistry::{self, ModelRegistryInstance},
};
use serde::Serialize;
use std::path::Path;

/// Contributions sent per transaction: ~27k gas each keeps a batch far below block gas limits.
pub const DEFAULT_CONTRIBUTE_BATCH: usize = 250;
/// Payments sent per transaction.
pub const DEFAULT_PAY_BATCH: usize = 250;

/// Lifecycle of a contribution, as the registry stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Status {
    None,
    Pending,
    Accepted,
    Rejected,
    Withdrawn,
    Retired,
}

impl From<IDatanetRegistry::Status> for Status {
    fn from(status: IDatanetRegistry::Status) -> Self {
        match status {
            IDatanetRegistry::Status::Pending => Self::Pending,
            IDatanetRegistry::Status::Accepted => Self::Accepted,
            IDatanetRegistry::Status::Rejected => Self::Rejected,
            IDatanetRegistry::Status::Withdrawn => Self::Withdrawn,
            IDatanetRegistry::Status::Retired => Self::Retired,
            _ => Self::None,
        }
    }
}

impl Status {
    /// Whether the content hash is taken (a new contribution of it would be a duplicate).
    pub fn is_registered(self) -> bool {
        matches!(self, Self::Pending | Self::Accepted | Self::Retired)
    }
}

/// A datanet as the chain describes it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatanetInfo {
    pub datanet_id: u64,
    pub owner: Address,
    pub bond: U256,
    pub review_period: u32,
    pub metadata_uri: String,
    pub curators: Vec<Address>,
}

/// A contribution as the chain stores it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContributionInfo {
    pub contribution_id: B256,
    pub contributor: Address,
    pub datanet_id: u64,
    pub submitted_at: u64,
    pub status: Status,
}

/// The outcome for one file of `contribute`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContributedFile {
    pub file: String,
    pub content_hash: B256,
    pub contribution_id: B256,
    /// `registered` (this run), or the status it already had (skipped).
    pub outcome: String,
}

/// A [`Client`] with the deployment of its chain.
#[derive(Clone)]
pub struct Session {
    pub client: Client,
    pub deployment: Deployment,
}

impl Session {
    /// Loads `<dir>/<chainId>.json` for the client's chain and checks the contracts exist there.
    pub async fn open(client: Client, deployments_dir: &Path) -> Result<Self, ClientError> {
        let deployment = Deployment::load_for_chain(deployments_dir, client.chain_id())?;
        client.check_deployment(&deployment).await?;
        Ok(Self { client, deployment })
    }

    /// `DatanetRegistry` bound to the provider.
    pub fn registry(&self) -> DatanetRegistryInstance<DynProvider> {
        DatanetRegistry::new(
            self.deployment.datanet_registry,
            self.client.provider().clone(),
        )
    }

    /// `ModelRegistry` bound to the provider.
    pub fn models(&self) -> ModelRegistryInstance<DynProvider> {
        ModelRegistry::new(
            self.deployment.model_registry,
            self.client.provider().clone(),
        )
    }

    /// `AttributionPool` bound to the provider.
    pub fn pool(&self) -> AttributionPoolInstance<DynProvider> {
        AttributionPool::new(
            self.deployment.attribution_pool,
            self.client.provider().clone(),
        )
    }

    /// The ERC-20 of bonds and payments.
    pub fn token(&self) -> DatanetTokenInstance<DynProvider> {
        DatanetToken::new(self.deployment.token, self.client.provider().clone())
    }

    /* DATANETS */

    /// Creates a datanet owned by the sender; returns its id.
    pub async fn create_datanet(
        &self,
        metadata_uri: &str,
        bond: U256,
        review_period: u32,
    ) -> Result<(u64, TransactionReceipt), ClientError> {
        let call = "createDatanet";
        let pending = self
            .registry()
            .createDatanet(metadata_uri.to_string(), bond, review_period)
            .send()
            .await
            .map_err(|e| self.client.call_error(call, e))?;
        let receipt = self.client.confirm(call, pending).await?;
        let event = event::<DatanetRegistry::DatanetCreated>(&receipt, call)?;
        Ok((to_u64(event.datanetId), receipt))
    }

    /// Reads datanet `datanet_id`, its metadata URI and current curators (from events).
    pub async fn datanet(&self, datanet_id: u64) -> Result<DatanetInfo, ClientError> {
        let registry = self.registry();
        let d = registry
            .getDatanet(U256::from(datanet_id))
            .call()
            .await
            .map_err(|e| self.client.call_error("getDatanet", e))?;
        if d.owner == Address::ZERO {
            return Err(ClientError::InvalidInput(format!(
                "datanet {datanet_id} does not exist (datanets run from 1 to {})",
                self.datanet_count().await?
            )));
        }
        let created = registry
            .DatanetCreated_filter()
            .topic1(U256::from(datanet_id))
            .from_block(self.deployment.deployment_block)
            .query()
            .await
            .map_err(|e| self.client.call_error("DatanetCreated logs", e))?;
        let metadata_uri = created
            .first()
            .map(|(e, _)| e.metadataURI.clone())
            .unwrap_or_default();
        let curator_events = registry
            .CuratorSet_filter()
            .topic1(U256::from(datanet_id))
            .from_block(self.deployment.deployment_block)
            .query()
            .await
            .map_err(|e| self.client.call_error("CuratorSet logs", e))?;
        let mut curators: Vec<Address> = Vec::new();
        for (e, _) in curator_events {
            curators.retain(|c| *c != e.curator);
            if e.enabled {
                curators.push(e.curator);
            }
        }
        Ok(DatanetInfo {
            datanet_id,
            owner: d.owner,
            bond: U256::from(d.bond),
            review_period: d.reviewPeriod,
            metadata_uri,
            curators,
        })
    }

    /// Number of datanets.
    pub async fn datanet_count(&self) -> Result<u64, ClientError> {
        let count = self
            .registry()
            .datanetCount()
            .call()
            .await
            .map_err(|e| self.client.call_error("datanetCount", e))?;
        Ok(to_u64(count))
    }

    /// Adds or removes a curator.
    pub async fn set_curator(
        &self,
        datanet_id: u64,
        curator: Address,
        enabled: bool,
    ) -> Result<TransactionReceipt, ClientError> {
        let call = "setCurator";
        let pending = self
            .registry()
            .setCurator(U256::from(datanet_id), curator, enabled)
            .send()
            .await
            .map_err(|e| self.client.call_error(call, e))?;
        self.client.confirm(call, pending).await
    }

    /// The id a content hash has in a datanet (computed locally, as the contract does).
    pub fn contribution_id(datanet_id: u64, content_hash: B256) -> B256 {
        keccak256((U256::from(datanet_id), content_hash).abi_encode())
    }

    /// Reads many contributions in one call.
    pub async fn contributions(&self, ids: &[B256]) -> Result<Vec<ContributionInfo>, ClientError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(1_000) {
            let records = self
                .registry()
                .getContributions(chunk.to_vec())
                .call()
                .await
                .map_err(|e| self.client.call_error("getContributions", e))?;
            for (id, c) in chunk.iter().zip(records) {
                out.push(ContributionInfo {
                    contribution_id: *id,
                    contributor: c.contributor,
                    datanet_id: to_u64(U256::from(c.datanetId)),
                    submitted_at: to_u64(U256::from(c.submittedAt)),
                    status: c.status.into(),
                });
            }
        }
        Ok(out)
    }

    /// Registers files in a datanet: skips hashes already registered (so a re-run after a crash only
    /// sends what is missing), approves the bonds once, sends batches, and reports per file.
    /// `progress(done, total)` is called as batches are confirmed.
    pub async fn contribute(
        &self,
        datanet_id: u64,
        files: &[DataFile],
        uri_of: impl Fn(&DataFile) -> String,
        batch_size: usize,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<Vec<ContributedFile>, ClientError> {
        let sender = self.client.sender()?;
        let info = self.datanet(datanet_id).await?;
        let ids: Vec<B256> = files
            .iter()
            .map(|f| Self::contribution_id(datanet_id, f.content_hash))
            .collect();
        let existing = self.contributions(&ids).await?;

        let mut results = Vec::with_capacity(files.len());
        let mut todo: Vec<(usize, ContributionInput)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, (file, record)) in files.iter().zip(&existing).enumerate() {
            let outcome = if record.status.is_registered() {
                format!("skipped: already {:?}", record.status).to_lowercase()
            } else if !seen.insert(file.content_hash) {
                "skipped: same content as another file".to_string()
            } else {
                todo.push((
                    i,
                    ContributionInput {
                        contentHash: file.content_hash,
                        uri: uri_of(file),
                    },
                ));
                "registered".to_string()
            };
            results.push(ContributedFile {
                file: file.path.display().to_string(),
                content_hash: file.content_hash,
                contribution_id: ids[i],
                outcome,
            });
        }

        let total_bond = info.bond * U256::from(todo.len());
        if !total_bond.is_zero() {
            self.ensure_balance_and_allowance(
                sender,
                self.deployment.datanet_registry,
                total_bond,
                "bonds",
            )
            .await?;
        }

        // Send every batch before waiting, so the node can mine them back to back.
        let registry = self.registry();
        let batches: Vec<&[(usize, ContributionInput)]> = todo.chunks(batch_size.max(1)).collect();
        let mut pending = Vec::with_capacity(batches.len());
        for batch in &batches {
            let items: Vec<ContributionInput> =
                batch.iter().map(|(_, item)| item.clone()).collect();
            let tx = registry
                .contributeBatch(U256::from(datanet_id), items)
                .send()
                .await
                .map_err(|e| self.client.call_error("contributeBatch", e))?;
            pending.push((batch.len(), tx));
        }
        let mut done = 0;
        progress(done, todo.len());
        for (len, tx) in pending {
            self.client.confirm("contributeBatch", tx).await?;
            done += len;
            progress(done, todo.len());
        }
        Ok(results)
    }

    /// Accepts or rejects pending contributions in one transaction.
    pub async fn review(
        &self,
        ids: &[B256],
        accept: bool,
    ) -> Result<TransactionReceipt, ClientError> {
        let call = if accept {
            "reviewBatch (accept)"
        } else {
            "reviewBatch (reject)"
        };
        let pending = self
            .registry()
            .reviewBatch(ids.to_vec(), accept)
            .send()
            .await
            .map_err(|e| self.client.call_error(call, e))?;
        self.client.confirm(call, pending).await
    }

    /// Accepts a contribution whose review period passed.
    pub async fn finalize(&self, id: B256) -> Result<TransactionReceipt, ClientError> {
        let pending = self
            .registry()
            .finalize(id)
            .send()
            .await
            .map_err(|e| self.client.call_error("finalize", e))?;
        self.client.confirm("finalize", pending).await
    }

    /* MODELS */

    /// Registers a model owned by the sender; returns its id.
    pub async fn register_model(
        &self,
        metadata_uri: &str,
        datanet_ids: &[u64],
        owner_share_bps: u16,
    ) -> Result<(u64, TransactionReceipt), ClientError> {
        let call = "registerModel";
        let ids = datanet_ids.iter().map(|id| U256::from(*id)).collect();
        let pending = self
            .models()
            .registerModel(metadata_uri.to_string(), ids, owner_share_bps)
            .send()
            .await
            .map_err(|e| self.client.call_error(call, e))?;
        let receipt = self.client.confirm(call, pending).await?;
        let event = event::<ModelRegistry::ModelRegistered>(&receipt, call)?;
        Ok((to_u64(event.modelId), receipt))
    }

    /* PAYMENTS AND REWARDS */

    /// Pays for outputs of `model_id`: `(amount, inferenceId)` each, batched.
    pub async fn pay(
        &self,
        model_id: u64,
        payments: &[(U256, B256)],
        batch_size: usize,
    ) -> Result<Vec<TransactionReceipt>, ClientError> {
        let sender = self.client.sender()?;
        let model = self
            .models()
            .getModel(U256::from(model_id))
            .call()
            .await
            .map_err(|e| self.client.call_error("getModel", e))?;
        if model.owner == Address::ZERO {
            return Err(ClientError::InvalidInput(format!(
                "model {model_id} does not exist"
            )));
        }
        let total = payments
            .iter()
            .fold(U256::ZERO, |acc, (amount, _)| acc + amount);
        self.ensure_balance_and_allowance(
            sender,
            self.deployment.attribution_pool,
            total,
            "payments",
        )
        .await?;
        let pool = self.pool();
        let mut pending = Vec::new();
        for batch in payments.chunks(batch_size.max(1)) {
            let amounts = batch.iter().map(|(a, _)| *a).collect();
            let ids = batch.iter().map(|(_, id)| *id).collect();
            let tx = pool
                .payForInferences(U256::from(model_id), amounts, ids)
                .send()
                .await
                .map_err(|e| self.client.call_error("payForInferences", e))?;
            pending.push(tx);
        }
        let mut receipts = Vec::with_capacity(pending.len());
        for tx in pending {
            receipts.push(self.client.confirm("payForInferences", tx).await?);
        }
        Ok(receipts)
    }

    /// Claims `account`'s cumulative amount with a proof; returns the amount paid.
    pub async fn claim(
        &self,
        account: Address,
        cumulative_amount: U256,
        proof: Vec<B256>,
    ) -> Result<(U256, TransactionReceipt), ClientError> {
        let call = "claim";
        let pending = self
            .pool()
            .claim(account, cumulative_amount, proof)
            .send()
            .await
            .map_err(|e| self.client.call_error(call, e))?;
        let receipt = self.client.confirm(call, pending).await?;
        let event = event::<AttributionPool::Claimed>(&receipt, call)?;
        Ok((event.amount, receipt))
    }

    /// Token balance of `account`.
    pub async fn balance(&self, account: Address) -> Result<U256, ClientError> {
        self.token()
            .balanceOf(account)
            .call()
            .await
            .map_err(|e| self.client.call_error("balanceOf", e))
    }

    /// What `account` has claimed from the pool so far.
    pub async fn claimed(&self, account: Address) -> Result<U256, ClientError> {
        self.pool()
            .claimed(account)
            .call()
            .await
            .map_err(|e| self.client.call_error("claimed", e))
    }

    /// Fails with the amounts when `owner` lacks `amount`; approves `spender` when the allowance is short.
    pub async fn ensure_balance_and_allowance(
        &self,
        owner: Address,
        spender: Address,
        amount: U256,
        purpose: &str,
    ) -> Result<(), ClientError> {
        let token = self.token();
        let balance = self.balance(owner).await?;
        if balance < amount {
            return Err(ClientError::InsufficientBalance {
                token: format!("token {} (for {purpose})", self.deployment.token),
                account: owner,
                balance: balance.to_string(),
                needed: amount.to_string(),
            });
        }
        let allowance = token
            .allowance(owner, spender)
            .call()
            .await
            .map_err(|e| self.client.call_error("allowance", e))?;
        if allowance < amount {
            let call = "approve";
            let pending = token
                .approve(spender, amount)
                .send()
                .await
                .map_err(|e| self.client.call_error(call, e))?;
            self.client.confirm(call, pending).await?;
        }
        Ok(())
    }
}

/// The first `E` event in a receipt.
fn event<E: SolEvent>(receipt: &TransactionReceipt, call: &str) -> Result<E, ClientError> {
    receipt
        .decoded_log::<E>()
        .map(|log| log.data)
        .ok_or_else(|| ClientError::Rpc {
            call: call.to_string(),
            reason: format!("no {} event in the receipt", E::SIGNATURE),
        })
}

/// Ids and counters on chain are sequential and far below 2^64.
fn to_u64(value: U256) -> u64 {
    value.try_into().unwrap_or(u64::MAX)
}
