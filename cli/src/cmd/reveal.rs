//! `datanet reveal sign|relay`: gasless contributions. The contributor signs its reveals (no
//! transaction, no gas); a relayer commits and reveals them with `revealWithSig`, unable to change
//! the content hashes or URIs.

use super::{print_json, Common};
use crate::{
    opts::PublishOpts,
    ui::{parse_duration, Bar},
};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use datanet_client::{contribute::SignedReveals, files, session::DEFAULT_CONTRIBUTE_BATCH};
use serde_json::json;
use std::path::PathBuf;

/// Gasless contributions: sign reveals as the contributor, relay them as anyone.
#[derive(Args)]
pub struct RevealArgs {
    #[command(subcommand)]
    action: RevealAction,
}

#[derive(Subcommand)]
enum RevealAction {
    /// Sign the reveals of files for a relayer (EIP-712, your registry nonce); writes --out. Sends
    /// nothing. A bonded datanet needs your allowance to the registry beforehand.
    Sign(SignArgs),
    /// Commit and reveal a signed reveals file, paying the gas (re-running skips what is done).
    Relay(RelayArgs),
}

#[derive(Args)]
struct SignArgs {
    #[command(flatten)]
    common: Common,
    /// The datanet id.
    datanet_id: u64,
    /// Files or folders.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Where to write the signed reveals (JSON) for the relayer.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// How long the signatures stay valid (e.g. 1d).
    #[arg(long, default_value = "1d", value_name = "DURATION")]
    valid_for: String,
    /// Contributions per batch.
    #[arg(long, default_value_t = DEFAULT_CONTRIBUTE_BATCH, value_name = "N")]
    batch_size: usize,
    #[command(flatten)]
    publish: PublishOpts,
}

#[derive(Args)]
struct RelayArgs {
    #[command(flatten)]
    common: Common,
    /// The signed reveals file.
    file: PathBuf,
}

pub async fn run(args: RevealArgs) -> Result<()> {
    match args.action {
        RevealAction::Sign(a) => sign(a).await,
        RevealAction::Relay(a) => relay(a).await,
    }
}

async fn sign(args: SignArgs) -> Result<()> {
    let valid_for = parse_duration(&args.valid_for)?;
    let data = files::collect(&args.paths)?;
    if data.is_empty() {
        bail!("no files found");
    }
    let uris = args.publish.uris(&data)?;
    let session = args.common.session().await?;
    let deadline = session.client.chain_clock().await?.now() + valid_for;
    let (results, signed) = session
        .sign_reveals(
            args.datanet_id,
            &data,
            |f| uris.get(&f.path).cloned().unwrap_or_default(),
            args.batch_size,
            deadline,
        )
        .await?;
    let text = serde_json::to_string_pretty(&signed)?;
    datanet_client::files::write_atomic(&args.out, (text + "\n").as_bytes())?;
    if args.common.json {
        return print_json(&json!({
            "out": args.out,
            "batches": signed.batches.len(),
            "deadline": deadline,
            "files": results,
        }));
    }
    println!(
        "signed {} batch(es) of {} file(s) for a relayer; valid until unix time {deadline}; wrote {}",
        signed.batches.len(),
        signed.batches.iter().map(|b| b.items.len()).sum::<usize>(),
        args.out.display()
    );
    Ok(())
}

async fn relay(args: RelayArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let signed: SignedReveals = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a signed reveals file", args.file.display()))?;
    let session = args.common.session().await?;
    let bar = Bar::new(args.common.json);
    let report = session.relay_reveals(&signed, &bar).await?;
    drop(bar);
    if args.common.json {
        return print_json(&report);
    }
    println!(
        "relayed for {}: {} committed, {} revealed, {} already revealed",
        signed.contributor, report.committed, report.revealed, report.already_revealed
    );
    Ok(())
}
