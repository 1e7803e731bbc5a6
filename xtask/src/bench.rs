//! `cargo xtask bench`: measured figures, printed as tables and written as JSON under `bench/`.
//!
//! Each bench is one function that returns a serializable result; [`run`] runs them in turn and
//! writes `bench/<name>.json` for each. Add a bench by writing its function and a line in [`run`].

use crate::toolchain::{cargo, npm_bin};
use alloy::{
    node_bindings::{Anvil, AnvilInstance},
    primitives::{keccak256, utils::parse_units, B256, U256},
    providers::Provider,
    signers::local::PrivateKeySigner,
};
use anyhow::{bail, ensure, Context, Result};
use datanet_cli::{
    deploy, files, session::DEFAULT_CONTRIBUTE_BATCH, Client, DeployConfig, Deployment, Session,
};
use serde::Serialize;
use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

/// Runs of each fast method (the cast loop runs once: it takes minutes).
const REPEATS: usize = 3;

/// Options of `cargo xtask bench`.
#[derive(clap::Args, Clone, Debug)]
pub struct BenchArgs {
    /// Files contributed by each method of the throughput bench.
    #[arg(long, default_value_t = 1_000)]
    pub files: usize,
}

/// Runs every bench and writes its JSON under `bench/`.
pub async fn run(root: &Path, args: &BenchArgs) -> Result<()> {
    let throughput = contribute_throughput(root, args.files).await?;
    throughput.print();
    let path = write_json(root, "throughput.json", &throughput)?;
    println!("\nwrote {}", path.display());
    Ok(())
}

/// Writes `bench/<name>` (pretty JSON, trailing newline).
pub fn write_json(root: &Path, name: &str, value: &impl Serialize) -> Result<PathBuf> {
    let dir = root.join("bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/* CONTRIBUTE THROUGHPUT */

/// Contributions per second of the release `datanet contribute` binary, of the library's
/// `Session::contribute` in this process, and of a `cast send` loop calling `contribute` once per file.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContributeThroughput {
    pub files: usize,
    pub node: String,
    /// The cast binary of the loop (the native one, not npm's Node launcher, which adds ~90 ms a call).
    pub cast: String,
    pub cpus: usize,
    pub unix_time: u64,
    /// `datanet contribute DATANET FOLDER` (release build), timed from process start to exit.
    pub datanet_contribute: Measure,
    /// `Session::contribute` called in-process (hashing the files included).
    pub library_contribute: Measure,
    /// One `cast send … "contribute(uint256,bytes32,string)"` per file, each waiting for its receipt.
    pub cast_send_loop: Measure,
    /// `datanet contribute` contributions/s divided by the cast loop's.
    pub speedup_vs_cast: f64,
    pub goal_per_second: f64,
    pub goal_speedup: f64,
}

/// One method's run.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Measure {
    pub method: String,
    pub contributions: usize,
    /// Median of the runs.
    pub seconds: f64,
    pub samples_seconds: Vec<f64>,
    pub per_second: f64,
    pub transactions: usize,
    pub contributions_per_transaction: usize,
    /// Gas of the contribution transactions (from their receipts) divided by the contributions.
    pub gas_per_contribution: u64,
}

impl ContributeThroughput {
    fn print(&self) {
        println!(
            "\ncontribute throughput: {} distinct files per method, {}, automine, {} CPUs",
            self.files, self.node, self.cpus
        );
        println!(
            "{:<38} {:>13} {:>9} {:>10} {:>6} {:>9} {:>10}",
            "method", "contributions", "seconds", "contrib/s", "txs", "per tx", "gas/contr"
        );
        for m in [
            &self.datanet_contribute,
            &self.library_contribute,
            &self.cast_send_loop,
        ] {
            println!(
                "{:<38} {:>13} {:>9.3} {:>10.1} {:>6} {:>9} {:>10}",
                m.method,
                m.contributions,
                m.seconds,
                m.per_second,
                m.transactions,
                m.contributions_per_transaction,
                m.gas_per_contribution
            );
        }
        let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
        println!(
            "datanet contribute: {:.0} contributions/s (goal ≥ {:.0}: {}); {:.1}× the cast loop (goal ≥ {:.0}×: {})",
            self.datanet_contribute.per_second,
            self.goal_per_second,
            verdict(self.datanet_contribute.per_second >= self.goal_per_second),
            self.speedup_vs_cast,
            self.goal_speedup,
            verdict(self.speedup_vs_cast >= self.goal_speedup),
        );
    }
}

/// Starts anvil, deploys, and contributes `n` files three ways into three fresh datanets (no bond).
pub async fn contribute_throughput(root: &Path, n: usize) -> Result<ContributeThroughput> {
    ensure!(n > 0, "--files must be at least 1");
    let datanet_bin = build_release_datanet(root)?;
    let cast = native_tool(root, "cast");
    let anvil_path = npm_bin(root, "anvil");
    ensure!(
        cast.exists() && anvil_path.exists(),
        "{} or {} is missing: run `cargo xtask setup`",
        cast.display(),
        anvil_path.display()
    );
    let node = version_of(&anvil_path)?;
    let anvil = Anvil::new()
        .path(&anvil_path)
        .try_spawn()
        .context("starting anvil from node_modules (run `cargo xtask setup`)")?;
    let work = std::env::temp_dir().join(format!("datanet-bench-{}", std::process::id()));
    let result = measure_all(&anvil, &datanet_bin, &cast, &work, n, node)
        .await
        .map(|mut report| {
            report.cast = cast
                .strip_prefix(root)
                .unwrap_or(&cast)
                .display()
                .to_string();
            report
        });
    let _ = std::fs::remove_dir_all(&work);
    result
}

