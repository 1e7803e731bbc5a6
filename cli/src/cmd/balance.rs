//! `datanet balance [--address ADDRESS]`.

use super::{print_json, Common};
use alloy::primitives::Address;
use anyhow::Result;
use clap::Args;
use serde_json::json;

/// Token balance, rewards claimed, and model-owner credit of an account (default: your wallet).
#[derive(Args)]
pub struct BalanceArgs {
    #[command(flatten)]
    common: Common,
    /// The account; defaults to the wallet's address.
    #[arg(long, value_name = "ADDRESS")]
    address: Option<Address>,
}

pub async fn run(args: BalanceArgs) -> Result<()> {
    let session = args.common.session().await?;
    let account = match args.address {
        Some(a) => a,
        None => session.client.sender()?,
    };
    let token = session.token().await?.clone();
    let balance = session.balance(account).await?;
    let claimed = session.claimed(account).await?;
    let credit = session.owner_credit(account).await?;
    if args.common.json {
        return print_json(&json!({
            "account": account,
            "token": token,
            "balance": balance.to_string(),
            "claimed": claimed.to_string(),
            "ownerCredit": credit.to_string(),
        }));
    }
    println!("account        {account}");
    println!("balance        {}", token.amount(balance));
    println!("claimed        {}", token.amount(claimed));
    println!("owner credit   {}", token.amount(credit));
    Ok(())
}
