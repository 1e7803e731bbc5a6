//! `datanet datanet create|show|curator add|remove`.

use super::{print_json, Common};
use crate::ui::parse_duration;
use alloy::primitives::Address;
use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use serde_json::json;

/// Datanets: dataset registries with an owner, curators, a bond and a review period.
#[derive(Args)]
pub struct DatanetArgs {
    #[command(subcommand)]
    action: DatanetAction,
}

#[derive(Subcommand)]
enum DatanetAction {
    /// Create a datanet owned by your account.
    Create(CreateArgs),
    /// Show a datanet: owner, bond, review period, metadata and curators.
    Show(ShowArgs),
    /// Add or remove curators of a datanet you own.
    Curator(CuratorArgs),
}

pub async fn run(args: DatanetArgs) -> Result<()> {
    match args.action {
        DatanetAction::Create(a) => create(a).await,
        DatanetAction::Show(a) => show(a).await,
        DatanetAction::Curator(a) => curator(a).await,
    }
}

#[derive(Args)]
struct CreateArgs {
    #[command(flatten)]
    common: Common,
    /// Where the datanet's description lives (e.g. ipfs://…).
    #[arg(long, value_name = "URI")]
    metadata_uri: String,
    /// Bond each contribution locks until reviewed, in tokens of the deployment's token (returned on
    /// accept, to the treasury on reject).
    #[arg(
        long,
        default_value = "0",
        value_name = "TOKENS",
        allow_hyphen_values = true
    )]
    bond: String,
    /// Time curators have to review (3600, 30m, 12h, 7d); afterwards anyone may finalize as accepted.
    #[arg(long, default_value = "7d", value_name = "DURATION")]
    review_period: String,
}

async fn create(args: CreateArgs) -> Result<()> {
    let period = parse_duration(&args.review_period)?;
    let Ok(period) = u32::try_from(period) else {
        bail!(
            "--review-period {} is too long (at most ~136 years)",
            args.review_period
        );
    };
    let session = args.common.session().await?;
    let token = session.token().await?.clone();
    let bond = token.parse(&args.bond)?;
    let (datanet_id, receipt) = session
        .create_datanet(&args.metadata_uri, bond, period)
        .await?;
    if args.common.json {
        return print_json(&json!({
            "datanetId": datanet_id,
            "owner": session.client.sender()?,
            "bond": bond.to_string(),
            "reviewPeriod": period,
            "metadataUri": args.metadata_uri,
            "transactionHash": receipt.transaction_hash,
        }));
    }
    println!(
        "Created datanet {datanet_id} (bond {}, review period {period}s)",
        token.amount(bond)
    );
    println!("  transaction {}", receipt.transaction_hash);
    Ok(())
}

#[derive(Args)]
struct ShowArgs {
    #[command(flatten)]
    common: Common,
    /// The datanet id.
    datanet_id: u64,
}

async fn show(args: ShowArgs) -> Result<()> {
    let session = args.common.read_session().await?;
    let info = session.datanet(args.datanet_id).await?;
    let token = session.token().await?;
    if args.common.json {
        return print_json(&info);
    }
    println!("datanet        {}", info.datanet_id);
    println!("owner          {}", info.owner);
    println!("bond           {}", token.amount(info.bond));
    println!("review period  {}s", info.review_period);
    println!("metadata       {}", info.metadata_uri);
    if info.curators.is_empty() {
        println!("curators       (none: the owner reviews)");
    } else {
        for (i, c) in info.curators.iter().enumerate() {
            println!(
                "{}{c}",
                if i == 0 {
                    "curators       "
                } else {
                    "               "
                }
            );
        }
    }
    Ok(())
}

#[derive(Args)]
struct CuratorArgs {
    #[command(subcommand)]
    action: CuratorAction,
}

#[derive(Subcommand)]
enum CuratorAction {
    /// Let ADDRESS review contributions of DATANET_ID.
    Add(CuratorChange),
    /// Stop ADDRESS from reviewing contributions of DATANET_ID.
    Remove(CuratorChange),
}

#[derive(Args)]
struct CuratorChange {
    #[command(flatten)]
    common: Common,
    /// The datanet id.
    datanet_id: u64,
    /// The curator's address.
    curator: Address,
}

async fn curator(args: CuratorArgs) -> Result<()> {
    let (change, enabled) = match args.action {
        CuratorAction::Add(c) => (c, true),
        CuratorAction::Remove(c) => (c, false),
    };
    let session = change.common.session().await?;
    let receipt = session
        .set_curator(change.datanet_id, change.curator, enabled)
        .await?;
    if change.common.json {
        return print_json(&json!({
            "datanetId": change.datanet_id,
            "curator": change.curator,
            "enabled": enabled,
            "transactionHash": receipt.transaction_hash,
        }));
    }
    let verb = if enabled {
        "is now a curator of"
    } else {
        "no longer curates"
    };
    println!("{} {verb} datanet {}", change.curator, change.datanet_id);
    Ok(())
}
