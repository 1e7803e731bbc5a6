//! `datanet pay MODEL_ID FILE`.

use super::{print_json, Common};
use crate::ui::Bar;
use anyhow::Result;
use clap::Args;
use datanet_client::{
    outputs,
    payments::{payments_for, PayOptions, PaymentOutcome},
    session::DEFAULT_PAY_BATCH,
};
use serde_json::json;
use std::path::PathBuf;

/// Pay for model outputs: the protocol fee goes to the treasury, the model owner is credited, the
/// rest funds the contributors' pool. FILE is one output, or a `.jsonl` log of
/// `{"output": "…", "amount": "1.5"}` lines, paid in batches. Outputs your account already paid
/// for are skipped, so re-running after an interruption pays each output once; --pay-again pays
/// them again on purpose.
#[derive(Args)]
pub struct PayArgs {
    #[command(flatten)]
    common: Common,
    /// The model that produced the outputs.
    model_id: u64,
    /// An output file, or a .jsonl log of outputs.
    file: PathBuf,
    /// Amount per output in tokens (the token's units), for outputs whose log line names none.
    #[arg(long, value_name = "TOKENS", allow_hyphen_values = true)]
    amount: Option<String>,
    /// Outputs per transaction.
    #[arg(long, default_value_t = DEFAULT_PAY_BATCH, value_name = "N")]
    batch_size: usize,
    /// Pay outputs your account already paid for again.
    #[arg(long)]
    pay_again: bool,
    /// Where you publish these outputs (recorded on chain with the payments, so attestors and
    /// verifiers find them).
    #[arg(long, value_name = "URI")]
    outputs_uri: Option<String>,
}

pub async fn run(args: PayArgs) -> Result<()> {
    let outputs = outputs::read(&args.file)?;
    let session = args.common.session().await?;
    let token = session.token().await?.clone();
    let default_amount = args.amount.as_deref().map(|a| token.parse(a)).transpose()?;
    let payments = payments_for(&outputs, default_amount, &token)?;
    let bar = Bar::new(args.common.json);
    let options = PayOptions {
        batch_size: args.batch_size,
        pay_again: args.pay_again,
        outputs_uri: args.outputs_uri.clone().unwrap_or_default(),
    };
    let report = session
        .pay(args.model_id, &payments, &options, &bar)
        .await?;
    drop(bar);
    let total = report.total_paid();
    let paid = report
        .outcomes
        .iter()
        .filter(|(_, o)| *o == PaymentOutcome::Paid)
        .count();
    if args.common.json {
        return print_json(&json!({
            "modelId": args.model_id,
            "token": token,
            "payments": report.outcomes.iter().map(|(p, o)| json!({
                "inferenceId": p.inference_id,
                "amount": p.amount.to_string(),
                "outcome": o,
            })).collect::<Vec<_>>(),
            "paid": paid,
            "skipped": report.outcomes.len() - paid,
            "total": total.to_string(),
            "transactionHashes": report.receipts.iter().map(|r| r.transaction_hash).collect::<Vec<_>>(),
        }));
    }
    println!(
        "Paid {} for {paid} output(s) of model {} in {} transaction(s)",
        token.amount(total),
        args.model_id,
        report.receipts.len()
    );
    let skipped = report.outcomes.len() - paid;
    if skipped > 0 {
        println!(
            "skipped {skipped} output(s) already paid for by this account (--pay-again to pay them again)"
        );
    }
    Ok(())
}
