//! `datanet pool show|pause|unpause`, `datanet guardian propose|accept|cancel`,
//! `datanet attestors propose|accept|cancel`.

use super::{print_json, Common};
use alloy::primitives::Address;
use anyhow::Result;
use clap::{Args, Subcommand};
use serde_json::json;

/// The pool: its state, and the guardian's bounded pause.
#[derive(Args)]
pub struct PoolArgs {
    #[command(subcommand)]
    action: PoolAction,
}

#[derive(Subcommand)]
enum PoolAction {
    /// Roles, attestors, epochs, pause and totals.
    Show(Plain),
    /// Pause payments, claims and owner withdrawals (guardian); it ends by itself after the
    /// pool's maximum pause.
    Pause(Plain),
    /// End the pause now (guardian).
    Unpause(Plain),
}

#[derive(Args)]
struct Plain {
    #[command(flatten)]
    common: Common,
}

pub async fn run(args: PoolArgs) -> Result<()> {
    match args.action {
        PoolAction::Show(a) => {
            let session = a.common.read_session().await?;
            let state = session.pool_state().await?;
            if a.common.json {
                return print_json(&state);
            }
            let token = session.token().await?;
            println!("owner            {}", state.owner);
            println!("guardian         {}", state.guardian);
            if let Some((g, at)) = state.pending_guardian {
                println!("  proposed       {g} (from unix time {at})");
            }
            println!(
                "attestors        {} of {}: {}",
                state.threshold,
                state.attestors.len(),
                state
                    .attestors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if let Some((set, threshold, at)) = &state.pending_attestors {
                println!(
                    "  proposed       {threshold} of {} (from unix time {at})",
                    set.len()
                );
            }
            println!("challenge period {}s", state.challenge_period);
            println!("proposal nonce   {}", state.proposal_nonce);
            println!(
                "current epoch    {} (root {})",
                state.current_epoch, state.rewards_root
            );
            if let Some((e, root, at)) = state.pending_epoch {
                println!("pending epoch    {e} (root {root}, acceptable from unix time {at})");
            }
            println!(
                "paused           {}{}",
                state.paused,
                if state.paused {
                    format!(" (until unix time {})", state.paused_until)
                } else {
                    String::new()
                }
            );
            println!(
                "received         {}",
                token.amount(state.contributors_received)
            );
            println!("allocated        {}", token.amount(state.total_allocated));
            println!("claimed          {}", token.amount(state.total_claimed));
            Ok(())
        }
        PoolAction::Pause(a) => {
            let session = a.common.session().await?;
            let (until, receipt) = session.pause().await?;
            if a.common.json {
                return print_json(
                    &json!({"pausedUntil": until, "transactionHash": receipt.transaction_hash}),
                );
            }
            println!("paused until unix time {until}");
            Ok(())
        }
        PoolAction::Unpause(a) => {
            let session = a.common.session().await?;
            let receipt = session.unpause().await?;
            if a.common.json {
                return print_json(&json!({"transactionHash": receipt.transaction_hash}));
            }
            println!("unpaused");
            Ok(())
        }
    }
}

/// Replace the guardian: the owner proposes, anyone accepts after the challenge period.
#[derive(Args)]
pub struct GuardianArgs {
    #[command(subcommand)]
    action: GuardianAction,
}

#[derive(Subcommand)]
enum GuardianAction {
    /// Propose a new guardian (owner).
    Propose(ProposeGuardian),
    /// Make the proposed guardian the guardian once its delay passed (anyone).
    Accept(Plain),
    /// Withdraw the proposal (owner).
    Cancel(Plain),
}

#[derive(Args)]
struct ProposeGuardian {
    #[command(flatten)]
    common: Common,
    /// The new guardian.
    #[arg(long, value_name = "ADDRESS")]
    address: Address,
}

pub async fn guardian(args: GuardianArgs) -> Result<()> {
    match args.action {
        GuardianAction::Propose(a) => {
            let session = a.common.session().await?;
            let (valid_at, receipt) = session.propose_guardian(a.address).await?;
            if a.common.json {
                return print_json(
                    &json!({"guardian": a.address, "validAt": valid_at, "transactionHash": receipt.transaction_hash}),
                );
            }
            println!(
                "proposed guardian {}; acceptable from unix time {valid_at}",
                a.address
            );
            Ok(())
        }
        GuardianAction::Accept(a) => {
            let session = a.common.session().await?;
            let (guardian, receipt) = session.accept_guardian().await?;
            if a.common.json {
                return print_json(
                    &json!({"guardian": guardian, "transactionHash": receipt.transaction_hash}),
                );
            }
            println!("{guardian} is the guardian");
            Ok(())
        }
        GuardianAction::Cancel(a) => {
            let session = a.common.session().await?;
            let receipt = session.cancel_guardian().await?;
            if a.common.json {
                return print_json(&json!({"transactionHash": receipt.transaction_hash}));
            }
            println!("guardian proposal cancelled");
            Ok(())
        }
    }
}

/// Rotate the attestor set: the owner proposes, and accepts after the challenge period (which
/// advances the proposal nonce: signatures of the outgoing set stop counting); the guardian may
/// cancel.
#[derive(Args)]
pub struct AttestorsArgs {
    #[command(subcommand)]
    action: AttestorsAction,
}

#[derive(Subcommand)]
enum AttestorsAction {
    /// Propose a new attestor set (owner).
    Propose(ProposeAttestors),
    /// Make the proposed set current once its delay passed (owner).
    Accept(Plain),
    /// Cancel the proposal (guardian).
    Cancel(Plain),
}

#[derive(Args)]
struct ProposeAttestors {
    #[command(flatten)]
    common: Common,
    /// An attestor; repeat for each.
    #[arg(long = "attestor", required = true, value_name = "ADDRESS")]
    attestors: Vec<Address>,
    /// Signatures needed per epoch.
    #[arg(long, value_name = "N")]
    threshold: u8,
}

pub async fn attestors(args: AttestorsArgs) -> Result<()> {
    match args.action {
        AttestorsAction::Propose(a) => {
            let session = a.common.session().await?;
            let (valid_at, receipt) = session.propose_attestors(&a.attestors, a.threshold).await?;
            if a.common.json {
                return print_json(
                    &json!({"attestors": a.attestors, "threshold": a.threshold, "validAt": valid_at, "transactionHash": receipt.transaction_hash}),
                );
            }
            println!(
                "proposed {} of {} attestors; acceptable from unix time {valid_at}",
                a.threshold,
                a.attestors.len()
            );
            Ok(())
        }
        AttestorsAction::Accept(a) => {
            let session = a.common.session().await?;
            let receipt = session.accept_attestors().await?;
            if a.common.json {
                return print_json(&json!({"transactionHash": receipt.transaction_hash}));
            }
            println!("the proposed attestor set is current; the proposal nonce advanced");
            Ok(())
        }
        AttestorsAction::Cancel(a) => {
            let session = a.common.session().await?;
            let receipt = session.cancel_attestors().await?;
            if a.common.json {
                return print_json(&json!({"transactionHash": receipt.transaction_hash}));
            }
            println!("attestor proposal cancelled");
            Ok(())
        }
    }
}
