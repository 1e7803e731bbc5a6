//! `datanet model register`.

use super::{print_json, Common};
use anyhow::Result;
use clap::{Args, Subcommand};
use serde_json::json;

/// Models and the datanets they were built from.
#[derive(Args)]
pub struct ModelArgs {
    #[command(subcommand)]
    action: ModelAction,
}

#[derive(Subcommand)]
enum ModelAction {
    /// Register a model owned by your account.
    Register(RegisterArgs),
}

#[derive(Args)]
struct RegisterArgs {
    #[command(flatten)]
    common: Common,
    /// Where the model's description lives.
    #[arg(long, value_name = "URI")]
    metadata_uri: String,
    /// A datanet the model was built from; repeat for several.
    #[arg(long = "datanet", required = true, value_name = "ID")]
    datanets: Vec<u64>,
    /// Your share of each payment after the protocol fee, in basis points (100 = 1%).
    #[arg(long, default_value_t = 2_000, value_name = "BPS")]
    owner_share_bps: u16,
}

pub async fn run(args: ModelArgs) -> Result<()> {
    let ModelAction::Register(args) = args.action;
    let session = args.common.session().await?;
    let (model_id, receipt) = session
        .register_model(&args.metadata_uri, &args.datanets, args.owner_share_bps)
        .await?;
    if args.common.json {
        return print_json(&json!({
            "modelId": model_id,
            "datanetIds": args.datanets,
            "ownerShareBps": args.owner_share_bps,
            "transactionHash": receipt.transaction_hash,
        }));
    }
    println!(
        "Registered model {model_id} on datanet(s) {:?}",
        args.datanets
    );
    Ok(())
}
