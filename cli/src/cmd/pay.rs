//! `datanet pay MODEL_ID FILE`.

use super::{
    print_json,
    util::{format_tokens, parse_tokens},
    Common,
};
use alloy::primitives::U256;
use anyhow::{bail, Context, Result};
use clap::Args;
use datanet_cli::{outputs, session::DEFAULT_PAY_BATCH};
use serde_json::json;
use std::path::PathBuf;

/// Pay for model outputs: the protocol fee goes to the treasury, the model owner is credited, the
/// rest funds the contributors' pool. FILE is one output, or a `.jsonl` log of
/// `{"output": "…", "amount": "1.5"}` lines, paid in batches.
#[derive(Args)]
pub struct PayArgs {
    #[command(flatten)]
    common: Common,
    /// The model that produced the outputs.
    model_id: u64,
    /// An output file, or a .jsonl log of outputs.
    file: PathBuf,
    /// Amount per output in tokens, for outputs whose log line names none.
    #[arg(long, value_name = "TOKENS")]
    amount: Option<String>,
    /// Outputs per transaction.
    #[arg(long, default_value_t = DEFAULT_PAY_BATCH, value_name = "N")]
    batch_size: usize,
}

pub async fn run(args: PayArgs) -> Result<()> {
    let outputs = outputs::read(&args.file)?;
    let default_amount = args.amount.as_deref().map(parse_tokens).transpose()?;
    let mut payments = Vec::with_capacity(outputs.len());
    for o in &outputs {
        let amount = match (&o.amount, default_amount) {
            (Some(a), _) => parse_tokens(a)
                .with_context(|| format!("{} line {}", args.file.display(), o.line))?,
            (None, Some(a)) => a,
            (None, None) => bail!(
                "no amount for output {} of {}: pass --amount TOKENS",
                o.line.max(1),
                args.file.display()
            ),
        };
        if amount.is_zero() {
            bail!(
                "output {} of {} has amount 0; payments must be positive",
                o.line.max(1),
                args.file.display()
            );
        }
        payments.push((amount, o.inference_id));
    }
    if args.batch_size == 0 {
        bail!("--batch-size must be at least 1");
    }
    let session = args.common.session().await?;
    let receipts = session
        .pay(args.model_id, &payments, args.batch_size)
        .await?;
    let total = payments.iter().fold(U256::ZERO, |acc, (a, _)| acc + a);
    if args.common.json {
        return print_json(&json!({
            "modelId": args.model_id,
            "payments": payments.iter().map(|(a, id)| json!({"inferenceId": id, "amount": a.to_string()})).collect::<Vec<_>>(),
            "total": total.to_string(),
            "transactionHashes": receipts.iter().map(|r| r.transaction_hash).collect::<Vec<_>>(),
        }));
    }
    println!(
        "Paid {} tokens for {} output(s) of model {} in {} transaction(s)",
        format_tokens(total),
        payments.len(),
        args.model_id,
        receipts.len()
    );
    Ok(())
}
