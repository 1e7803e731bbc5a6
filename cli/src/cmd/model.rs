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
    /// Register a model owned by your account (its data cutoff starts at the registration block).
    Register(RegisterArgs),
    /// Move a model's data cutoff forward (after retraining): outputs paid from now on are
    /// attributed to contributions revealed up to the new cutoff block.
    Cutoff(CutoffArgs),
    /// Withdraw the owner share credited to your account by payments for your models.
    WithdrawShare(WithdrawArgs),
}

#[derive(Args)]
struct CutoffArgs {
    #[command(flatten)]
    common: Common,
    /// The model id.
    model_id: u64,
    /// The new cutoff block; default: the latest block.
    #[arg(long, value_name = "BLOCK")]
    block: Option<u64>,
}

#[derive(Args)]
struct WithdrawArgs {
    #[command(flatten)]
    common: Common,
    /// Recipient; default: your account.
    #[arg(long, value_name = "ADDRESS")]
    to: Option<alloy::primitives::Address>,
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
    match args.action {
        ModelAction::Register(a) => register(a).await,
        ModelAction::Cutoff(a) => cutoff(a).await,
        ModelAction::WithdrawShare(a) => withdraw(a).await,
    }
}

async fn cutoff(args: CutoffArgs) -> Result<()> {
    let session = args.common.session().await?;
    let (block, receipt) = session.set_data_cutoff(args.model_id, args.block).await?;
    if args.common.json {
        return print_json(&json!({
            "modelId": args.model_id,
            "cutoffBlock": block,
            "transactionHash": receipt.transaction_hash,
        }));
    }
    println!(
        "model {} now learns from contributions revealed up to block {block}",
        args.model_id
    );
    Ok(())
}

async fn withdraw(args: WithdrawArgs) -> Result<()> {
    let session = args.common.session().await?;
    let token = session.token().await?.clone();
    let (amount, receipt) = session.withdraw_owner_share(args.to).await?;
    if args.common.json {
        return print_json(&json!({
            "amount": amount.to_string(),
            "to": args.to.map_or(session.client.sender()?, |a| a),
            "transactionHash": receipt.transaction_hash,
        }));
    }
    println!("withdrew {} of owner share", token.amount(amount));
    Ok(())
}

async fn register(args: RegisterArgs) -> Result<()> {
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
