//! `datanet attribute`: build an epoch (report, reward tree, epoch file) from chain data, published
//! URIs and local folders.

use super::{print_json, Common};
use crate::{opts::GatewayOpts, ui::Bar};
use anyhow::Result;
use clap::Args;
use datanet_attribution::{SkippedSource, SourceKind};
use datanet_client::{
    epoch::{
        previous_dir, write_epoch_dir, ComputedEpoch, EpochPlan, InputsRead, OutputsFrom,
        PreviousFrom, Unreachable,
    },
    error::EpochError,
    publication::{resolve, Fetcher, DEFAULT_CONCURRENCY},
};
use serde_json::json;
use std::path::{Path, PathBuf};

/// `datanet attribute --help`.
pub const LONG_ABOUT: &str = "\
Build an epoch: compute epoch N and write report.json, tree.json and epoch.json into --out.

Everything comes from the chain and what others published, unless you say otherwise:
  - payments: the pool's InferencePaid events, from the block after the previous epoch to
    --to-block (default: the latest block);
  - their outputs: the files the payers published at the URIs of the OutputsPublished events of
    those blocks (`datanet pay --outputs-uri`), matched by inference id (keccak256 of the text),
    or --log FILE. A paid output found nowhere (no URI, a 404, not in the file, a tampered line)
    is listed in the report and its share stays in the pool;
  - the corpus: the accepted contributions of the paid models' datanets, in commit order, their
    files looked up by keccak256 in --corpus and, when missing, fetched by their on-chain URIs
    into it (checked, resumable; --offline to refuse). A file that is definitively gone (a 404
    at its URI, other bytes) is left out and listed like an unreachable one (below): a copy in
    --corpus keeps it in;
  - the previous epoch: --previous, or the sibling folder N-1, or else epoch N-1's report
    published at its on-chain reportURI (checked against the chain's report hash and root).

A host that cannot be read now (refused connection, timeout, HTTP 5xx, 408 or 429, after
--fetch-retries) never stops the epoch: its outputs file or contribution is left out, listed in
the report's skippedSources and named in a warning on stderr (the outputs it alone held are
unpublished; the contribution earns nothing this epoch). Verifiers leave out the same sources
and say which they can read now.

Deterministic: anyone who runs it on the same chain and reads the same sources gets the same
bytes. Nothing is written to --out unless the whole epoch is computed.

Example: datanet attribute --epoch 2 --out epochs/2 --report-uri https://me.example/epochs/2/report.json";

#[derive(Args)]
pub struct AttributeArgs {
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub epoch: EpochInputArgs,
    /// The epoch folder to write (e.g. epochs/1); written only once the epoch is computed.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Last block of the epoch; default: the latest block.
    #[arg(long, value_name = "BLOCK")]
    to_block: Option<u64>,
    /// Minimum span length in tokens (the protocol's is 8; `epoch verify` checks with 8).
    #[arg(long, default_value_t = 8, value_name = "TOKENS")]
    min_span: u32,
    /// Where the report will be published: an absolute URI (https://…, http://…, ipfs://CID/…,
    /// file:///…), signed and stored on chain, read by verifiers and contributors.
    #[arg(long, value_name = "URI")]
    report_uri: String,
}

