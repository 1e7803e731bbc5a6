//! `datanet epoch sign|propose|accept|verify`.

use super::{
    attribute::{previous_dir, EpochInputArgs},
    print_json,
    util::Table,
    Common,
};
use alloy::primitives::{B256, U256};
use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use datanet_cli::epoch::{
    read_epoch_file, read_report, read_tree, sign_digest, write_epoch_file, EpochSources,
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
    /// Recompute an epoch from chain data and local files and compare it with the folder and the chain.
    Verify(VerifyArgs),
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

pub async fn run(args: EpochArgs) -> Result<()> {
    match args.action {
        EpochAction::Sign(a) => sign(a).await,
        EpochAction::Propose(a) => propose(a).await,
        EpochAction::Accept(a) => accept(a).await,
        EpochAction::Verify(a) => verify(a).await,
    }
}

async fn sign(args: DirArgs) -> Result<()> {
    let Some(signer) = args.common.wallet.signer()? else {
        bail!("signing needs the attestor's key: pass --private-key, --keystore, --account or --mnemonic");
    };
    let session = datanet_cli::Session::open(
        datanet_cli::Client::connect(&args.common.rpc.rpc_url, None).await?,
        &args.common.rpc.deployments,
    )
    .await?;
    let mut file = read_epoch_file(&args.dir)?;
    if file.chain_id != session.client.chain_id()
        || file.pool != session.deployment.attribution_pool
    {
        bail!(
            "{} is for pool {} on chain {}, not this deployment's pool {} on chain {}",
            args.dir.display(),
            file.pool,
            file.chain_id,
            session.deployment.attribution_pool,
            session.client.chain_id()
        );
    }
    let is_attestor = session
        .pool()
        .isAttestor(signer.address())
        .call()
        .await
        .map_err(|e| session.client.call_error("isAttestor", e))?;
    if !is_attestor {
        bail!(
            "{} is not an attestor of pool {}",
            signer.address(),
            file.pool
        );
    }
    let digest = session.epoch_digest(&file).await?;
    let signature = sign_digest(&signer, digest)?;
    file.signatures.retain(|s| s.signer != signature.signer);
    file.signatures.push(signature.clone());
    write_epoch_file(&args.dir, &file)?;
    if args.common.json {
        return print_json(
            &json!({"epoch": file.epoch, "signer": signature.signer, "signature": signature.signature, "digest": digest}),
        );
    }
    println!(
        "{} signed epoch {} ({} signature(s) in {})",
        signature.signer,
        file.epoch,
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
            &json!({"epoch": file.epoch, "rewardsRoot": file.rewards_root, "validAt": pending.validAt, "transactionHash": receipt.transaction_hash, "signers": signers}),
        );
    }
    println!(
        "Proposed epoch {} with {} signature(s); claimable after timestamp {} (then `datanet epoch accept`)",
        file.epoch,
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
    let session = args.common.session().await?;
    let file = read_epoch_file(&args.dir)?;
    if let Some(n) = args.inputs.epoch {
        if n != file.epoch {
            bail!(
                "--epoch {n} but {} holds epoch {}",
                args.dir.display(),
                file.epoch
            );
        }
    }
    let previous = previous_dir(args.inputs.previous.as_deref(), &args.dir, file.epoch);
    let sources = EpochSources {
        epoch: file.epoch,
        to_block: Some(file.to_block),
        from_block: Some(file.from_block),
        min_span: file.min_span,
        corpus_dir: &args.inputs.corpus,
        log: &args.inputs.log,
        previous: previous.as_deref(),
        report_uri: file.report_uri.clone(),
    };
    let computed = session.compute_epoch(&sources).await?;
    let folder_tree = read_tree(&args.dir)?;
    let (folder_report, folder_report_hash) = read_report(&args.dir)?;

    let pool = session.pool();
    let current = pool
        .currentEpoch()
        .call()
        .await
        .map_err(|e| session.client.call_error("currentEpoch", e))?;
    let (chain_state, chain_root, chain_hash, chain_total) = if U256::from(file.epoch) <= current {
        let r = pool
            .epochRecord(U256::from(file.epoch))
            .call()
            .await
            .map_err(|e| session.client.call_error("epochRecord", e))?;
        ("accepted", r.rewardsRoot, r.reportHash, r.totalAllocated)
    } else {
        let p = pool
            .pendingEpoch()
            .call()
            .await
            .map_err(|e| session.client.call_error("pendingEpoch", e))?;
        if p.validAt == 0 || p.epoch != file.epoch {
            ("not on chain", B256::ZERO, B256::ZERO, U256::ZERO)
        } else {
            (
                "pending",
                p.rewardsRoot,
                p.reportHash,
                U256::from(p.totalAllocated),
            )
        }
    };

    let on_chain = chain_state != "not on chain";
    let recomputed = &computed.file;
    let checks = [
        (
            "rewards root",
            recomputed.rewards_root.to_string(),
            file.rewards_root.to_string(),
            folder_tree.root().to_string(),
            chain_root.to_string(),
        ),
        (
            "report hash",
            recomputed.report_hash.to_string(),
            file.report_hash.to_string(),
            folder_report_hash.to_string(),
            chain_hash.to_string(),
        ),
        (
            "total allocated",
            recomputed.total_allocated.to_string(),
            file.total_allocated.to_string(),
            folder_report.totals.cumulative_allocated.to_string(),
            chain_total.to_string(),
        ),
    ];
    let mismatches: Vec<&str> = checks
        .iter()
        // Before the epoch is proposed, verify the folder alone (what an attestor checks before signing).
        .filter(|(_, r, f, d, c)| r != f || r != d || (on_chain && r != c))
        .map(|(name, ..)| *name)
        .collect();
    if args.common.json {
        print_json(&json!({
            "epoch": file.epoch,
            "onChain": chain_state,
            "match": mismatches.is_empty(),
            "checks": checks.iter().map(|(n, r, f, d, c)| json!({"field": n, "recomputed": r, "epochFile": f, "folder": d, "onChain": c})).collect::<Vec<_>>(),
        }))?;
    } else {
        println!(
            "Epoch {} (blocks {}..={}), on chain: {chain_state}",
            file.epoch, file.from_block, file.to_block
        );
        let mut table = Table::new(&["", "recomputed", "epoch.json", "folder files", "on chain"]);
        for (n, r, f, d, c) in &checks {
            table.row(vec![
                n.to_string(),
                r.clone(),
                f.clone(),
                d.clone(),
                c.clone(),
            ]);
        }
        table.print();
    }
    if !mismatches.is_empty() {
        bail!(
            "epoch {} does not verify: {} differ(s)",
            file.epoch,
            mismatches.join(", ")
        );
    }
    if !args.common.json {
        if on_chain {
            println!("verified: the recomputed epoch matches the folder and the chain");
        } else {
            println!(
                "verified: the recomputed epoch matches the folder (not proposed on chain yet)"
            );
        }
    }
    Ok(())
}
