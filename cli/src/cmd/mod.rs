//! The `datanet` command line: one module per command, sharing cast's option groups.

mod attribute;
mod balance;
mod completions;
mod contribute;
mod datanet;
mod deploy;
mod devnet;
pub mod epoch;
mod impact;
mod model;
mod pay;
mod pool;
mod reveal;
mod review;
mod rewards;
mod sync;
mod tree;

pub use crate::opts::Common;
pub use crate::ui::print_json;
use anyhow::Result;
use clap::{Parser, Subcommand};

/// Exit status of `epoch verify` when the recomputed epoch differs from the folder or the chain.
pub const EXIT_MISMATCH: u8 = 3;

const EXIT_CODES: &str = "\
Exit status:
  0  success
  1  error (the message names what failed and, where there is one, the fix)
  2  usage error (unknown flag, missing argument)
  3  verification mismatch (`epoch verify`: the recomputed epoch differs from the folder or the chain)

Logging: RUST_LOG=datanet_client=debug (to stderr; keys and passwords are never logged).";

/// Datanet: contribute data, pay for model outputs, attribute and claim rewards.
#[derive(Parser)]
#[command(name = "datanet", version, propagate_version = true, after_help = EXIT_CODES)]
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
    /// Datanets: create, show, list contributions, curators.
    Datanet(datanet::DatanetArgs),
    /// Register data files in a datanet: commit, wait, reveal (batched, idempotent).
    Contribute(contribute::ContributeArgs),
    /// Gasless contributions: sign reveals for a relayer; relay them.
    Reveal(reveal::RevealArgs),
    /// Accept or reject pending contributions (curators and owners).
    Review(review::ReviewArgs),
    /// Accept a contribution whose review period passed without a review.
    Finalize(review::FinalizeArgs),
    /// Retire accepted contributions of yours from later epochs.
    Retire(review::RetireArgs),
    /// Models: register, move the data cutoff, withdraw the owner share.
    Model(model::ModelArgs),
    /// Pay for model outputs (idempotent: outputs you already paid for are skipped).
    Pay(pay::PayArgs),
    /// The corpus: fetch every accepted contribution's file by its URI into a checked cache.
    Corpus(sync::CorpusArgs),
    /// Build an epoch: attribute paid outputs to contributed data; write report, tree and epoch file.
    #[command(long_about = attribute::LONG_ABOUT)]
    Attribute(attribute::AttributeArgs),
    /// Sign, propose, accept, veto and verify reward epochs.
    Epoch(epoch::EpochArgs),
    /// The pool: show its state; pause and unpause (guardian).
    Pool(pool::PoolArgs),
    /// Replace the guardian (owner proposes, anyone accepts after the delay).
    Guardian(pool::GuardianArgs),
    /// Rotate the attestor set (owner proposes and accepts after the delay; guardian may cancel).
    Attestors(pool::AttestorsArgs),
    /// See and claim rewards from an epoch's reward tree.
    Rewards(rewards::RewardsArgs),
    /// A contributor's contributions, credits and earnings per epoch, checked on chain.
    Impact(impact::ImpactArgs),
    /// Build OpenZeppelin-compatible reward trees and proofs.
    Tree(tree::TreeArgs),
    /// Token balance, claimed rewards and owner credit of an account.
    Balance(balance::BalanceArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionsArgs),
}

pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Deploy(args) => deploy::run(args).await,
        Command::Devnet(args) => devnet::run(args).await,
        Command::Datanet(args) => datanet::run(args).await,
        Command::Contribute(args) => contribute::run(args).await,
        Command::Reveal(args) => reveal::run(args).await,
        Command::Review(args) => review::review(args).await,
        Command::Finalize(args) => review::finalize(args).await,
        Command::Retire(args) => review::retire(args).await,
        Command::Model(args) => model::run(args).await,
        Command::Pay(args) => pay::run(args).await,
        Command::Balance(args) => balance::run(args).await,
        Command::Rewards(args) => rewards::run(args).await,
        Command::Corpus(args) => sync::run(args).await,
        Command::Attribute(args) => attribute::run(args).await,
        Command::Epoch(args) => epoch::run(args).await,
        Command::Pool(args) => pool::run(args).await,
        Command::Guardian(args) => pool::guardian(args).await,
        Command::Attestors(args) => pool::attestors(args).await,
        Command::Impact(args) => impact::run(args).await,
        Command::Tree(args) => tree::run(args),
        Command::Completions(args) => completions::run(args),
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn every_command_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_documents_the_exit_codes() {
        let help = Cli::command().render_long_help().to_string();
        for line in [
            "0  success",
            "1  error",
            "2  usage",
            "3  verification mismatch",
        ] {
            assert!(help.contains(line), "{help}");
        }
    }

    /// A keystore is `--account NAME` everywhere; an address is `--address` everywhere.
    #[test]
    fn one_flag_one_meaning() {
        fn walk(cmd: &clap::Command, path: &str) {
            for arg in cmd.get_arguments() {
                match arg.get_long() {
                    Some("account") => assert_eq!(
                        arg.get_value_names().map(|v| v[0].as_str()),
                        Some("NAME"),
                        "{path} --account must name a keystore"
                    ),
                    Some("address") => assert_eq!(
                        arg.get_value_names().map(|v| v[0].as_str()),
                        Some("ADDRESS"),
                        "{path} --address"
                    ),
                    _ => {}
                }
                if arg.is_positional() {
                    let name = arg.get_id().as_str();
                    assert!(
                        name != "address" && name != "account",
                        "{path}: an account is passed as --address, not as a positional"
                    );
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()));
            }
        }
        walk(&Cli::command(), "datanet");
    }
}
