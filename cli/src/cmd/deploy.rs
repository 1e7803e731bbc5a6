//! `datanet deploy`.

use super::{print_json, Common};
use crate::ui::parse_duration;
use alloy::primitives::Address;
use anyhow::Result;
use clap::Args;
use datanet_client::{deploy, DeployConfig, Deployment, Token};
use std::path::PathBuf;

/// Deploys token (unless --token), DatanetRegistry, ModelRegistry and AttributionPool. A bare
/// `datanet deploy` on a devnet deploys a fresh token and makes the deployer sole attestor,
/// guardian and treasury.
#[derive(Args)]
pub struct DeployArgs {
    #[command(flatten)]
    common: Common,
    /// Use this existing ERC-20 for bonds and payments instead of deploying a fresh token.
    #[arg(long, value_name = "ADDRESS")]
    token: Option<Address>,
    /// Supply of a freshly deployed token (DatanetToken, 18 decimals), in whole tokens.
    #[arg(
        long,
        default_value = "1000000000",
        value_name = "TOKENS",
        allow_hyphen_values = true
    )]
    token_supply: String,
    /// An attestor address; repeat for several. Default: the deployer.
    #[arg(long = "attestor", value_name = "ADDRESS")]
    attestors: Vec<Address>,
    /// Attestor signatures needed per epoch. Default: a majority.
    #[arg(long, default_value_t = 0)]
    threshold: u8,
    /// Time between an epoch's proposal and its claimability (1h to 30d): 3600, 12h, 1d.
    #[arg(long, default_value = "1d", value_name = "DURATION")]
    challenge_period: String,
    /// Time a commitment must wait before its reveal.
    #[arg(long, default_value = "60", value_name = "DURATION")]
    min_commitment_age: String,
    /// Time after which an unrevealed commitment expires.
    #[arg(long, default_value = "1d", value_name = "DURATION")]
    max_commitment_age: String,
    /// Protocol fee in basis points of every inference payment.
    #[arg(long, default_value_t = 500, value_name = "BPS")]
    protocol_fee_bps: u16,
    /// Receives protocol fees and rejected bonds. Default: the deployer.
    #[arg(long, value_name = "ADDRESS")]
    treasury: Option<Address>,
    /// May veto epochs and pause the pool. Default: the deployer.
    #[arg(long, value_name = "ADDRESS")]
    guardian: Option<Address>,
    /// Owns the pool (rotates attestors). Default: the deployer.
    #[arg(long, value_name = "ADDRESS")]
    owner: Option<Address>,
    /// Where to write <chainId>.json. Default: --deployments.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Overwrite an existing deployment file for this chain.
    #[arg(long)]
    force: bool,
}

pub async fn run(args: DeployArgs) -> Result<()> {
    let client = args.common.client().await?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| args.common.deployments.clone());
    let path = Deployment::path(&dir, client.chain_id());
    if path.exists() && !args.force {
        return Err(datanet_client::ClientError::DeploymentExists { path }.into());
    }
    let fresh_token = Token {
        address: Address::ZERO,
        symbol: "DATA".into(),
        decimals: 18,
    };
    let token_supply = fresh_token.parse(&args.token_supply)?;
    let config = DeployConfig {
        token: args.token,
        token_supply,
        attestors: args.attestors.clone(),
        threshold: args.threshold,
        challenge_period: parse_duration(&args.challenge_period)?,
        min_commitment_age: age(&args.min_commitment_age)?,
        max_commitment_age: age(&args.max_commitment_age)?,
        protocol_fee_bps: args.protocol_fee_bps,
        treasury: args.treasury,
        guardian: args.guardian,
        owner: args.owner,
    };
    let deployment = deploy(&client, &config).await?;
    let path = deployment.save(&dir, args.force)?;
    if args.common.json {
        return print_json(&deployment);
    }
    println!(
        "Deployed Datanet {} on chain {}",
        deployment.contracts_version, deployment.chain_id
    );
    println!("  token            {}", deployment.token);
    println!("  DatanetRegistry  {}", deployment.datanet_registry);
    println!("  ModelRegistry    {}", deployment.model_registry);
    println!("  AttributionPool  {}", deployment.attribution_pool);
    println!("Wrote {}", path.display());
    Ok(())
}

fn age(text: &str) -> Result<u32> {
    let seconds = parse_duration(text)?;
    u32::try_from(seconds).map_err(|_| anyhow::anyhow!("commitment age {text:?} is too long"))
}
