//! `datanet impact --address ADDRESS`: a contributor's contributions, credits and earnings per
//! epoch, checked on chain.

use super::{print_json, Common};
use crate::{opts::GatewayOpts, ui::Table};
use alloy::primitives::Address;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// What your data earned: each contribution with its status and credited tokens, each epoch with the
/// amount earned, and whether the epoch's reward tree is the one accepted on chain.
#[derive(Args)]
pub struct ImpactArgs {
    #[command(flatten)]
    common: Common,
    /// The contributor; defaults to the wallet's address.
    #[arg(long, value_name = "ADDRESS")]
    address: Option<Address>,
    /// Folder holding one folder per epoch (as `attribute --out` wrote them). Default: every
    /// accepted epoch's published report (its on-chain reportURI), checked against the chain.
    #[arg(long, value_name = "DIR")]
    epochs: Option<PathBuf>,
    #[command(flatten)]
    gateway: GatewayOpts,
}

pub async fn run(args: ImpactArgs) -> Result<()> {
    let account = match args.address {
        Some(a) => a,
        None => args.common.client().await?.sender()?,
    };
    let session = args.common.read_session().await?;
    let impact = match &args.epochs {
        Some(dir) => session.impact(account, dir).await?,
        None => {
            let fetcher = args.gateway.fetcher()?;
            session.impact_published(account, &fetcher).await?
        }
    };
    if args.common.json {
        return print_json(&impact);
    }
    let token = session.token().await?;
    println!("Impact of {account}");
    let mut table = Table::new(&[
        "contribution",
        "datanet",
        "status",
        "uri",
        "credited tokens",
        "earned",
    ]);
    for c in &impact.contributions {
        table.row(vec![
            c.contribution_id.to_string(),
            c.datanet_id.to_string(),
            format!("{:?}", c.status),
            c.uri.clone(),
            c.credited_tokens.to_string(),
            token.amount(c.earned).to_string(),
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
    for e in &impact.epochs {
        table.row(vec![
            e.epoch.to_string(),
            e.credited_tokens.to_string(),
            token.amount(e.earned).to_string(),
            token.amount(e.cumulative).to_string(),
            e.on_chain.as_str().to_string(),
        ]);
    }
    table.print();
    println!(
        "\nclaimed {}; claimable now {}",
        token.amount(impact.claimed),
        token.amount(impact.claimable)
    );
    Ok(())
}
