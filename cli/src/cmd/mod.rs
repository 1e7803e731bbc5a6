//! The `datanet` command line: one module per command, sharing cast's option groups.

mod attribute;
mod balance;
mod contribute;
mod datanet;
mod deploy;
mod devnet;
mod epoch;
mod impact;
mod model;
mod pay;
mod review;
mod rewards;
mod tree;
mod util;

use anyhow::Result;
use clap::{Parser, Subcommand};
use datanet_cli::{
    opts::{RpcOpts, WalletOpts},
    Client, Session,
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
    /// Start a local chain with the contracts deployed and demo accounts funded.
    Devnet(devnet::DevnetArgs),
    /// Create a datanet owned by your account.
    Create(datanet::CreateArgs),
    /// Show a datanet.
    Show(datanet::ShowArgs),
    /// Add or remove curators of a datanet you own.
    Curator(datanet::CuratorArgs),
    /// Register data files in a datanet (batched, idempotent).
    Contribute(contribute::ContributeArgs),
    /// Accept or reject pending contributions (curators and owners).
    Review(review::ReviewArgs),
    /// Accept a contribution whose review period passed without a review.
    Finalize(review::FinalizeArgs),
    /// Register models.
    Model(model::ModelArgs),
    /// Pay for model outputs.
    Pay(pay::PayArgs),
    /// Build an epoch: attribute paid outputs to contributed data; write report, tree and epoch file.
    Attribute(attribute::AttributeArgs),
    /// Sign, propose, accept and verify reward epochs.
    Epoch(epoch::EpochArgs),
    /// See and claim rewards from an epoch's reward tree.
    Rewards(rewards::RewardsArgs),
    /// A contributor's contributions, credits and earnings per epoch, checked on chain.
    Impact(impact::ImpactArgs),
    /// Build OpenZeppelin-compatible reward trees and proofs.
    Tree(tree::TreeArgs),
    /// Token balance, claimed rewards and owner credit of an account.
    Balance(balance::BalanceArgs),
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

    /// Connects and loads the chain's deployment.
    pub async fn session(&self) -> Result<Session> {
        Ok(Session::open(self.client().await?, &self.rpc.deployments).await?)
    }
}

pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Deploy(args) => deploy::run(args).await,
        Command::Devnet(args) => devnet::run(args).await,
        Command::Create(args) => datanet::create(args).await,
        Command::Show(args) => datanet::show(args).await,
        Command::Curator(args) => datanet::curator(args).await,
        Command::Contribute(args) => contribute::run(args).await,
        Command::Review(args) => review::review(args).await,
        Command::Finalize(args) => review::finalize(args).await,
        Command::Model(args) => model::run(args).await,
        Command::Pay(args) => pay::run(args).await,
        Command::Balance(args) => balance::run(args).await,
        Command::Rewards(args) => rewards::run(args).await,
        Command::Attribute(args) => attribute::run(args).await,
        Command::Epoch(args) => epoch::run(args).await,
        Command::Impact(args) => impact::run(args).await,
        Command::Tree(args) => tree::run(args),
    }
}

/// Prints `value` as pretty JSON.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn every_command_is_well_formed() {
        Cli::command().debug_assert();
    }
}
