//! `datanet epoch sign|propose|accept|verify`.

use super::{attribute::EpochInputArgs, print_json, Common};
use crate::ui::Table;
use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use datanet_client::{epoch::read_epoch_file, verify::VerifyInputs};
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
    /// Recompute an epoch from chain data and local files and compare it with the folder and the
    /// chain. Exits with status 3 when they differ.
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

#[derive(Args)]
struct VerifyArgs {
    #[command(flatten)]
    common: Common,
    /// The epoch folder to check.
    dir: PathBuf,
    #[command(flatten)]
    inputs: EpochInputArgs,
}

/// The recomputed epoch differs from the folder or the chain (exit status 3).
#[derive(Debug)]
pub struct Mismatch {
    pub epoch: u64,
    pub fields: Vec<&'static str>,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "epoch {} does not verify: {} differ(s)",
            self.epoch,
            self.fields.join(", ")
        )
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
    let session = args.common.read_session().await?;
    let inputs = VerifyInputs {
        epoch: args.inputs.epoch,
        corpus_dir: &args.inputs.corpus,
        log: &args.inputs.log,
        previous: args.inputs.previous.as_deref(),
    };
    let v = session.verify_epoch(&args.dir, &inputs).await?;
    if args.common.json {
        print_json(&json!({
            "epoch": v.epoch,
            "onChain": v.on_chain.as_str(),
            "match": v.matches(),
            "checks": v.checks.iter().map(|c| json!({"field": c.field, "recomputed": c.recomputed, "epochFile": c.epoch_file, "folder": c.folder, "onChain": c.on_chain})).collect::<Vec<_>>(),
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
    }
    if !v.matches() {
        return Err(Mismatch {
            epoch: v.epoch,
            fields: v.mismatches(),
        }
        .into());
    }
    if !args.common.json {
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
