//! Deploys the four Datanet contracts through the bindings and records the deployment.

use crate::{
    deployment::{Deployment, PoolSettings, RegistrySettings},
    Client, ClientError,
};
use alloy::{
    primitives::{Address, B256, U256},
    rpc::types::TransactionReceipt,
};
use datanet_bindings::{
    attribution_pool::IAttributionPool::Config, AttributionPool, DatanetRegistry, DatanetToken,
    ModelRegistry,
};
use std::collections::BTreeMap;

/// What to deploy. Unset roles go to the deployer, no token deploys a fresh one; see
/// [`DeployConfig::devnet`] for values a local chain accepts.
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
    /// Seconds a commitment must wait before its reveal (at least 1).
    pub min_commitment_age: u32,
    /// Seconds after which an unrevealed commitment expires (above the minimum, at most 2^24 − 1).
    pub max_commitment_age: u32,
}

impl DeployConfig {
    /// A devnet: the given token supply, commitment ages of 1 s to 1 day, a one-hour challenge
    /// period (the pool's minimum), a 5% protocol fee, the deployer in every role.
    pub fn devnet(token_supply: U256) -> Self {
        Self {
            token_supply,
            challenge_period: 3_600,
            protocol_fee_bps: 500,
            min_commitment_age: 1,
            max_commitment_age: 86_400,
            ..Default::default()
        }
    }
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
        attestors.len() / 2 + 1
    } else {
        usize::from(config.threshold)
    };
    let threshold = match u8::try_from(threshold) {
        Ok(t) if usize::from(t) <= attestors.len() => t,
        _ => {
            return Err(ClientError::BadThreshold {
                threshold,
                attestors: attestors.len(),
            })
        }
    };

    let mut transactions = BTreeMap::new();
    let mut first_block = None;
    let mut deployed =
        |name: &'static str, receipt: TransactionReceipt| -> Result<Address, ClientError> {
            transactions.insert(name.to_string(), receipt.transaction_hash);
            first_block.get_or_insert(receipt.block_number.unwrap_or_default());
            receipt
                .contract_address
                .ok_or_else(|| ClientError::MissingEvent {
                    call: format!("deploy {name}"),
                    event: "contract creation",
                    tx: receipt.transaction_hash,
                })
        };

    let token = match config.token {
        Some(token) => token,
        None => {
            let tx = DatanetToken::deploy_builder(
                provider,
                "Datanet Token".into(),
                "DATA".into(),
                deployer,
                config.token_supply,
            )
            .into_transaction_request();
            deployed(
                "DatanetToken",
                client.send("deploy DatanetToken", tx).await?,
            )?
        }
    };

    let tx = DatanetRegistry::deploy_builder(
        provider,
        token,
        treasury,
        config.min_commitment_age,
        config.max_commitment_age,
    )
    .into_transaction_request();
    let datanet_registry = deployed(
        "DatanetRegistry",
        client.send("deploy DatanetRegistry", tx).await?,
    )?;

    let tx = ModelRegistry::deploy_builder(provider, datanet_registry).into_transaction_request();
    let model_registry = deployed(
        "ModelRegistry",
        client.send("deploy ModelRegistry", tx).await?,
    )?;

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
    let tx = AttributionPool::deploy_builder(provider, pool_config).into_transaction_request();
    let attribution_pool = deployed(
        "AttributionPool",
        client.send("deploy AttributionPool", tx).await?,
    )?;

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
        registry: RegistrySettings {
            min_commitment_age: config.min_commitment_age,
            max_commitment_age: config.max_commitment_age,
        },
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