async fn measure_all(
    anvil: &AnvilInstance,
    datanet_bin: &Path,
    cast: &Path,
    work: &Path,
    n: usize,
    node: String,
) -> Result<ContributeThroughput> {
    let url = anvil.endpoint();
    // Anvil dev keys, passed to the child processes (never printed). Each method signs with its own
    // account: the library's nonce cache must not see another process's transactions.
    let key = |i: usize| format!("0x{}", alloy::hex::encode(anvil.keys()[i].to_bytes()));
    let (cli_key, cast_key) = (key(1), key(2));
    let signer = PrivateKeySigner::from(anvil.keys()[0].clone());
    let client = Client::connect(&url, Some(signer)).await?;
    let supply: U256 = parse_units("1000000000", 18)?.into();
    let deployment = deploy(
        &client,
        &DeployConfig {
            token_supply: supply,
            challenge_period: 3_600,
            protocol_fee_bps: 500,
            ..Default::default()
        },
    )
    .await?;
    let deployments = work.join("deployments");
    deployment.save(&deployments, true)?;
    let session = Session {
        client,
        deployment: deployment.clone(),
    };

    let data = work.join("files");
    std::fs::create_dir_all(&data)?;
    for i in 0..n {
        std::fs::write(
            data.join(format!("{i:05}.txt")),
            format!("bench sample {i}: a short distinct line of contributed text\n"),
        )?;
    }
    println!(
        "anvil on {url}; {n} files in {}; datanet binary {}",
        data.display(),
        datanet_bin.display()
    );

    // 1. The release binary, end to end; 2. the library, in this process. Each run is a fraction of
    // a second, so each is repeated into a fresh datanet and the median kept.
    let mut cli_samples = Vec::new();
    let mut lib_samples = Vec::new();
    let (mut cli_tx_gas, mut lib_tx_gas) = ((0, 0), (0, 0));
    let mut collected = Vec::new();
    for round in 1..=REPEATS {
        let (cli_datanet, _) = session
            .create_datanet("ipfs://bench-cli", U256::ZERO, 86_400)
            .await?;
        println!("datanet contribute, run {round} of {REPEATS} …");
        let started = Instant::now();
        let output = Command::new(datanet_bin)
            .arg("contribute")
            .arg(cli_datanet.to_string())
            .arg(&data)
            .args(["--json", "--rpc-url", &url, "--private-key", &cli_key])
            .arg("--deployments")
            .arg(&deployments)
            .output()
            .context("running datanet contribute")?;
        cli_samples.push(started.elapsed().as_secs_f64());
        if !output.status.success() {
            bail!(
                "datanet contribute failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let results: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout)?;
        let registered = results
            .iter()
            .filter(|r| r["outcome"] == "registered")
            .count();
        ensure!(
            registered == n,
            "datanet contribute registered {registered} of {n} files"
        );
        cli_tx_gas = contribution_gas(&session, &deployment, cli_datanet, n).await?;

        let (lib_datanet, _) = session
            .create_datanet("ipfs://bench-lib", U256::ZERO, 86_400)
            .await?;
        println!("Session::contribute, run {round} of {REPEATS} …");
        let started = Instant::now();
        collected = files::collect(std::slice::from_ref(&data))?;
        let results = session
            .contribute(
                lib_datanet,
                &collected,
                |f| f.path.display().to_string(),
                DEFAULT_CONTRIBUTE_BATCH,
                |_, _| {},
            )
            .await?;
        lib_samples.push(started.elapsed().as_secs_f64());
        let registered = results.iter().filter(|r| r.outcome == "registered").count();
        ensure!(
            registered == n,
            "Session::contribute registered {registered} of {n} files"
        );
        lib_tx_gas = contribution_gas(&session, &deployment, lib_datanet, n).await?;
    }
    let ((cli_txs, cli_gas), (lib_txs, lib_gas)) = (cli_tx_gas, lib_tx_gas);

    // 3. The cast loop: one transaction per file, as a shell script would do it.
    let (cast_datanet, _) = session
        .create_datanet("ipfs://bench-cast", U256::ZERO, 86_400)
        .await?;
    let registry = deployment.datanet_registry.to_string();
    let datanet_arg = cast_datanet.to_string();
    println!("cast send loop ({n} transactions) …");
    let started = Instant::now();
    let mut cast_gas_total = 0u64;
    for file in &collected {
        let content_hash = keccak256(std::fs::read(&file.path)?);
        let out = Command::new(cast)
            .args([
                "send",
                "--json",
                "--rpc-url",
                &url,
                "--private-key",
                &cast_key,
            ])
            .arg(&registry)
            .arg("contribute(uint256,bytes32,string)")
            .arg(&datanet_arg)
            .arg(content_hash.to_string())
            .arg(file.path.display().to_string())
            .output()
            .context("running cast send")?;
        if !out.status.success() {
            bail!(
                "cast send failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        let receipt: serde_json::Value = serde_json::from_slice(&out.stdout)
            .context("cast send --json did not print a receipt")?;
        ensure!(
            receipt["status"] == "0x1",
            "cast send: transaction reverted"
        );
        cast_gas_total += quantity(&receipt["gasUsed"])?;
    }
    let cast_seconds = started.elapsed().as_secs_f64();
    let (cast_txs, cast_gas) = contribution_gas(&session, &deployment, cast_datanet, n).await?;
    ensure!(
        cast_gas == cast_gas_total / n as u64,
        "cast receipts and chain receipts disagree on gas"
    );

    let measure = |method: &str, samples: Vec<f64>, txs: usize, gas: u64| {
        let seconds = median(&samples);
        Measure {
            method: method.to_string(),
            contributions: n,
            seconds,
            samples_seconds: samples,
            per_second: n as f64 / seconds,
            transactions: txs,
            contributions_per_transaction: n.div_ceil(txs),
            gas_per_contribution: gas,
        }
    };
    let datanet_contribute = measure(
        "datanet contribute (release binary)",
        cli_samples,
        cli_txs,
        cli_gas,
    );
    let cast_send_loop = measure(
        "cast send loop (contribute)",
        vec![cast_seconds],
        cast_txs,
        cast_gas,
    );
    Ok(ContributeThroughput {
        files: n,
        node,
        cast: String::new(),
        cpus: std::thread::available_parallelism().map_or(1, |p| p.get()),
        unix_time: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        speedup_vs_cast: datanet_contribute.per_second / cast_send_loop.per_second,
        library_contribute: measure(
            "Session::contribute (library)",
            lib_samples,
            lib_txs,
            lib_gas,
        ),
        datanet_contribute,
        cast_send_loop,
        goal_per_second: 1_000.0,
        goal_speedup: 50.0,
    })
}

/// The transactions that registered datanet `datanet`'s contributions (from its `Contributed`
/// events) and their gas per contribution (from their receipts).
async fn contribution_gas(
    session: &Session,
    deployment: &Deployment,
    datanet: u64,
    expected: usize,
) -> Result<(usize, u64)> {
    let events = session
        .registry()
        .Contributed_filter()
        .topic2(U256::from(datanet))
        .from_block(deployment.deployment_block)
        .query()
        .await
        .context("reading Contributed events")?;
    ensure!(
        events.len() == expected,
        "datanet {datanet} has {} Contributed events, expected {expected}",
        events.len()
    );
    let txs: BTreeSet<B256> = events
        .iter()
        .filter_map(|(_, log)| log.transaction_hash)
        .collect();
    let mut gas = 0u64;
    for tx in &txs {
        let receipt = session
            .client
            .provider()
            .get_transaction_receipt(*tx)
            .await
            .context("reading a receipt")?
            .with_context(|| format!("no receipt for {tx}"))?;
        gas += receipt.gas_used;
    }
    Ok((txs.len(), gas / expected as u64))
}

/// Builds `datanet` with `cargo build --release` and returns the executable cargo reports.
fn build_release_datanet(root: &Path) -> Result<PathBuf> {
    println!("building the release datanet binary (cargo build --release -p datanet-cli --bin datanet) …");
    let output = cargo()
        .args([
            "build",
            "--release",
            "-p",
            "datanet-cli",
            "--bin",
            "datanet",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(root)
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running cargo build --release")?;
    ensure!(
        output.status.success(),
        "cargo build --release -p datanet-cli failed"
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "datanet")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .context("cargo did not report the datanet executable")
}

/// The platform binary npm installed for a Foundry tool (`@foundry-rs/<tool>-<platform>/bin/<tool>`),
/// else the `node_modules/.bin` launcher.
fn native_tool(root: &Path, tool: &str) -> PathBuf {
    let scope = root.join("node_modules/@foundry-rs");
    std::fs::read_dir(&scope)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok())
        .filter(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .starts_with(&format!("{tool}-"))
        })
        .map(|entry| entry.path().join("bin").join(tool))
        .find(|path| path.is_file())
        .unwrap_or_else(|| npm_bin(root, tool))
}

fn version_of(binary: &Path) -> Result<String> {
    let out = Command::new(binary)
        .arg("--version")
        .output()
        .with_context(|| format!("running {} --version", binary.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.lines().next().unwrap_or("unknown").trim().to_string())
}

fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

/// A JSON-RPC quantity ("0x…" or a number).
fn quantity(value: &serde_json::Value) -> Result<u64> {
    match value {
        serde_json::Value::String(hex) => u64::from_str_radix(hex.trim_start_matches("0x"), 16)
            .with_context(|| format!("{hex:?} is not a hex quantity")),
        other => other
            .as_u64()
            .with_context(|| format!("{other} is not a quantity")),
    }
}
