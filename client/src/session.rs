//! A [`Client`] bound to one [`Deployment`]: typed operations over the four contracts.

use crate::{
    token::{Amount, Token},
    Client, ClientError, Deployment,
};
use alloy::{
    primitives::{keccak256, Address, B256, U256},
    providers::DynProvider,
    rpc::types::{Filter, TransactionReceipt},
    sol_types::{SolEvent, SolValue},
};
use datanet_bindings::{
    datanet_registry::IDatanetRegistry,
    AttributionPool::{self, AttributionPoolInstance},
    DatanetRegistry::{self, DatanetRegistryInstance},
    DatanetToken::{self, DatanetTokenInstance},
    ModelRegistry::{self, ModelRegistryInstance},
};
use serde::Serialize;
use std::{path::Path, sync::Arc};
use tokio::sync::OnceCell;

/// Contributions sent per transaction: ~27k gas each keeps a batch far below block gas limits.
pub const DEFAULT_CONTRIBUTE_BATCH: usize = 250;
/// Payments sent per transaction.
pub const DEFAULT_PAY_BATCH: usize = 250;

/// Lifecycle of a contribution, as the registry stores it. A rejected id is free again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Status {
    None,
    Pending,
    Accepted,
    Rejected,
    Retired,
}

impl From<IDatanetRegistry::Status> for Status {
    fn from(status: IDatanetRegistry::Status) -> Self {
        match status {
            IDatanetRegistry::Status::Pending => Self::Pending,
            IDatanetRegistry::Status::Accepted => Self::Accepted,
            IDatanetRegistry::Status::Rejected => Self::Rejected,
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
    /// In base units of the deployment token.
    #[serde(with = "crate::serde_u256")]
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
    /// Reveal time (unix seconds).
    pub submitted_at: u64,
    /// Commit time (unix seconds): `submitted_at` minus the commitment's age at the reveal.
    pub committed_at: u64,
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
    token: Arc<OnceCell<Token>>,
}

impl Session {
    /// A session on `deployment`, trusted as given (see [`Session::open`] for the checked way).
    pub fn new(client: Client, deployment: Deployment) -> Self {
        Self {
            client,
            deployment,
            token: Arc::new(OnceCell::new()),
        }
    }

    /// Loads `<dir>/<chainId>.json` for the client's chain and checks the contracts exist there.
    pub async fn open(client: Client, deployments_dir: &Path) -> Result<Self, ClientError> {
        let deployment = Deployment::load_for_chain(deployments_dir, client.chain_id())?;
        client.check_deployment(&deployment).await?;
        Ok(Self::new(client, deployment))
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

    /// The ERC-20 of bonds and payments, through the `DatanetToken` bindings (only its ERC-20
    /// functions are used on tokens deployed elsewhere).
    pub fn token_contract(&self) -> DatanetTokenInstance<DynProvider> {
        DatanetToken::new(self.deployment.token, self.client.provider().clone())
    }

    /// The token's symbol and decimals, read once per session.
    pub async fn token(&self) -> Result<&Token, ClientError> {
        self.token
            .get_or_try_init(|| async {
                let contract = self.token_contract();
                let decimals = contract
                    .decimals()
                    .call()
                    .await
                    .map_err(|e| self.client.call_error("decimals", e))?;
                // A token without a readable symbol is still usable: say "tokens".
                let symbol = contract
                    .symbol()
                    .call()
                    .await
                    .unwrap_or_else(|_| "tokens".to_string());
                Ok(Token {
                    address: self.deployment.token,
                    symbol,
                    decimals,
                })
            })
            .await
    }

    /// Parses a typed amount in the token's units.
    pub async fn parse_amount(&self, text: &str) -> Result<U256, ClientError> {
        Ok(self.token().await?.parse(text)?)
    }

    /// `value` base units, for display.
    pub async fn amount(&self, value: U256) -> Result<Amount, ClientError> {
        Ok(self.token().await?.amount(value))
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
        let tx = self
            .registry()
            .createDatanet(metadata_uri.to_string(), bond, review_period)
            .into_transaction_request();
        let receipt = self.client.send(call, tx).await?;
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
            return Err(ClientError::DatanetNotFound {
                datanet_id,
                count: self.datanet_count().await?,
            });
        }
        let latest = self.client.latest_block().await?;
        let by_id = Filter::new()
            .address(self.deployment.datanet_registry)
            .topic1(U256::from(datanet_id));
        let from = self.deployment.deployment_block;
        let created = self
            .client
            .events::<DatanetRegistry::DatanetCreated>(by_id.clone(), from, latest)
            .await?;
        let metadata_uri = created
            .first()
            .map(|(e, _)| e.metadataURI.clone())
            .unwrap_or_default();
        let mut curators: Vec<Address> = Vec::new();
        for (e, _) in self
            .client
            .events::<DatanetRegistry::CuratorSet>(by_id, from, latest)
            .await?
        {
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
        let tx = self
            .registry()
            .setCurator(U256::from(datanet_id), curator, enabled)
            .into_transaction_request();
        self.client.send("setCurator", tx).await
    }

    /* CONTRIBUTIONS */

    /// The id a content hash has in a datanet (computed locally, as the contract does).
    pub fn contribution_id(datanet_id: u64, content_hash: B256) -> B256 {
        keccak256((U256::from(datanet_id), content_hash).abi_encode())
    }

    /// Reads many contributions, 1,000 per call.
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
                    submitted_at: u64::from(c.submittedAt),
                    committed_at: u64::from(c.submittedAt).saturating_sub(c.commitAge.to::<u64>()),
                    status: c.status.into(),
                });
            }
        }
        Ok(out)
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
        let tx = self
            .registry()
            .reviewBatch(ids.to_vec(), accept)
            .into_transaction_request();
        self.client.send(call, tx).await
    }

    /// Accepts a contribution whose review period passed (and whose commitment is older than the
    /// maximum commitment age, so no earlier commitment to the same content can still be revealed).
    pub async fn finalize(&self, id: B256) -> Result<TransactionReceipt, ClientError> {
        let tx = self.registry().finalize(id).into_transaction_request();
        self.client.send("finalize", tx).await
    }

    /// Retires accepted contributions of the sender: later epochs no longer attribute to them.
    pub async fn retire(&self, ids: &[B256]) -> Result<Vec<TransactionReceipt>, ClientError> {
        let mut sent = Vec::with_capacity(ids.len());
        for id in ids {
            let tx = self.registry().retire(*id).into_transaction_request();
            sent.push(self.client.submit("retire", tx).await?);
        }
        let mut receipts = Vec::with_capacity(sent.len());
        for tx in &sent {
            receipts.push(self.client.confirm(tx).await?);
        }
        Ok(receipts)
    }

    /// Review outcomes of `account` in `datanet_id`: (accepted, rejected).
    pub async fn reputation(
        &self,
        datanet_id: u64,
        account: Address,
    ) -> Result<(u128, u128), ClientError> {
        let r = self
            .registry()
            .reputationOf(U256::from(datanet_id), account)
            .call()
            .await
            .map_err(|e| self.client.call_error("reputationOf", e))?;
        Ok((r.accepted, r.rejected))
    }

    /// The registry's minimum and maximum commitment ages, in seconds.
    pub async fn commitment_ages(&self) -> Result<(u64, u64), ClientError> {
        let registry = self.registry();
        let min = registry
            .minCommitmentAge()
            .call()
            .await
            .map_err(|e| self.client.call_error("minCommitmentAge", e))?;
        let max = registry
            .maxCommitmentAge()
            .call()
            .await
            .map_err(|e| self.client.call_error("maxCommitmentAge", e))?;
        Ok((to_u64(min), to_u64(max)))
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
        let tx = self
            .models()
            .registerModel(metadata_uri.to_string(), ids, owner_share_bps)
            .into_transaction_request();
        let receipt = self.client.send(call, tx).await?;
        let event = event::<ModelRegistry::ModelRegistered>(&receipt, call)?;
        Ok((to_u64(event.modelId), receipt))
    }

    /// Moves `model_id`'s data cutoff forward to `cutoff_block` (default: the latest block): outputs
    /// paid from then on are attributed to contributions revealed up to that block.
    pub async fn set_data_cutoff(
        &self,
        model_id: u64,
        cutoff_block: Option<u64>,
    ) -> Result<(u64, TransactionReceipt), ClientError> {
        let block = match cutoff_block {
            Some(b) => b,
            None => self.client.latest_block().await?,
        };
        let tx = self
            .models()
            .setDataCutoff(U256::from(model_id), block)
            .into_transaction_request();
        let receipt = self.client.send("setDataCutoff", tx).await?;
        Ok((block, receipt))
    }

    /// Fails with [`ClientError::ModelNotFound`] unless the model exists.
    pub async fn check_model(&self, model_id: u64) -> Result<(), ClientError> {
        let model = self
            .models()
            .getModel(U256::from(model_id))
            .call()
            .await
            .map_err(|e| self.client.call_error("getModel", e))?;
        if model.owner == Address::ZERO {
            let count = self
                .models()
                .modelCount()
                .call()
                .await
                .map_err(|e| self.client.call_error("modelCount", e))?;
            return Err(ClientError::ModelNotFound {
                model_id,
                count: to_u64(count),
            });
        }
        Ok(())
    }

    /* TOKENS AND REWARDS */

    /// Token balance of `account`.
    pub async fn balance(&self, account: Address) -> Result<U256, ClientError> {
        self.token_contract()
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

    /// The owner shares credited to `owner` and not withdrawn yet.
    pub async fn owner_credit(&self, owner: Address) -> Result<U256, ClientError> {
        self.pool()
            .ownerCredit(owner)
            .call()
            .await
            .map_err(|e| self.client.call_error("ownerCredit", e))
    }

    /// Sends `amount` tokens to `to`.
    pub async fn transfer(
        &self,
        to: Address,
        amount: U256,
    ) -> Result<TransactionReceipt, ClientError> {
        let tx = self
            .token_contract()
            .transfer(to, amount)
            .into_transaction_request();
        self.client.send("transfer", tx).await
    }

    /// Fails with the amounts when `owner` lacks `amount`; approves `spender` when the allowance is short.
    pub async fn ensure_balance_and_allowance(
        &self,
        owner: Address,
        spender: Address,
        amount: U256,
        purpose: &'static str,
    ) -> Result<(), ClientError> {
        let balance = self.balance(owner).await?;
        if balance < amount {
            let token = self.token().await?;
            return Err(ClientError::InsufficientBalance {
                purpose,
                account: owner,
                balance,
                needed: amount,
                token: Box::new(token.clone()),
            });
        }
        let allowance = self
            .token_contract()
            .allowance(owner, spender)
            .call()
            .await
            .map_err(|e| self.client.call_error("allowance", e))?;
        if allowance < amount {
            let tx = self
                .token_contract()
                .approve(spender, amount)
                .into_transaction_request();
            self.client.send("approve", tx).await?;
        }
        Ok(())
    }
}

/// The first `E` event in a receipt.
pub(crate) fn event<E: SolEvent>(
    receipt: &TransactionReceipt,
    call: &str,
) -> Result<E, ClientError> {
    receipt
        .decoded_log::<E>()
        .map(|log| log.data)
        .ok_or_else(|| ClientError::MissingEvent {
            call: call.to_string(),
            event: E::SIGNATURE,
            tx: receipt.transaction_hash,
        })
}

/// Ids and counters on chain are sequential and far below 2^64.
pub(crate) fn to_u64(value: U256) -> u64 {
    value.try_into().unwrap_or(u64::MAX)
}
