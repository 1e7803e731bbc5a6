//! `datanet tree build|proof`: OpenZeppelin-compatible reward trees for operators and integrators.

use super::print_json;
use alloy::primitives::{Address, U256};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use datanet_attribution::RewardTree;
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
        address: Address,
        /// Print machine-readable JSON only.
        #[arg(long)]
        json: bool,
    },
}

fn parse_values(path: &PathBuf) -> Result<Vec<(Address, U256)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    if path.extension().is_some_and(|e| e == "json") {
        let rows: Vec<(Address, String)> = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a JSON array of [address, amount]",
                path.display()
            )
        })?;
        return rows
            .into_iter()
            .map(|(a, v)| {
                Ok((
                    a,
                    v.parse::<U256>()
                        .with_context(|| format!("amount {v:?} is not an integer"))?,
                ))
            })
            .collect();
    }
    let mut values = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((address, amount)) = line.split_once(',') else {
            bail!(
                "{} line {}: expected `address,amount`",
                path.display(),
                i + 1
            );
        };
        let address = match address.trim().parse::<Address>() {
            Ok(a) => a,
            Err(_) if i == 0 => continue, // header
            Err(_) => bail!(
                "{} line {}: {:?} is not an address",
                path.display(),
                i + 1,
                address.trim()
            ),
        };
        let amount = amount.trim().parse::<U256>().with_context(|| {
            format!(
                "{} line {}: {:?} is not an amount in base units",
                path.display(),
                i + 1,
                amount.trim()
            )
        })?;
        values.push((address, amount));
    }
    Ok(values)
}

pub fn run(args: TreeArgs) -> Result<()> {
    match args.action {
        TreeAction::Build { values, out, json } => {
            let values = parse_values(&values)?;
            if values.is_empty() {
                bail!("no values: a tree needs at least one `address,amount`");
            }
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
            let tree = super::rewards::load_tree(&tree)?;
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
