//! `datanet epoch sign|propose|accept|verify`.

use super::{attribute::EpochInputArgs, print_json, Common};
use crate::ui::{Bar, Table};
use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use datanet_client::{
    epoch::read_epoch_file,
    verify::{
        PublishedVerification, PublishedVerifyInputs, SkippedCheck, VerifyInputs, REPORT, ROOT,
        TOTAL,
    },
};
use serde_json::json;
use std::path::PathBuf;

/// Sign, propose, accept and verify reward epochs.
#[derive(Args)]
pub struct EpochArgs {
    #[command(subcommand)]
    action: EpochAction,
}

#[derive(Subcommand)]
enum EpochAction {
    /// Sign an epoch folder's epoch.json as an attestor (EIP-712); the signature is added to the file.
    Sign(DirArgs),
    /// Propose the epoch on chain with the collected signatures (and any --signature).
    Propose(ProposeArgs),
    /// Make the pending epoch claimable once its challenge period has passed (anyone may).
    Accept(AcceptArgs),
    /// Recompute an epoch and compare it with what was published: an epoch folder, or (without
    /// DIR) the chain and the report at its on-chain URI. Exits with status 3 when they differ.
    #[command(long_about = VERIFY_LONG_ABOUT)]
    Verify(VerifyArgs),
    /// Veto the pending epoch (guardian): it can never be proposed again as signed.
    Veto(AcceptArgs),
}

#[derive(Args)]
struct DirArgs {
    #[command(flatten)]
    common: Common,
    /// The epoch folder (holding epoch.json).
    dir: PathBuf,
}

#[derive(Args)]
struct ProposeArgs {
    #[command(flatten)]
    common: Common,
    /// The epoch folder (holding epoch.json).
    dir: PathBuf,
    /// An extra attestor signature (0x…); repeat for several.
    #[arg(long = "signature", value_name = "HEX")]
    signatures: Vec<String>,
}

#[derive(Args)]
struct AcceptArgs {
    #[command(flatten)]
    common: Common,
}

/// `datanet epoch verify --help`.
const VERIFY_LONG_ABOUT: &str = "\
Recompute an epoch and compare it with what was published. Exit status 3 on any difference.

Without DIR, as an independent verifier, with nothing but the RPC endpoint and the deployment
file: for epoch N (--epoch N; default: every proposed or accepted epoch in order, as a table)
  - the chain gives its root, total allocated and report hash (accepted or pending), and its
    EpochProposed event the report URI and nonce;
  - the report is fetched at that URI and its keccak256 checked against the chain's;
  - the epoch is recomputed up to the block the report names, from the end of the previous
    epoch (its published report), with the paid outputs at their OutputsPublished URIs, the
    corpus at its contributions' URIs (fetched into --corpus, kept for next time) and the
    protocol's --min-span;
  - root, total and report hash must equal the chain's (an epoch attributed with another
    minimum span, other outputs or a doctored report does not verify).

With DIR, as an attestor before signing (and anyone after): the folder's epoch.json, tree.json
and report.json against a recomputation with the folder's own parameters and, once proposed,
against the chain.

A publication that is definitively wrong or missing (a 404, a hash that differs from the
chain's) is a mismatch; one that cannot be read now (refused connection, 5xx) is an error
(exit 1), never a verdict.

Sources the attestors left out as unreachable (the report's skippedSources) are left out of
the recomputation too, even if they can be read now, so an honest report verifies; each is
then tried now and listed (available now deserves the guardian's look, but is no mismatch:
the attestors may honestly have failed to reach it). A listed source that is no source of the
epoch (no payment's OutputsPublished URI, no accepted contribution's URI) is a mismatch.

Examples:
  datanet epoch verify                      # every epoch: epoch, status, root, total, report
  datanet epoch verify --epoch 3 --json
  datanet epoch verify epochs/3             # an attestor's folder";

#[derive(Args)]
struct VerifyArgs {
    #[command(flatten)]
    common: Common,
    /// An epoch folder to check (holding epoch.json, tree.json, report.json); without it the
    /// epoch is checked against the chain and its published report.
    dir: Option<PathBuf>,
    #[command(flatten)]
    inputs: EpochInputArgs,
    /// Minimum span in tokens to recompute with (the protocol's); an epoch attributed with
    /// another does not verify. (With DIR, the folder's own is used.)
    #[arg(
        long,
        default_value_t = 8,
        value_name = "TOKENS",
        conflicts_with = "dir"
    )]
    min_span: u32,
}

