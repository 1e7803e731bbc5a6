//! `datanet impact`: a contributor's contributions, credits and earnings per epoch, checked on chain.

use super::{
    print_json,
    util::{format_tokens, Table},
};
use alloy::primitives::{Address, B256, U256};
use anyhow::{Context, Result};
use clap::Args;
use datanet_cli::{
    epoch::{read_epoch_file, read_report, read_tree},
    opts::RpcOpts,
    Client, Session,
};
use serde_json::json;
use std::{collections::BTreeMap, path::PathBuf};

/// What your data earned: each contribution with its status and credited tokens, each epoch with the
/// amount earned, and whether the epoch's reward tree is the one accepted on chain.
#[derive(Args)]
pub struct ImpactArgs {
    #[command(flatten)]
    rpc: RpcOpts,
    /// The contributor's address.
    #[arg(long, value_name = "ADDRESS")]
    account: Address,
    /// Folder holding one folder per epoch (as `attribute --out` wrote them).
    #[arg(long, default_value = "epochs", value_name = "DIR")]
    epochs: PathBuf,
    /// Print machine-readable JSON only.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: ImpactArgs) -> Result<()> {
    let session = Session::open(
        Client::connect(&args.rpc.rpc_url, None).await?,
        &args.rpc.deployments,
    )
    .await?;
    let account = args.account;

    // Contributions registered by the account, with their current status.
    let registry = session.registry();
    let latest = session.latest_block().await?;
    let logs = registry
        .Contributed_filter()
        .topic3(account)
        .from_block(session.deployment.deployment_block)
        .to_block(latest)
        .query()
        .await
        .map_err(|e| session.client.call_error("Contributed logs", e))?;
    let mut ids: Vec<B256> = Vec::new();
    let mut uris: BTreeMap<B256, String> = BTreeMap::new();
    for (e, _) in &logs {
        if !ids.contains(&e.contributionId) {
            ids.push(e.contributionId);
        }
        uris.insert(e.contributionId, e.uri.clone());
    }
    let records = session.contributions(&ids).await?;

    // Epochs, in order.
    let mut dirs: Vec<(u64, PathBuf)> = Vec::new();
    if args.epochs.is_dir() {
        for entry in std::fs::read_dir(&args.epochs)
            .with_context(|| format!("cannot read {}", args.epochs.display()))?
        {
            let path = entry?.path();
            if let Ok(file) = read_epoch_file(&path) {
                dirs.push((file.epoch, path));
            }
        }
    }
    dirs.sort();
    let pool = session.pool();
    let current = pool
        .currentEpoch()
        .call()
        .await
        .map_err(|e| session.client.call_error("currentEpoch", e))?;
    let mut credits: BTreeMap<B256, (u64, U256)> = BTreeMap::new();
    let mut epochs = Vec::new();
    let mut accepted_cumulative = U256::ZERO;
    for (n, dir) in &dirs {
        let (report, _) = read_report(dir)?;
        let tree = read_tree(dir)?;
        let mut credited = 0u64;
        for inference in &report.inferences {
            for c in inference
                .credits
                .iter()
                .filter(|c| c.contributor == account)
            {
                credited += c.credit;
                let entry = credits.entry(c.contribution_id).or_default();
                entry.0 += c.credit;
                entry.1 += c.amount;
            }
        }
        let earned = report
            .accounts
            .iter()
            .find(|a| a.account == account)
            .map(|a| a.epoch_amount)
            .unwrap_or_default();
        let cumulative = tree.amount_of(account).unwrap_or_default();
        let on_chain = if U256::from(*n) <= current {
            let record = pool
                .epochRecord(U256::from(*n))
                .call()
                .await
                .map_err(|e| session.client.call_error("epochRecord", e))?;
            if record.rewardsRoot == tree.root() {
                accepted_cumulative = cumulative;
                "verified"
            } else {
                "MISMATCH"
            }
        } else {
            "not accepted yet"
        };
        epochs.push((*n, credited, earned, cumulative, on_chain));
    }
    let claimed = session.claimed(account).await?;
    let claimable = accepted_cumulative.saturating_sub(claimed);

    if args.json {
        return print_json(&json!({
            "account": account,
            "contributions": records.iter().map(|r| {
                let (credit, amount) = credits.get(&r.contribution_id).copied().unwrap_or_default();
                json!({"contributionId": r.contribution_id, "datanetId": r.datanet_id, "status": r.status, "uri": uris.get(&r.contribution_id), "creditedTokens": credit, "earned": amount.to_string()})
            }).collect::<Vec<_>>(),
            "epochs": epochs.iter().map(|(n, c, e, cum, chain)| json!({"epoch": n, "creditedTokens": c, "earned": e.to_string(), "cumulative": cum.to_string(), "onChain": chain})).collect::<Vec<_>>(),
            "claimed": claimed.to_string(),
            "claimable": claimable.to_string(),
        }));
    }
    println!("Impact of {account}");
    let mut table = Table::new(&[
        "contribution",
        "datanet",
        "status",
        "uri",
        "credited tokens",
        "earned",
    ]);
    for r in &records {
        let (credit, amount) = credits.get(&r.contribution_id).copied().unwrap_or_default();
        table.row(vec![
            r.contribution_id.to_string(),
            r.datanet_id.to_string(),
            format!("{:?}", r.status),
            uris.get(&r.contribution_id).cloned().unwrap_or_default(),
            credit.to_string(),
            format_tokens(amount),
        ]);
    }
    table.print();
    println!();
    let mut table = Table::new(&[
        "epoch",
        "credited tokens",
        "earned",
        "cumulative",
        "reward tree",
    ]);
    for (n, c, e, cum, chain) in &epochs {
        table.row(vec![
            n.to_string(),
            c.to_string(),
            format_tokens(*e),
            format_tokens(*cum),
            chain.to_string(),
        ]);
    }
    table.print();
    println!(
        "\nclaimed {} tokens; claimable now {} tokens",
        format_tokens(claimed),
        format_tokens(claimable)
    );
    Ok(())
}
