//! Deploys the four Datanet contracts through the bindings and records the deployment.

use crate::{
    deployment::{Deployment, PoolSettings},
    Client, ClientError,
};
use alloy::primitives::{Address, B256, U256};
use datanet_bindings::{
    attribution_pool::IAttributionPool::Config, AttributionPool, DatanetRegistry, DatanetToken,
    ModelRegistry,
};
use std::collections::BTreeMap;

/// What to deploy. `Default` is a devnet setup: a fresh token, the deployer as sole attestor,
/// guardian, treasury and owner.
#[derive(Clone, Debug, Default)]
pub struct DeployConfig {
    /// An existing ERC-20; `None` deploys a fresh `DatanetToken`.
    pub token: Option<Address>,
    /// Supply minted to the deployer when a fresh token is deployed.
    pub token_supply: U256,
    /// Attestors; empty means the deployer alone.
    pub attestors: Vec<Address>,
    /// Signatures needed per epoch; 0 means a majority of the attestors.
    pub threshold: u8,
    /// Seconds between an epoch's proposal and its claimability.
    pub challenge_period: u64,
    /// Protocol fee in basis points.
    pub protocol_fee_bps: u16,
    /// Fee and rejected-bond recipient; `None` means the deployer.
    pub treasury: Option<Address>,
    /// May veto and pause; `None` means the deployer.
    pub guardian: Option<Address>,
    /// May rotate attestors; `None` means the deployer.
    pub owner: Option<Address>,
}

/// Deploys token (unless given), `DatanetRegistry`, `ModelRegistry` and `AttributionPool`.
pub async fn deploy(client: &Client, config: &DeployConfig) -> Result<Deployment, ClientError> {
    let deployer = client.sender()?;
    let provider = client.provider();
    let treasury = config.treasury.unwrap_or(deployer);
    let guardian = config.guardian.unwrap_or(deployer);
    let owner = config.owner.unwrap_or(deployer);
    let attestors = if config.attestors.is_empty() {
        vec![deployer]
    } else {
        config.attestors.clone()
    };
    let threshold = if config.threshold == 0 {
        u8::try_from(attestors.len() / 2 + 1)
            .map_err(|_| ClientError::InvalidInput("too many attestors (at most 32)".into()))?
    } else {
        config.threshold
    };
    if usize::from(threshold) > attestors.len() {
        return Err(ClientError::InvalidInput(format!(
            "threshold {threshold} exceeds the {} attestors; pass --threshold between 1 and {}",
            attestors.len(),
            attestors.len()
        )));
    }

    let mut transactions = BTreeMap::new();
    let mut first_block = None;
    let mut record = |name: &str,
                      receipt: &alloy::rpc::types::TransactionReceipt|
     -> Result<Address, ClientError> {
        transactions.insert(name.to_string(), receipt.transaction_hash);
        first_block.get_or_insert(receipt.block_number.unwrap_or_default());
        receipt.contract_address.ok_or_else(|| ClientError::Rpc {
            call: format!("deploy {name}"),
            reason: "no contract address in receipt".into(),
        })
    };

    let token = match config.token {
        Some(token) => token,
        None => {
            let call = "deploy DatanetToken";
            let builder = DatanetToken::deploy_builder(
                provider,
                "Datanet Token".into(),
                "DATA".into(),
                deployer,
                config.token_supply,
            );
            let pending = builder
                .send()
                .await
                .map_err(|e| client.call_error(call, e))?;
            let receipt = client.confirm(call, pending).await?;
            record("DatanetToken", &receipt)?
        }
    };

    let call = "deploy DatanetRegistry";
    let pending = DatanetRegistry::deploy_builder(provider, token, treasury)
        .send()
        .await
        .map_err(|e| client.call_error(call, e))?;
    let datanet_registry = record("DatanetRegistry", &client.confirm(call, pending).await?)?;

    let call = "deploy ModelRegistry";
    let pending = ModelRegistry::deploy_builder(provider, datanet_registry)
        .send()
        .await
        .map_err(|e| client.call_error(call, e))?;
    let model_registry = record("ModelRegistry", &client.confirm(call, pending).await?)?;

    let call = "deploy AttributionPool";
    let pool_config = Config {
        token,
        modelRegistry: model_registry,
        treasury,
        protocolFeeBps: config.protocol_fee_bps,
        attestors: attestors.clone(),
        threshold,
        challengePeriod: config.challenge_period,
        guardian,
        owner,
    };
    let pending = AttributionPool::deploy_builder(provider, pool_config)
        .send()
        .await
        .map_err(|e| client.call_error(call, e))?;
    let attribution_pool = record("AttributionPool", &client.confirm(call, pending).await?)?;

    Ok(Deployment {
        chain_id: client.chain_id(),
        contracts_version: env!("CARGO_PKG_VERSION").to_string(),
        deployer,
        deployment_block: first_block.unwrap_or_default(),
        token,
        datanet_registry,
        model_registry,
        attribution_pool,
        transactions: transactions.into_iter().collect::<BTreeMap<String, B256>>(),
        settings: PoolSettings {
            attestors,
            threshold,
            challenge_period: config.challenge_period,
            protocol_fee_bps: config.protocol_fee_bps,
            treasury,
            guardian,
            owner,
        },
    })
}
