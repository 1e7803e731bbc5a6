//! The `datanet` command line: one module per command, sharing cast's option groups.

mod deploy;

use anyhow::Result;
use clap::{Parser, Subcommand};
use datanet_cli::{
    opts::{RpcOpts, WalletOpts},
    Client,
};

/// Datanet: contribute data, pay for model outputs, attribute and claim rewards.
#[derive(Parser)]
#[command(name = "datanet", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Deploy the Datanet contracts and write deployments/<chainId>.json.
    Deploy(deploy::DeployArgs),
}

/// Options every chain-facing command takes.
#[derive(clap::Args, Clone, Debug)]
pub struct Common {
    #[command(flatten)]
    pub rpc: RpcOpts,
    #[command(flatten)]
    pub wallet: WalletOpts,
    /// Print machine-readable JSON only.
    #[arg(long, global = true)]
    pub json: bool,
}

impl Common {
    /// Connects with the wallet (if any was given).
    pub async fn client(&self) -> Result<Client> {
        let signer = self.wallet.signer()?;
        Ok(Client::connect(&self.rpc.rpc_url, signer).await?)
    }
}

pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Deploy(args) => deploy::run(args).await,
    }
}

/// Prints `value` as pretty JSON.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
