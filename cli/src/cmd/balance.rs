//! `datanet balance [ADDRESS]`.

use super::{print_json, util::format_tokens, Common};
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
    address: Option<Address>,
}

pub async fn run(args: BalanceArgs) -> Result<()> {
    let session = args.common.session().await?;
    let account = match args.address {
        Some(a) => a,
        None => session.client.sender()?,
    };
    let balance = session.balance(account).await?;
    let claimed = session.claimed(account).await?;
    let credit = session
        .pool()
        .ownerCredit(account)
        .call()
        .await
        .map_err(|e| session.client.call_error("ownerCredit", e))?;
    if args.common.json {
        return print_json(&json!({
            "account": account,
            "token": session.deployment.token,
            "balance": balance.to_string(),
            "claimed": claimed.to_string(),
            "ownerCredit": credit.to_string(),
        }));
    }
    println!("account        {account}");
    println!("balance        {} tokens", format_tokens(balance));
    println!("claimed        {} tokens", format_tokens(claimed));
    println!("owner credit   {} tokens", format_tokens(credit));
    Ok(())
}
