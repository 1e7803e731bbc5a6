//! `datanet contribute DATANET_ID PATH…`.

use super::{print_json, Common};
use crate::{
    opts::PublishOpts,
    ui::{Bar, Table},
};
use anyhow::{bail, Result};
use clap::Args;
use datanet_client::{files, session::DEFAULT_CONTRIBUTE_BATCH};
use std::path::PathBuf;

/// Register data files in a datanet: keccak256 of each file goes on chain, the data stays with you.
/// Commit → reveal: each batch is first committed (a hash that reveals nothing), then revealed with
/// its content hashes and URIs once the registry's minimum commitment age has passed, so nobody can
/// copy a contribution from the mempool. Files already registered are skipped and commitments of an
/// interrupted run are found again (the salt is derived from your key and the files), so
/// re-running after an interruption at any point is safe and sends only what is missing. Keep the
/// same --batch-size when re-running.
#[derive(Args)]
pub struct ContributeArgs {
    #[command(flatten)]
    common: Common,
    /// The datanet id.
    datanet_id: u64,
    /// Files or folders (searched recursively; hidden entries skipped).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Contributions per transaction.
    #[arg(long, default_value_t = DEFAULT_CONTRIBUTE_BATCH, value_name = "N")]
    batch_size: usize,
    #[command(flatten)]
    publish: PublishOpts,
}

pub async fn run(args: ContributeArgs) -> Result<()> {
    if args.batch_size == 0 {
        bail!("--batch-size must be at least 1");
    }
    let files = files::collect(&args.paths)?;
    if files.is_empty() {
        bail!(
            "no files found under {}",
            args.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let uris = args.publish.uris(&files)?;
    let session = args.common.session().await?;
    let bar = Bar::new(args.common.json);
    let report = session
        .contribute(
            args.datanet_id,
            &files,
            |f| uris.get(&f.path).cloned().unwrap_or_default(),
            args.batch_size,
            &bar,
        )
        .await?;
    drop(bar);
    if args.common.json {
        return print_json(&report);
    }
    let results = &report.files;
    let mut table = Table::new(&["file", "content hash", "contribution id", "outcome"]);
    for r in results {
        table.row(vec![
            r.file.clone(),
            r.content_hash.to_string(),
            r.contribution_id.to_string(),
            r.outcome.clone(),
        ]);
    }
    table.print();
    let registered = results.iter().filter(|r| r.outcome == "registered").count();
    println!(
        "{registered} registered, {} skipped, in datanet {} ({} batch(es) committed now, {} revealed)",
        results.len() - registered,
        args.datanet_id,
        report.committed,
        report.revealed
    );
    Ok(())
}
