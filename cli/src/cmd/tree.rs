//! `datanet tree build|proof`: OpenZeppelin-compatible reward trees for operators and integrators.

use super::print_json;
use alloy::primitives::Address;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use datanet_attribution::RewardTree;
use datanet_client::{epoch::read_tree, tree::read_values};
use serde_json::json;
use std::path::PathBuf;

/// Build reward trees and proofs (`@openzeppelin/merkle-tree` standard-v1, leaves `[address, uint256]`).
#[derive(Args)]
pub struct TreeArgs {
    #[command(subcommand)]
    action: TreeAction,
}

#[derive(Subcommand)]
enum TreeAction {
    /// Build a tree from `address,amount` lines (amount in base units; a header line is allowed) or a
    /// JSON array of `[address, amount]`.
    Build {
        /// The values file (.csv or .json).
        values: PathBuf,
        /// Where to write the tree dump.
        #[arg(long, value_name = "TREE.json")]
        out: PathBuf,
        /// Print machine-readable JSON only.
        #[arg(long)]
        json: bool,
    },
    /// Print an account's amount and proof.
    Proof {
        /// The tree dump.
        tree: PathBuf,
        /// The account.
        #[arg(long, value_name = "ADDRESS")]
        address: Address,
        /// Print machine-readable JSON only.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: TreeArgs) -> Result<()> {
    match args.action {
        TreeAction::Build { values, out, json } => {
            let values = read_values(&values)?;
            let count = values.len();
            let tree = RewardTree::of(values)?;
            std::fs::write(&out, tree.to_json_pretty())
                .with_context(|| format!("cannot write {}", out.display()))?;
            if json {
                return print_json(&json!({"root": tree.root(), "leaves": count, "out": out}));
            }
            println!(
                "root {} ({count} leaves) written to {}",
                tree.root(),
                out.display()
            );
            Ok(())
        }
        TreeAction::Proof {
            tree,
            address,
            json,
        } => {
            let tree = read_tree(&tree)?;
            let Some(amount) = tree.amount_of(address) else {
                bail!("{address} is not in the tree")
            };
            let proof = tree.get_proof_for(address)?;
            if json {
                return print_json(
                    &json!({"root": tree.root(), "account": address, "amount": amount.to_string(), "proof": proof}),
                );
            }
            println!("root    {}", tree.root());
            println!("amount  {amount}");
            println!(
                "proof   [{}]",
                proof
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            );
            Ok(())
        }
    }
}