/// Inputs shared by `attribute` and `epoch verify`.
#[derive(Args)]
#[command(next_help_heading = "Epoch inputs")]
pub struct EpochInputArgs {
    /// The epoch number (1 for the first).
    #[arg(long, value_name = "N")]
    pub epoch: Option<u64>,
    /// Folder of contributed files, matched to contributions by keccak256 (names do not matter).
    /// The files it lacks are fetched by their on-chain URIs into it (named 0x<keccak256>,
    /// checked, resumable), unless --offline.
    #[arg(long, default_value = "corpus", value_name = "DIR")]
    pub corpus: PathBuf,
    /// A local JSONL log of the paid outputs ({"output": "…"} per line), instead of the files the
    /// payers published at the URIs of the epoch's OutputsPublished events.
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// The previous epoch's folder; default: the sibling folder named N-1, else epoch N-1's report
    /// published at its on-chain reportURI.
    #[arg(long, value_name = "DIR")]
    pub previous: Option<PathBuf>,
    /// Fetch nothing: every corpus file must be in --corpus, the outputs come from --log and the
    /// previous epoch from its folder.
    #[arg(long, requires = "log")]
    pub offline: bool,
    /// Seconds before one fetch of a published file (outputs, corpus, report) is abandoned (and
    /// retried). Connecting is bounded by 10 s on its own.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub fetch_timeout: u64,
    /// Retries of a failed fetch (refused connection, timeout, HTTP 5xx, 408, 429), with
    /// exponential backoff; after them, `attribute` leaves the source out (listed in the report).
    /// A host whose connection failed or timed out after every retry is not tried again in the
    /// same run: its other URIs are left out at once (an IPFS gateway excepted).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub fetch_retries: u32,
    #[command(flatten)]
    pub gateway: GatewayOpts,
}

impl EpochInputArgs {
    /// The fetcher for published URIs, or `None` with --offline.
    pub fn fetcher(&self) -> Result<Option<Fetcher>> {
        use datanet_client::publication::{parse_gateway, FetchConfig};
        if self.offline {
            return Ok(None);
        }
        let mut config = FetchConfig {
            gateway: Some(parse_gateway(&self.gateway.gateway)?),
            ..FetchConfig::default()
        };
        config.retry.request_timeout = std::time::Duration::from_secs(self.fetch_timeout.max(1));
        config.retry.max_retries = self.fetch_retries;
        Ok(Some(Fetcher::new(config)?))
    }

    /// Where the outputs are read.
    pub fn outputs(&self) -> OutputsFrom<'_> {
        match &self.log {
            Some(log) => OutputsFrom::Log(log),
            None => OutputsFrom::Published,
        }
    }
}

