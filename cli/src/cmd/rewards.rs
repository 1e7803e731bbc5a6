//! `datanet rewards show|claim`: cumulative rewards from an epoch's reward tree.

use super::{print_json, util::format_tokens, Common};
use alloy::primitives::{Address, U256};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use datanet_attribution::RewardTree;
use datanet_cli::Session;
use serde_json::json;
use std::path::{Path, PathBuf};

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

/// Loads a tree dump from a file or an epoch folder.
pub fn load_tree(path: &Path) -> Result<RewardTree> {
    let file = if path.is_dir() {
        path.join("tree.json")
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&file)
        .with_context(|| format!("cannot read reward tree {}", file.display()))?;
    RewardTree::load(&bytes)
        .with_context(|| format!("{} is not a standard-v1 reward tree", file.display()))
}

struct Position {
    account: Address,
    cumulative: U256,
    claimed: U256,
    root_matches: bool,
}

async fn position(session: &Session, tree: &RewardTree, account: Address) -> Result<Position> {
    let root = session
        .pool()
        .rewardsRoot()
        .call()
        .await
        .map_err(|e| session.client.call_error("rewardsRoot", e))?;
    let cumulative = tree.amount_of(account).unwrap_or(U256::ZERO);
    let claimed = session.claimed(account).await?;
    Ok(Position {
        account,
        cumulative,
        claimed,
        root_matches: root == tree.root(),
    })
}

pub async fn run(args: RewardsArgs) -> Result<()> {
    let (opts, claim) = match args.action {
        RewardsAction::Show(o) => (o, false),
        RewardsAction::Claim(o) => (o, true),
    };
    let tree = load_tree(&opts.tree)?;
    let session = opts.common.session().await?;
    let account = match opts.address {
        Some(a) => a,
        None => session.client.sender()?,
    };
    let p = position(&session, &tree, account).await?;
    let claimable = p.cumulative.saturating_sub(p.claimed);
    if !claim {
        if opts.common.json {
            return print_json(&json!({
                "account": p.account,
                "cumulative": p.cumulative.to_string(),
                "claimed": p.claimed.to_string(),
                "claimable": if p.root_matches { claimable } else { U256::ZERO }.to_string(),
                "treeRoot": tree.root(),
                "treeIsCurrentRoot": p.root_matches,
            }));
        }
        println!("account      {}", p.account);
        println!("cumulative   {} tokens", format_tokens(p.cumulative));
        println!("claimed      {} tokens", format_tokens(p.claimed));
        if p.root_matches {
            println!("claimable    {} tokens", format_tokens(claimable));
        } else {
            println!(
                "claimable    — this tree ({}) is not the pool's claimable root yet",
                tree.root()
            );
        }
        return Ok(());
    }

    if !p.root_matches {
        bail!(
            "tree root {} is not the pool's claimable root; wait for `epoch accept` or use the latest epoch's tree",
            tree.root()
        );
    }
    if tree.amount_of(account).is_none() {
        bail!("{account} has no leaf in this reward tree: nothing to claim");
    }
    if claimable.is_zero() {
        bail!(
            "{account} already claimed its {} tokens: nothing new to claim",
            format_tokens(p.claimed)
        );
    }
    let proof = tree.get_proof_for(account)?;
    let before = session.balance(account).await?;
    let (amount, receipt) = session.claim(account, p.cumulative, proof).await?;
    let after = session.balance(account).await?;
    let received = after.saturating_sub(before);
    if opts.common.json {
        return print_json(&json!({
            "account": account,
            "amount": amount.to_string(),
            "received": received.to_string(),
            "cumulative": p.cumulative.to_string(),
            "transactionHash": receipt.transaction_hash,
        }));
    }
    println!(
        "{account} received {} tokens (cumulative {})",
        format_tokens(received),
        format_tokens(p.cumulative)
    );
    Ok(())
}
