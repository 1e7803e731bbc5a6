//! `datanet corpus sync`: fetch every accepted contribution's file by its URI into a local cache.

use super::{print_json, Common};
use crate::{
    opts::GatewayOpts,
    ui::{Bar, Table},
};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use datanet_client::publication::{
    parse_base, CorpusCache, CorpusItem, SyncOptions, DEFAULT_CONCURRENCY,
};
use std::path::PathBuf;

/// The corpus attestors and verifiers read: contributed files fetched from their URIs.
#[derive(Args)]
pub struct CorpusArgs {
    #[command(subcommand)]
    command: CorpusCommand,
}

#[derive(Subcommand)]
enum CorpusCommand {
    /// Fetch every accepted contribution's file by its URI, check it against its on-chain hash and
    /// keep it in a cache folder (files named 0x<keccak256>; usable as `attribute --corpus`).
    /// Parallel and resumable: a re-run fetches only what is missing or damaged.
    Sync(SyncArgs),
}

/// `datanet corpus sync`.
#[derive(Args)]
pub struct SyncArgs {
    #[command(flatten)]
    common: Common,
    /// Only this datanet's contributions (repeatable); default: every datanet.
    #[arg(long = "datanet", value_name = "ID")]
    datanets: Vec<u64>,
    /// The cache folder.
    #[arg(long, default_value = "corpus", value_name = "DIR")]
    cache: PathBuf,
    #[command(flatten)]
    gateway: GatewayOpts,
    /// Publication base that relative contribution URIs are resolved against.
    #[arg(long, value_name = "URL")]
    base: Option<String>,
    /// Contributions accepted up to this block; default: the latest block.
    #[arg(long, value_name = "BLOCK")]
    to_block: Option<u64>,
    /// Files fetched at once.
    #[arg(long, default_value_t = DEFAULT_CONCURRENCY, value_name = "N")]
    concurrency: usize,
}

pub async fn run(args: CorpusArgs) -> Result<()> {
    match args.command {
        CorpusCommand::Sync(args) => sync(args).await,
    }
}

async fn sync(args: SyncArgs) -> Result<()> {
    if args.concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    let fetcher = args.gateway.fetcher()?;
    let base = args.base.as_deref().map(parse_base).transpose()?;
    let cache = CorpusCache::open(&args.cache)?;
    let session = args.common.read_session().await?;
    let to_block = match args.to_block {
        Some(block) => block,
        None => session.client.latest_block().await?,
    };
    let items: Vec<CorpusItem> = session
        .accepted_contributions(to_block)
        .await?
        .into_iter()
        .filter(|c| args.datanets.is_empty() || args.datanets.contains(&c.datanet_id))
        .map(|c| CorpusItem {
            contribution_id: c.contribution_id,
            content_hash: c.content_hash,
            uri: c.uri,
        })
        .collect();
    let bar = Bar::new(args.common.json);
    let options = SyncOptions {
        concurrency: args.concurrency,
        base,
    };
    let summary = cache
        .sync(&fetcher, &items, &options, &bar)
        .await
        .with_context(|| format!("syncing the corpus into {}", args.cache.display()))?;
    drop(bar);
    if args.common.json {
        print_json(&summary)?;
    } else {
        if !summary.failed.is_empty() {
            let mut table = Table::new(&["content hash", "uri", "error"]);
            for f in &summary.failed {
                table.row(vec![
                    f.content_hash.to_string(),
                    f.uris.join(" "),
                    error_chain(&f.error),
                ]);
            }
            table.print();
        }
        println!(
            "{} files ({} accepted contributions up to block {to_block}) in {}: {} fetched ({:.1} MB, {} damaged replaced), {} already cached, {} failed",
            summary.files,
            items.len(),
            args.cache.display(),
            summary.fetched,
            summary.bytes_fetched as f64 / 1e6,
            summary.repaired,
            summary.cached,
            summary.failed.len()
        );
    }
    if !summary.failed.is_empty() {
        bail!(
            "{} of {} files could not be fetched; run again to retry them",
            summary.failed.len(),
            summary.files
        );
    }
    Ok(())
}

/// The error and its causes on one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}