pub async fn run(args: AttributeArgs) -> Result<()> {
    let Some(epoch) = args.epoch.epoch else {
        anyhow::bail!("pass --epoch N (1 for the first epoch)")
    };
    if epoch == 0 {
        return Err(EpochError::ZeroEpoch.into());
    }
    if resolve(&args.report_uri, None).is_err() {
        anyhow::bail!(
            "--report-uri {:?} is not an absolute URI (https://…, http://…, ipfs://CID/…, file:///…): it is signed and stored on chain as where everyone fetches the report",
            args.report_uri
        );
    }
    let fetcher = args.epoch.fetcher()?;
    let session = args.common.read_session().await?;
    let current = session.current_epoch().await?;
    if current >= epoch {
        return Err(EpochError::AlreadyAccepted { epoch, current }.into());
    }
    let previous = previous_dir(args.epoch.previous.as_deref(), &args.out, epoch);
    let bar = Bar::new(args.common.json);
    let plan = EpochPlan {
        epoch,
        to_block: args.to_block,
        from_block: None,
        min_span: args.min_span,
        corpus_dir: &args.epoch.corpus,
        outputs: args.epoch.outputs(),
        previous: match &previous {
            Some(dir) => PreviousFrom::Folder(dir),
            None => PreviousFrom::Published,
        },
        fetcher: fetcher.as_ref(),
        concurrency: DEFAULT_CONCURRENCY,
        report_uri: args.report_uri.clone(),
        nonce: None,
        unreachable: Unreachable::Skip,
        progress: &bar,
    };
    let computed = session.compute_epoch_with(&plan).await?;
    drop(bar);
    for s in &computed.outcome.report.skipped_sources {
        eprintln!(
            "warning: {} cannot be read now ({}): left out of epoch {epoch} and listed in the report's skippedSources",
            describe(s),
            s.reason
        );
    }
    write_epoch_dir(&args.out, &computed)?;
    let token = session.token().await?;
    if args.common.json {
        return print_json(&summary_json(epoch, &args.out, &computed));
    }
    let report = &computed.outcome.report;
    let attributed = report
        .inferences
        .iter()
        .filter(|i| !i.spans.is_empty())
        .count();
    println!(
        "Epoch {epoch}: blocks {}..={}",
        computed.file.from_block, computed.file.to_block
    );
    print_inputs(&computed.inputs, args.epoch.log.as_deref());
    println!(
        "  {} paid output(s), {attributed} reuse contributed data",
        report.inferences.len() + report.unpublished.len() + report.mismatched.len()
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
    let missing = report.unpublished.len() + report.mismatched.len();
    if missing > 0 {
        println!(
            "  {missing} paid output(s) not published: listed in the report, their share stays in the pool"
        );
    }
    for s in &report.skipped_sources {
        println!(
            "  left out              {} ({}): listed in the report",
            describe(s),
            s.reason
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
        "Wrote {}/{{report,tree,epoch}}.json; publish report.json at {}, then `datanet epoch sign {}` by each attestor",
        args.out.display(),
        computed.file.signed.reportURI,
        args.out.display()
    );
    Ok(())
}

/// `attribute --json`.
fn summary_json(epoch: u64, out: &Path, computed: &ComputedEpoch) -> serde_json::Value {
    let report = &computed.outcome.report;
    let sync = computed.inputs.corpus_sync.as_ref();
    json!({
        "epoch": epoch,
        "dir": out,
        "fromBlock": computed.file.from_block,
        "toBlock": computed.file.to_block,
        "inferences": report.inferences.len(),
        "rewardsRoot": computed.file.signed.rewardsRoot,
        "nonce": computed.file.signed.nonce,
        "totalAllocated": computed.file.signed.totalAllocated.to_string(),
        "epochAllocated": report.totals.allocated.to_string(),
        "unallocated": report.totals.unallocated.to_string(),
        "reportHash": computed.file.signed.reportHash,
        "reportURI": computed.file.signed.reportURI,
        "unpublished": report.unpublished.len(),
        "mismatched": report.mismatched.len(),
        "skippedSources": report.skipped_sources,
        "accounts": report.accounts.len(),
        "previous": computed.inputs.previous,
        "corpusFiles": computed.inputs.corpus_files,
        "corpusFetched": sync.map_or(0, |s| s.fetched),
        "outputs": computed.inputs.outputs,
    })
}

/// A skipped source in words: `outputs file URI`, `the file of contribution 0x… at URI`.
pub fn describe(s: &SkippedSource) -> String {
    match (s.kind, s.contribution_id) {
        (SourceKind::Contribution, Some(id)) => {
            format!("the file of contribution {id} at {}", s.uri)
        }
        (SourceKind::Contribution, None) => format!("a contribution's file at {}", s.uri),
        (SourceKind::Outputs, _) => format!("outputs file {}", s.uri),
    }
}

/// Where the inputs came from, for people.
pub fn print_inputs(inputs: &InputsRead, log: Option<&Path>) {
    if let Some(previous) = &inputs.previous {
        println!("  builds on             {previous}");
    }
    match &inputs.corpus_sync {
        Some(s) => println!(
            "  corpus                {} file(s), {} fetched by URI ({:.1} MB)",
            inputs.corpus_files,
            s.fetched,
            s.bytes_fetched as f64 / 1e6
        ),
        None => println!(
            "  corpus                {} file(s), all in the folder",
            inputs.corpus_files
        ),
    }
    match log {
        Some(log) => println!("  outputs from          {}", log.display()),
        None if inputs.outputs.is_empty() => {
            println!("  outputs from          no OutputsPublished URI in these blocks")
        }
        None => {
            for o in &inputs.outputs {
                match (&o.unavailable, &o.skipped) {
                    (Some(reason), _) => println!(
                        "  outputs at            {}: not published ({reason})",
                        o.uri
                    ),
                    (None, Some(reason)) => println!(
                        "  outputs at            {}: left out, unreachable ({reason})",
                        o.uri
                    ),
                    (None, None) => println!(
                        "  outputs at            {}: {} line(s), {} paid here{}",
                        o.uri,
                        o.outputs,
                        o.matched,
                        if o.rejected_lines.is_empty() {
                            String::new()
                        } else {
                            format!(", {} bad line(s) skipped", o.rejected_lines.len())
                        }
                    ),
                }
            }
        }
    }
}
