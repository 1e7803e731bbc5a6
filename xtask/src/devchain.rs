//! What the tasks that drive a local anvil (demo, bench, web-test) share: sessions for its dev keys
//! and its clock.

use alloy::{node_bindings::AnvilInstance, providers::Provider, signers::local::PrivateKeySigner};
use anyhow::Result;
use datanet_client::{Client, Deployment, RpcConfig, Session};

/// The signers of anvil's dev accounts, in account order.
pub fn dev_keys(anvil: &AnvilInstance) -> Vec<PrivateKeySigner> {
    anvil
        .keys()
        .iter()
        .cloned()
        .map(PrivateKeySigner::from)
        .collect()
}

/// A session of `key` on the node at `url`, over `deployment`.
pub async fn session(
    url: &str,
    key: &PrivateKeySigner,
    deployment: &Deployment,
) -> Result<Session> {
    let client = Client::connect(&RpcConfig::new(url.to_string()), Some(key.clone())).await?;
    Ok(Session::new(client, deployment.clone()))
}

/// anvil's clock: move it forward by `seconds` and mine a block.
pub async fn advance(session: &Session, seconds: u64) -> Result<()> {
    let provider = session.client.provider();
    provider
        .raw_request::<_, serde_json::Value>("evm_increaseTime".into(), (seconds,))
        .await?;
    provider
        .raw_request::<_, serde_json::Value>("evm_mine".into(), ())
        .await?;
    Ok(())
}
