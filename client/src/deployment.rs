//! `deployments/<chainId>.json`: where a network's Datanet contracts live and how they were configured.

use crate::ClientError;
use alloy::primitives::{Address, B256};
use serde::{Deserialize, Serialize};
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

/// One network's deployment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Version of the contracts (the workspace version).
    pub contracts_version: String,
    /// The account that deployed.
    pub deployer: Address,
    /// Block of the first deployment transaction; event scans start here.
    pub deployment_block: u64,
    /// The ERC-20 used for bonds and payments.
    pub token: Address,
    /// `DatanetRegistry`.
    pub datanet_registry: Address,
    /// `ModelRegistry`.
    pub model_registry: Address,
    /// `AttributionPool`.
    pub attribution_pool: Address,
    /// Deployment transaction per contract (the token's only if it was deployed here).
    pub transactions: BTreeMap<String, B256>,
    /// The registry's configuration.
    #[serde(default)]
    pub registry: RegistrySettings,
    /// The pool's configuration at deployment.
    pub settings: PoolSettings,
}

/// The `DatanetRegistry` configuration (immutable).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrySettings {
    pub min_commitment_age: u32,
    pub max_commitment_age: u32,
}

/// The `AttributionPool` configuration recorded at deployment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolSettings {
    pub attestors: Vec<Address>,
    pub threshold: u8,
    pub challenge_period: u64,
    pub protocol_fee_bps: u16,
    pub treasury: Address,
    pub guardian: Address,
    pub owner: Address,
}

impl Deployment {
    /// `dir/<chainId>.json`.
    pub fn path(dir: &Path, chain_id: u64) -> PathBuf {
        dir.join(format!("{chain_id}.json"))
    }

    /// Loads the deployment of `chain_id` from `dir`.
    pub fn load_for_chain(dir: &Path, chain_id: u64) -> Result<Self, ClientError> {
        let path = Self::path(dir, chain_id);
        if !path.exists() {
            return Err(ClientError::NoDeployment { chain_id, path });
        }
        let deployment = Self::load(&path)?;
        if deployment.chain_id != chain_id {
            return Err(ClientError::WrongChain {
                expected: deployment.chain_id,
                actual: chain_id,
            });
        }
        Ok(deployment)
    }

    /// Loads a deployment file.
    pub fn load(path: &Path) -> Result<Self, ClientError> {
        let text = std::fs::read_to_string(path).map_err(|e| ClientError::BadDeployment {
            path: path.to_path_buf(),
            source: e.into(),
        })?;
        serde_json::from_str(&text).map_err(|e| ClientError::BadDeployment {
            path: path.to_path_buf(),
            source: e.into(),
        })
    }

    /// Writes `dir/<chainId>.json`, refusing to replace an existing file unless `force`.
    /// The file is written to a temporary name and renamed, so a crash never leaves half a file.
    pub fn save(&self, dir: &Path, force: bool) -> Result<PathBuf, ClientError> {
        let path = Self::path(dir, self.chain_id);
        if path.exists() && !force {
            return Err(ClientError::DeploymentExists { path });
        }
        std::fs::create_dir_all(dir).map_err(|e| ClientError::file(dir, e))?;
        let json = serde_json::to_string_pretty(self).map_err(|e| ClientError::file(&path, e))?;
        crate::files::write_atomic(&path, (json + "\n").as_bytes())?;
        Ok(path)
    }
}
