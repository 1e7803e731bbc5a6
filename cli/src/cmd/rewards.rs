//! `datanet rewards show|claim`: cumulative rewards from an epoch's reward tree.

use super::{print_json, Common};
use crate::opts::GatewayOpts;
use alloy::primitives::Address;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use datanet_client::{epoch::read_tree, rewards::published_current_epoch};
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
    /// Default: the current epoch's published report (its on-chain reportURI), checked against the
    /// on-chain report hash and root.
    #[arg(long, value_name = "PATH")]
    tree: Option<PathBuf>,
    #[command(flatten)]
    gateway: GatewayOpts,
    /// The account; defaults to the wallet's address. Anyone may claim for anyone: funds go to the account.
    #[arg(long, value_name = "ADDRESS")]
    address: Option<Address>,
}

pub async fn run(args: RewardsArgs) -> Result<()> {
    let (opts, claim) = match args.action {
        RewardsAction::Show(o) => (o, false),
        RewardsAction::Claim(o) => (o, true),
    };
    let local = match &opts.tree {
        Some(path) => Some(
            read_tree(path)
                .with_context(|| format!("cannot read reward tree {}", path.display()))?,
        ),
        None => None,
    };
    let session = opts.common.session().await?;
    let (tree, report_uri) = match local {
        Some(tree) => (tree, None),
        None => {
            let fetcher = opts.gateway.fetcher()?;
            let published = published_current_epoch(&session, &fetcher).await?;
            (published.tree, Some(published.uri))
        }
    };
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
                "reportURI": report_uri,
                "token": token,
            }));
        }
        println!("account      {}", p.account);
        if let Some(uri) = &report_uri {
            println!("report       {uri}");
        }
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
            "reportURI": report_uri,
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
