//! `datanet attribute`: build an epoch (report, reward tree, epoch file) from chain data and local files.

use super::{print_json, Common};
use anyhow::Result;
use clap::Args;
use datanet_client::{
    epoch::{previous_dir, write_epoch_dir, EpochSources},
    error::EpochError,
};
use serde_json::json;
use std::path::PathBuf;

/// Compute epoch N: reads the accepted contributions and the `InferencePaid` events from chain, matches
/// the paid outputs (from --log) against the contributed files (in --corpus), and writes report.json,
/// tree.json and epoch.json into --out. Deterministic: anyone can re-run it and get the same bytes.
#[derive(Args)]
pub struct AttributeArgs {
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub epoch: EpochInputArgs,
    /// The epoch folder to write (e.g. epochs/1).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Last block of the epoch; default: the latest block.
    #[arg(long, value_name = "BLOCK")]
    to_block: Option<u64>,
    /// Minimum span length in tokens.
    #[arg(long, default_value_t = 8, value_name = "TOKENS")]
    min_span: u32,
    /// Where the report will be published; signed and stored on chain.
    #[arg(long, default_value = "report.json", value_name = "URI")]
    report_uri: String,
}

/// Inputs shared by `attribute` and `epoch verify`.
#[derive(Args)]
pub struct EpochInputArgs {
    /// The epoch number (1 for the first).
    #[arg(long, value_name = "N")]
    pub epoch: Option<u64>,
    /// Folder of contributed files (matched to contributions by keccak256).
    #[arg(long, value_name = "DIR")]
    pub corpus: PathBuf,
    /// JSONL log of paid outputs (`{"output": "…"}` per line).
    #[arg(long, value_name = "FILE")]
    pub log: PathBuf,
    /// The previous epoch's folder; default: the sibling folder named N-1.
    #[arg(long, value_name = "DIR")]
    pub previous: Option<PathBuf>,
}

pub async fn run(args: AttributeArgs) -> Result<()> {
    let Some(epoch) = args.epoch.epoch else {
        anyhow::bail!("pass --epoch N (1 for the first epoch)")
    };
    if epoch == 0 {
        return Err(EpochError::ZeroEpoch.into());
    }
    let session = args.common.read_session().await?;
    let current = session.current_epoch().await?;
    if current >= epoch {
        return Err(EpochError::AlreadyAccepted { epoch, current }.into());
    }
    let previous = previous_dir(args.epoch.previous.as_deref(), &args.out, epoch);
    let sources = EpochSources {
        epoch,
        to_block: args.to_block,
        from_block: None,
        min_span: args.min_span,
        corpus_dir: &args.epoch.corpus,
        log: &args.epoch.log,
        previous: previous.as_deref(),
        report_uri: args.report_uri.clone(),
        nonce: None,
    };
    let computed = session.compute_epoch(&sources).await?;
    write_epoch_dir(&args.out, &computed)?;
    let report = &computed.outcome.report;
    let token = session.token().await?;
    if args.common.json {
        return print_json(&json!({
            "epoch": epoch,
            "dir": args.out,
            "fromBlock": computed.file.from_block,
            "toBlock": computed.file.to_block,
            "inferences": report.inferences.len(),
            "rewardsRoot": computed.file.signed.rewardsRoot,
            "nonce": computed.file.signed.nonce,
            "totalAllocated": computed.file.signed.totalAllocated.to_string(),
            "epochAllocated": report.totals.allocated.to_string(),
            "unallocated": report.totals.unallocated.to_string(),
            "reportHash": computed.file.signed.reportHash,
            "unpublished": report.unpublished.len(),
            "accounts": report.accounts.len(),
        }));
    }
    let attributed = report
        .inferences
        .iter()
        .filter(|i| !i.spans.is_empty())
        .count();
    println!(
        "Epoch {epoch}: blocks {}..={}",
        computed.file.from_block, computed.file.to_block
    );
    println!(
        "  {} paid output(s), {attributed} reuse contributed data",
        report.inferences.len()
    );
    println!(
        "  allocated this epoch  {}",
        token.amount(report.totals.allocated)
    );
    println!(
        "  left in the pool      {} (outputs that reuse nothing or were not published)",
        token.amount(report.totals.unallocated)
    );
    println!(
        "  cumulative allocated  {} to {} account(s)",
        token.amount(computed.file.signed.totalAllocated),
        report.accounts.len()
    );
    if !report.unpublished.is_empty() {
        println!(
            "  {} paid output(s) not in the log: listed in the report, their share stays in the pool",
            report.unpublished.len()
        );
    }
    println!(
        "  rewards root          {}",
        computed.file.signed.rewardsRoot
    );
    println!(
        "  report hash           {}",
        computed.file.signed.reportHash
    );
    println!("  proposal nonce        {}", computed.file.signed.nonce);
    println!(
        "Wrote {}/{{report,tree,epoch}}.json; next: `datanet epoch sign {}` by each attestor",
        args.out.display(),
        args.out.display()
    );
    Ok(())
}
