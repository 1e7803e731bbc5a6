//! `datanet devnet`: a local anvil with persisted state, the contracts deployed, demo accounts funded.

use super::print_json;
use alloy::{node_bindings::Anvil, signers::local::PrivateKeySigner};
use anyhow::{Context, Result};
use clap::Args;
use datanet_client::{deploy, Client, DeployConfig, Deployment, RpcConfig, Session, Token};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Start a local chain (anvil from the project's npm tools) with state kept in --state-dir, deploy the
/// contracts if this chain has none, fund the demo accounts, and run until Ctrl-C.
#[derive(Args)]
pub struct DevnetArgs {
    /// Port to listen on.
    #[arg(long, default_value_t = 8545)]
    port: u16,
    /// Folder for the chain state (reloaded on the next start).
    #[arg(long, default_value = ".devnet", value_name = "DIR")]
    state_dir: PathBuf,
    /// Folder for deployment files.
    #[arg(
        long,
        env = "DATANET_DEPLOYMENTS",
        default_value = "deployments",
        value_name = "DIR"
    )]
    deployments: PathBuf,
    /// The anvil binary; default: node_modules/.bin/anvil in this folder or a parent, else `anvil` on PATH.
    #[arg(long, value_name = "PATH")]
    anvil: Option<PathBuf>,
    /// Tokens minted to each demo account on first start.
    #[arg(
        long,
        default_value = "100000",
        value_name = "TOKENS",
        allow_hyphen_values = true
    )]
    fund: String,
    /// Print the endpoint, deployment and accounts as JSON (then keep running).
    #[arg(long)]
    json: bool,
}

fn find_anvil(explicit: Option<PathBuf>) -> PathBuf {
    if let Some(path) = explicit {
        return path;
    }
    let mut dir = std::env::current_dir().ok();
    while let Some(d) = dir {
        let candidate = d.join("node_modules/.bin/anvil");
        if candidate.exists() {
            return candidate;
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    PathBuf::from("anvil")
}

pub async fn run(args: DevnetArgs) -> Result<()> {
    std::fs::create_dir_all(&args.state_dir)
        .with_context(|| format!("cannot create state folder {}", args.state_dir.display()))?;
    let state = args.state_dir.join("state.json");
    let anvil_path = find_anvil(args.anvil.clone());
    let anvil = Anvil::new()
        .path(&anvil_path)
        .port(args.port)
        .arg("--state")
        .arg(&state)
        .arg("--state-interval")
        .arg("5")
        .try_spawn()
        .with_context(|| {
            format!(
                "cannot start {} on port {} (is the port free? run `npm ci` for the project's anvil, or pass --anvil)",
                anvil_path.display(),
                args.port
            )
        })?;
    let url = anvil.endpoint();
    let deployer = PrivateKeySigner::from(anvil.keys()[0].clone());
    let client = Client::connect(&RpcConfig::new(url.clone()), Some(deployer)).await?;

    let existing = match Deployment::load_for_chain(&args.deployments, client.chain_id()) {
        Ok(d) if client.check_deployment(&d).await.is_ok() => Some(d),
        _ => None,
    };
    let fresh = existing.is_none();
    let fresh_token = Token {
        address: alloy::primitives::Address::ZERO,
        symbol: "DATA".into(),
        decimals: 18,
    };
    let deployment = match existing {
        Some(d) => d,
        None => {
            let supply = fresh_token.parse("1000000000")?;
            let config = DeployConfig::devnet(supply);
            let d = deploy(&client, &config).await?;
            d.save(&args.deployments, true)?;
            d
        }
    };
    let session = Session::new(client, deployment);
    let accounts: Vec<_> = anvil.addresses().to_vec();
    if fresh {
        let amount = session.parse_amount(&args.fund).await?;
        for account in accounts.iter().skip(1) {
            session.transfer(*account, amount).await?;
        }
    }
    let token = session.token().await?.clone();
    let mut balances = Vec::new();
    for account in &accounts {
        balances.push(session.balance(*account).await?);
    }

    if args.json {
        print_json(&json!({
            "rpcUrl": url,
            "chainId": session.client.chain_id(),
            "deployment": session.deployment,
            "accounts": accounts.iter().zip(&balances).enumerate().map(|(i, (a, b))| json!({"index": i, "address": a, "balance": b.to_string()})).collect::<Vec<_>>(),
        }))?;
    } else {
        println!(
            "devnet on {url} (chain {}), state in {}",
            session.client.chain_id(),
            state.display()
        );
        println!(
            "{} deployment {}",
            if fresh { "new" } else { "existing" },
            Deployment::path(&args.deployments, session.client.chain_id()).display()
        );
        println!("  AttributionPool  {}", session.deployment.attribution_pool);
        println!("  DatanetRegistry  {}", session.deployment.datanet_registry);
        println!("accounts (anvil's public test accounts; sign with --mnemonic-index N and anvil's test mnemonic):");
        for (i, (a, b)) in accounts.iter().zip(&balances).enumerate() {
            println!("  {i}  {a}  {}", token.amount(*b));
        }
        println!("Ctrl-C to stop; the state is saved and reloaded next time.");
    }
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    // Ask anvil to dump its state and exit; dropping the handle kills it if it has not.
    let _ = std::process::Command::new("kill")
        .arg("-INT")
        .arg(anvil.child().id().to_string())
        .status();
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    drop(anvil);
    if !args.json {
        println!("\nstopped; state saved in {}", state.display());
    }
    Ok(())
}