/// The recomputed epoch(s) differ from the folder or the chain (exit status 3).
#[derive(Debug)]
pub struct Mismatch {
    /// Each epoch that does not verify.
    pub epochs: Vec<EpochMismatch>,
}

/// One epoch that does not verify.
#[derive(Debug)]
pub struct EpochMismatch {
    pub epoch: u64,
    /// The fields that differ.
    pub fields: Vec<&'static str>,
    /// URIs the report lists as skipped that are no source of the epoch.
    pub invented: Vec<String>,
}

impl EpochMismatch {
    fn of(epoch: u64, fields: Vec<&'static str>, skipped: &[SkippedCheck]) -> Self {
        Self {
            epoch,
            fields,
            invented: skipped
                .iter()
                .filter(|s| !s.of_this_epoch)
                .map(|s| s.uri.clone())
                .collect(),
        }
    }
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .epochs
            .iter()
            .map(|m| {
                let mut text = format!(
                    "epoch {} does not verify: {} differ{}",
                    m.epoch,
                    m.fields.join(", "),
                    if m.fields.len() == 1 { "s" } else { "" }
                );
                if !m.invented.is_empty() {
                    text.push_str(&format!(
                        " (listed as skipped, but no source of the epoch: {})",
                        m.invented.join(", ")
                    ));
                }
                text
            })
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for Mismatch {}

pub async fn run(args: EpochArgs) -> Result<()> {
    match args.action {
        EpochAction::Sign(a) => sign(a).await,
        EpochAction::Propose(a) => propose(a).await,
        EpochAction::Accept(a) => accept(a).await,
        EpochAction::Verify(a) => verify(a).await,
        EpochAction::Veto(a) => veto(a).await,
    }
}

async fn veto(args: AcceptArgs) -> Result<()> {
    let session = args.common.session().await?;
    let (epoch, root, receipt) = session.veto_epoch().await?;
    if args.common.json {
        return print_json(
            &json!({"epoch": epoch, "rewardsRoot": root, "transactionHash": receipt.transaction_hash}),
        );
    }
    println!("Vetoed epoch {epoch} (root {root}); attestors must sign a new proposal");
    Ok(())
}

async fn sign(args: DirArgs) -> Result<()> {
    let Some(signer) = args.common.wallet.signer()? else {
        bail!("signing needs the attestor's key: pass --private-key, --keystore, --account or --mnemonic");
    };
    let session = args.common.read_session().await?;
    let (file, signature, digest) = session.sign_epoch_dir(&args.dir, &signer).await?;
    if args.common.json {
        return print_json(
            &json!({"epoch": file.epoch(), "nonce": file.signed.nonce, "signer": signature.signer, "signature": signature.signature, "digest": digest}),
        );
    }
    println!(
        "{} signed epoch {} ({} signature(s) in {})",
        signature.signer,
        file.epoch(),
        file.signatures.len(),
        args.dir.join("epoch.json").display()
    );
    println!("signature {}", signature.signature);
    Ok(())
}

async fn propose(args: ProposeArgs) -> Result<()> {
    let session = args.common.session().await?;
    let file = read_epoch_file(&args.dir)?;
    let (signers, receipt) = session.propose_epoch(&file, &args.signatures).await?;
    let pending = session
        .pool()
        .pendingEpoch()
        .call()
        .await
        .map_err(|e| session.client.call_error("pendingEpoch", e))?;
    if args.common.json {
        return print_json(
            &json!({"epoch": file.epoch(), "rewardsRoot": file.signed.rewardsRoot, "validAt": pending.validAt, "transactionHash": receipt.transaction_hash, "signers": signers}),
        );
    }
    println!(
        "Proposed epoch {} with {} signature(s); claimable after timestamp {} (then `datanet epoch accept`)",
        file.epoch(),
        signers.len(),
        pending.validAt
    );
    Ok(())
}

async fn accept(args: AcceptArgs) -> Result<()> {
    let session = args.common.session().await?;
    let (epoch, root, receipt) = session.accept_epoch().await?;
    if args.common.json {
        return print_json(
            &json!({"epoch": epoch, "rewardsRoot": root, "transactionHash": receipt.transaction_hash}),
        );
    }
    println!(
        "Epoch {epoch} accepted: root {root} is claimable (`datanet rewards claim --tree DIR`)"
    );
    Ok(())
}

async fn verify(args: VerifyArgs) -> Result<()> {
    if args.inputs.epoch == Some(0) {
        bail!("epochs are numbered from 1");
    }
    match args.dir.clone() {
        Some(dir) => verify_dir(args, dir).await,
        None => verify_published(args).await,
    }
}

/// `epoch verify DIR`.
async fn verify_dir(args: VerifyArgs, dir: PathBuf) -> Result<()> {
    let fetcher = args.inputs.fetcher()?;
    let session = args.common.read_session().await?;
    let bar = Bar::new(args.common.json);
    let inputs = VerifyInputs {
        epoch: args.inputs.epoch,
        corpus_dir: &args.inputs.corpus,
        outputs: args.inputs.outputs(),
        previous: args.inputs.previous.as_deref(),
        fetcher: fetcher.as_ref(),
        progress: &bar,
    };
    let v = session.verify_epoch(&dir, &inputs).await?;
    drop(bar);
    if args.common.json {
        print_json(&json!({
            "epoch": v.epoch,
            "onChain": v.on_chain.as_str(),
            "match": v.matches(),
            "checks": v.checks.iter().map(|c| json!({"field": c.field, "recomputed": c.recomputed, "epochFile": c.epoch_file, "folder": c.folder, "onChain": c.on_chain})).collect::<Vec<_>>(),
            "skipped": v.skipped,
        }))?;
    } else {
        println!(
            "Epoch {} (blocks {}..={}), on chain: {}",
            v.epoch,
            v.from_block,
            v.to_block,
            v.on_chain.as_str()
        );
        let mut table = Table::new(&["", "recomputed", "epoch.json", "folder files", "on chain"]);
        for c in &v.checks {
            table.row(vec![
                c.field.to_string(),
                c.recomputed.clone(),
                c.epoch_file.clone(),
                c.folder.clone(),
                c.on_chain.clone(),
            ]);
        }
        table.print();
        print_skipped(&v.skipped, "");
    }
    if !v.matches() {
        return Err(Mismatch {
            epochs: vec![EpochMismatch::of(v.epoch, v.mismatches(), &v.skipped)],
        }
        .into());
    }
    if !args.common.json {
        let available = v
            .skipped
            .iter()
            .filter(|s| s.available_now == Some(true))
            .count();
        if available > 0 {
            println!("note: {available} source(s) left out as unreachable are available now (listed above)");
        }
        if v.on_chain == datanet_client::verify::ChainState::NotOnChain {
            println!(
                "verified: the recomputed epoch matches the folder (not proposed on chain yet)"
            );
        } else {
            println!("verified: the recomputed epoch matches the folder and the chain");
        }
    }
    Ok(())
}

/// `epoch verify [--epoch N]`: from the chain and published URIs alone.
async fn verify_published(args: VerifyArgs) -> Result<()> {
    if args.inputs.offline {
        bail!("verifying without an epoch folder reads the published report and outputs: drop --offline, or pass the epoch folder");
    }
    if args.inputs.previous.is_some() {
        bail!("--previous names a folder for `epoch verify DIR`; without DIR the previous epoch is read from its published report");
    }
    if args.inputs.log.is_some() && args.inputs.epoch.is_none() {
        bail!("--log holds one epoch's outputs: pass --epoch N with it");
    }
    let Some(fetcher) = args.inputs.fetcher()? else {
        bail!("fetching is off");
    };
    let session = args.common.read_session().await?;
    let bar = Bar::new(args.common.json);
    let inputs = PublishedVerifyInputs {
        corpus_dir: &args.inputs.corpus,
        outputs: args.inputs.outputs(),
        min_span: args.min_span,
        fetcher: &fetcher,
        progress: &bar,
    };
    let started = std::time::Instant::now();
    let (single, verifications) = match args.inputs.epoch {
        Some(epoch) => (
            true,
            vec![session.verify_published_epoch(epoch, &inputs).await?],
        ),
        None => (false, session.verify_published_epochs(&inputs).await?),
    };
    drop(bar);
    let elapsed = started.elapsed().as_secs_f64();
    let all_match = verifications.iter().all(PublishedVerification::matches);
    if args.common.json {
        if single {
            print_json(&published_json(&verifications[0]))?;
        } else {
            print_json(&json!({
                "match": all_match,
                "epochs": verifications.iter().map(published_json).collect::<Vec<_>>(),
            }))?;
        }
    } else if single {
        print_published(&verifications[0], args.inputs.log.as_deref());
    } else if verifications.is_empty() {
        println!("No epoch proposed or accepted yet: nothing to verify");
    } else {
        let ok = |b: bool| if b { "ok" } else { "DIFFERS" };
        let mut table = Table::new(&[
            "epoch",
            "status",
            "blocks",
            "root",
            "total",
            "report",
            "unpublished",
            "skipped",
        ]);
        for v in &verifications {
            table.row(vec![
                v.epoch.to_string(),
                v.on_chain.as_str().to_string(),
                match (v.from_block, v.to_block) {
                    (Some(a), Some(b)) => format!("{a}..={b}"),
                    _ => "-".into(),
                },
                ok(v.check(ROOT)).into(),
                ok(v.check(TOTAL)).into(),
                ok(v.check(REPORT)).into(),
                v.unpublished
                    .map_or("-".into(), |n| (n + v.mismatched.unwrap_or(0)).to_string()),
                skipped_cell(&v.skipped),
            ]);
        }
        table.print();
        for v in &verifications {
            for p in &v.problems {
                println!("  epoch {}: {p}", v.epoch);
            }
            print_skipped(&v.skipped, &format!("epoch {}: ", v.epoch));
        }
    }
    let mismatched: Vec<EpochMismatch> = verifications
        .iter()
        .filter(|v| !v.matches())
        .map(|v| EpochMismatch::of(v.epoch, v.mismatches(), &v.skipped))
        .collect();
    if !mismatched.is_empty() {
        return Err(Mismatch { epochs: mismatched }.into());
    }
    if !args.common.json && !verifications.is_empty() {
        println!(
            "verified: {} epoch(s) recomputed from chain data and published URIs match the chain and their published reports ({elapsed:.1}s)",
            verifications.len()
        );
        let available = verifications
            .iter()
            .flat_map(|v| &v.skipped)
            .filter(|s| s.available_now == Some(true))
            .count();
        if available > 0 {
            println!("note: {available} source(s) the attestors left out as unreachable are available now (listed above)");
        }
    }
    Ok(())
}

fn published_json(v: &PublishedVerification) -> serde_json::Value {
    json!({
        "epoch": v.epoch,
        "onChain": v.on_chain.as_str(),
        "match": v.matches(),
        "rootOk": v.check(ROOT),
        "totalOk": v.check(TOTAL),
        "reportOk": v.check(REPORT),
        "reportURI": v.report_uri,
        "nonce": v.nonce,
        "fromBlock": v.from_block,
        "toBlock": v.to_block,
        "checks": v.checks,
        "problems": v.problems,
        "unpublished": v.unpublished,
        "mismatched": v.mismatched,
        "inputs": v.inputs,
        "skippedOk": v.skipped.iter().all(|s| s.of_this_epoch),
        "skipped": v.skipped,
    })
}

/// The table cell of an epoch's skipped sources: how many, how many available now, how many are
/// no source of the epoch.
fn skipped_cell(skipped: &[SkippedCheck]) -> String {
    if skipped.is_empty() {
        return "0".into();
    }
    let available = skipped
        .iter()
        .filter(|s| s.available_now == Some(true))
        .count();
    let invented = skipped.iter().filter(|s| !s.of_this_epoch).count();
    let mut notes = Vec::new();
    if available > 0 {
        notes.push(format!("{available} available now"));
    }
    if invented > 0 {
        notes.push(format!("{invented} NOT OF THIS EPOCH"));
    }
    if notes.is_empty() {
        skipped.len().to_string()
    } else {
        format!("{} ({})", skipped.len(), notes.join(", "))
    }
}

/// One line per skipped source, naming its URI and what this verifier found.
fn print_skipped(skipped: &[SkippedCheck], prefix: &str) {
    for s in skipped {
        println!("  {prefix}{}", s.finding);
    }
}

fn print_published(v: &PublishedVerification, log: Option<&std::path::Path>) {
    println!(
        "Epoch {}, {} on chain; report {} (nonce {})",
        v.epoch,
        v.on_chain.as_str(),
        v.report_uri,
        v.nonce
    );
    if let (Some(from), Some(to)) = (v.from_block, v.to_block) {
        println!("  recomputed over blocks {from}..={to}");
    }
    if let Some(inputs) = &v.inputs {
        super::attribute::print_inputs(inputs, log);
    }
    if let Some(n) = v.unpublished {
        let n = n + v.mismatched.unwrap_or(0);
        if n > 0 {
            println!("  {n} paid output(s) not published (listed in the report)");
        }
    }
    let dash = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    let mut table = Table::new(&["", "recomputed", "on chain", "published report", ""]);
    for c in &v.checks {
        table.row(vec![
            c.field.to_string(),
            dash(&c.recomputed),
            c.on_chain.clone(),
            dash(&c.published),
            if c.matches { "ok" } else { "DIFFERS" }.to_string(),
        ]);
    }
    table.print();
    for p in &v.problems {
        println!("  {p}");
    }
    print_skipped(&v.skipped, "");
}
