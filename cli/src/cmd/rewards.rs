//! `datanet rewards show|claim`: cumulative rewards from an epoch's reward tree.

use super::{print_json, Common};
use alloy::primitives::Address;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use datanet_client::epoch::read_tree;
use serde_json::json;
use std::path::PathBuf;

/// See and claim your rewards.
#[derive(Args)]
pub struct RewardsArgs {
    #[command(subcommand)]
    action: RewardsAction,
}

#[derive(Subcommand)]
enum RewardsAction {
    /// Cumulative amount in the tree, already claimed, and claimable now.
    Show(RewardsOpts),
    /// Claim everything the current root grants beyond what was claimed (one proof covers every epoch).
    Claim(RewardsOpts),
}

#[derive(Args)]
struct RewardsOpts {
    #[command(flatten)]
    common: Common,
    /// The epoch's reward tree (OpenZeppelin standard-v1 JSON), or the epoch folder holding tree.json.
    #[arg(long, value_name = "PATH")]
    tree: PathBuf,
    /// The account; defaults to the wallet's address. Anyone may claim for anyone: funds go to the account.
    #[arg(long, value_name = "ADDRESS")]
    address: Option<Address>,
}

pub async fn run(args: RewardsArgs) -> Result<()> {
    let (opts, claim) = match args.action {
        RewardsAction::Show(o) => (o, false),
        RewardsAction::Claim(o) => (o, true),
    };
    let tree = read_tree(&opts.tree)
        .with_context(|| format!("cannot read reward tree {}", opts.tree.display()))?;
    let session = opts.common.session().await?;
    let account = match opts.address {
        Some(a) => a,
        None => session.client.sender()?,
    };
    let token = session.token().await?.clone();
    if !claim {
        let p = session.reward_position(&tree, account).await?;
        if opts.common.json {
            return print_json(&json!({
                "account": p.account,
                "cumulative": p.cumulative.to_string(),
                "claimed": p.claimed.to_string(),
                "claimable": p.claimable().to_string(),
                "treeRoot": p.tree_root,
                "treeIsCurrentRoot": p.is_current_root,
                "token": token,
            }));
        }
        println!("account      {}", p.account);
        println!("cumulative   {}", token.amount(p.cumulative));
        println!("claimed      {}", token.amount(p.claimed));
        if p.is_current_root {
            println!("claimable    {}", token.amount(p.claimable()));
        } else {
            println!(
                "claimable    — this tree ({}) is not the pool's claimable root yet",
                p.tree_root
            );
        }
        return Ok(());
    }
    let c = session.claim_from_tree(&tree, account).await?;
    if opts.common.json {
        return print_json(&json!({
            "account": account,
            "amount": c.amount.to_string(),
            "received": c.received.to_string(),
            "cumulative": c.cumulative.to_string(),
            "transactionHash": c.receipt.transaction_hash,
        }));
    }
    println!(
        "{account} received {} (cumulative {})",
        token.amount(c.received),
        token.amount(c.cumulative)
    );
    Ok(())
}
