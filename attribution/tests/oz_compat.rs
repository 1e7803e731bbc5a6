//! The Rust reward tree against `@openzeppelin/merkle-tree` itself (through
//! `scripts/oz-merkle.mjs`): roots, `dump()` JSON and proofs, byte for byte.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use alloy_primitives::{keccak256, Address, B256, U256};
use datanet_attribution::RewardTree;
use serde_json::Value;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs the reference script; fails clearly when Node or the package is missing.
fn oz(args: &[&str], input: &str) -> Value {
    let root = repo_root();
    let package = root.join("node_modules/@openzeppelin/merkle-tree/package.json");
    assert!(
        package.exists(),
        "{} is missing: run `npm ci` at the repository root ({}) first",
        package.display(),
        root.display()
    );
    let dir = tempdir();
    let file = dir.join("input.json");
    std::fs::write(&file, input).expect("write the script's input");
    let output = Command::new("node")
        .arg(root.join("scripts/oz-merkle.mjs"))
        .args(args)
        .arg(&file)
        .current_dir(&root)
        .output()
        .expect("run `node` (is Node.js installed?)");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        output.status.success(),
        "scripts/oz-merkle.mjs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the script prints JSON")
}

fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "datanet-oz-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    dir
}

/// Deterministic pseudo-random values: random accounts, amounts from 0 to 2^256 − 1.
fn values(n: usize, seed: u64) -> Vec<(Address, U256)> {
    (0..n)
        .map(|i| {
            let h = keccak256([seed.to_be_bytes(), (i as u64).to_be_bytes()].concat());
            let account = Address::from_slice(&h[12..]);
            let amount = match i % 4 {
                0 => U256::from(i),
                1 => U256::from_be_bytes(keccak256(h).0),
                2 => {
                    U256::from(u64::from_be_bytes(h[..8].try_into().unwrap()))
                        * U256::from(10).pow(U256::from(9))
                }
                _ => U256::MAX - U256::from(i),
            };
            (account, amount)
        })
        .collect()
}

fn values_json(values: &[(Address, U256)]) -> String {
    let list: Vec<Value> = values
        .iter()
        .map(|(a, v)| Value::from(vec![format!("{a:#x}"), v.to_string()]))
        .collect();
    Value::from(list).to_string()
}

fn hex_list(proof: &[B256]) -> Vec<String> {
    proof.iter().map(|h| format!("{h:#x}")).collect()
}

fn check(values: Vec<(Address, U256)>) {
    let n = values.len();
    let js = oz(&[], &values_json(&values));
    let tree = RewardTree::of(values).expect("build the tree");

    assert_eq!(
        js["root"].as_str().unwrap(),
        format!("{:#x}", tree.root()),
        "root, {n} values"
    );
    assert!(
        js["dump"].as_str().unwrap() == tree.to_json(),
        "dump() JSON differs, {n} values"
    );
    assert!(
        js["dumpPretty"].as_str().unwrap() == tree.to_json_pretty(),
        "pretty dump() JSON differs, {n} values"
    );
    let js_proofs = js["proofs"].as_array().unwrap();
    assert_eq!(js_proofs.len(), n);
    for (i, js_proof) in js_proofs.iter().enumerate() {
        let js_proof: Vec<&str> = js_proof
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert_eq!(
            js_proof,
            hex_list(&tree.get_proof(i).unwrap()),
            "proof {i} of {n}"
        );
    }

    // Each side loads the other's dump.
    let from_js =
        RewardTree::load(js["dumpPretty"].as_str().unwrap().as_bytes()).expect("load the JS dump");
    assert_eq!(from_js.root(), tree.root());
    assert_eq!(from_js.to_json(), tree.to_json());
    let js_loaded = oz(&["--load"], &tree.to_json());
    assert_eq!(js_loaded["root"], js["root"]);
    assert_eq!(js_loaded["proofs"], js["proofs"]);
}

#[test]
fn one_leaf() {
    check(values(1, 1));
}

#[test]
fn two_leaves() {
    check(values(2, 2));
}

#[test]
fn three_leaves() {
    check(values(3, 3));
}

#[test]
fn a_thousand_leaves() {
    check(values(1000, 1000));
}

#[test]
fn random_size() {
    // A fixed seed: the size and values are pseudo-random but reproducible.
    let seed = 0x5eed_u64;
    let size = 1
        + (u64::from_be_bytes(keccak256(seed.to_be_bytes())[..8].try_into().unwrap()) % 3000)
            as usize;
    check(values(size, seed));
}

#[test]
fn openzeppelin_readme_example() {
    // The example of the library's README, whose root is documented there.
    let tree = RewardTree::of(vec![
        (
            "0x1111111111111111111111111111111111111111"
                .parse()
                .unwrap(),
            U256::from(5_000_000_000_000_000_000u128),
        ),
        (
            "0x2222222222222222222222222222222222222222"
                .parse()
                .unwrap(),
            U256::from(2_500_000_000_000_000_000u128),
        ),
    ])
    .unwrap();
    assert_eq!(
        format!("{:#x}", tree.root()),
        "0xd4dee0beab2d53f2cc83e567171bd2820e49898130a22622b10ead383e90bd77"
    );
}
