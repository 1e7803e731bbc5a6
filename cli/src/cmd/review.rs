//! `datanet review ID… --accept|--reject` and `datanet finalize ID`.

use super::{print_json, Common};
use alloy::primitives::B256;
use anyhow::Result;
use clap::Args;
use serde_json::json;

/// Accept (bond back to the contributor) or reject (bond to the treasury) pending contributions.
#[derive(Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    common: Common,
    /// Contribution ids (0x…, as `contribute` prints them).
    #[arg(required = true, value_name = "ID")]
    ids: Vec<B256>,
    /// Accept the contributions.
    #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
    accept: bool,
    /// Reject the contributions.
    #[arg(long)]
    reject: bool,
}

pub async fn review(args: ReviewArgs) -> Result<()> {
    let session = args.common.session().await?;
    let receipt = session.review(&args.ids, args.accept).await?;
    if args.common.json {
        return print_json(&json!({
            "contributionIds": args.ids,
            "accepted": args.accept,
            "transactionHash": receipt.transaction_hash,
        }));
    }
    let verb = if args.accept { "accepted" } else { "rejected" };
    println!(
        "{verb} {} contribution(s) in {}",
        args.ids.len(),
        receipt.transaction_hash
    );
    Ok(())
}

/// Accept a contribution whose review period passed without a review (anyone may), once its
/// commitment is also older than the registry's maximum commitment age.
#[derive(Args)]
pub struct FinalizeArgs {
    #[command(flatten)]
    common: Common,
    /// The contribution id.
    id: B256,
}

pub async fn finalize(args: FinalizeArgs) -> Result<()> {
    let session = args.common.session().await?;
    let receipt = session.finalize(args.id).await?;
    if args.common.json {
        return print_json(
            &json!({ "contributionId": args.id, "transactionHash": receipt.transaction_hash }),
        );
    }
    println!("finalized {} as accepted", args.id);
    Ok(())
}

/// Retire accepted contributions of yours: later epochs no longer attribute to them.
#[derive(Args)]
pub struct RetireArgs {
    #[command(flatten)]
    common: Common,
    /// Contribution ids.
    #[arg(required = true, value_name = "ID")]
    ids: Vec<B256>,
}

pub async fn retire(args: RetireArgs) -> Result<()> {
    let session = args.common.session().await?;
    let receipts = session.retire(&args.ids).await?;
    if args.common.json {
        return print_json(&json!({
            "contributionIds": args.ids,
            "transactionHashes": receipts.iter().map(|r| r.transaction_hash).collect::<Vec<_>>(),
        }));
    }
    println!("retired {} contribution(s)", args.ids.len());
    Ok(())
}
