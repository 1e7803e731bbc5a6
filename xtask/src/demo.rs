//! `cargo xtask demo`: the end-to-end run on a local anvil that this task starts and stops.

use crate::toolchain::npm_bin;
use alloy::{node_bindings::Anvil, primitives::U256, signers::local::PrivateKeySigner};
use anyhow::{Context, Result};
use datanet_cli::{deploy, Client, DeployConfig};
use std::path::Path;

/// Starts anvil on a free port (stopped when this returns, also on failure), deploys through the
/// bindings and prints the addresses.
pub async fn run(root: &Path) -> Result<()> {
    let anvil = Anvil::new()
        .path(npm_bin(root, "anvil"))
        .try_spawn()
        .context("starting anvil from node_modules (run `cargo xtask setup`)")?;
    println!(
        "anvil listening on {} (chain {})",
        anvil.endpoint(),
        anvil.chain_id()
    );

    let deployer = PrivateKeySigner::from(anvil.keys()[0].clone());
    let client = Client::connect(&anvil.endpoint(), Some(deployer)).await?;
    let config = DeployConfig {
        token_supply: U256::from(1_000_000_000u64) * U256::from(10u64).pow(U256::from(18u64)),
        challenge_period: 3_600,
        protocol_fee_bps: 500,
        ..Default::default()
    };
    let deployment = deploy(&client, &config).await?;
    println!("deployed through the bindings:");
    println!("  token            {}", deployment.token);
    println!("  DatanetRegistry  {}", deployment.datanet_registry);
    println!("  ModelRegistry    {}", deployment.model_registry);
    println!("  AttributionPool  {}", deployment.attribution_pool);
    client.check_deployment(&deployment).await?;
    println!("every contract has code; stopping anvil");
    Ok(())
}
