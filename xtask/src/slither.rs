//! `cargo xtask slither`: static analysis of `contracts/` with slither (PyPI `slither-analyzer`, pinned
//! in `scripts/mutation/requirements.txt`, installed into `target/venv` on first use).
//!
//! slither compiles through forge and the solc-js launcher (`scripts/solc`), into `target/slither/`
//! so that it never cleans or rewrites the project's `out/` and `cache/`. Settings are in
//! `slither.config.json`; `slither.triage.json` gives a reason for every excluded detector (Low or
//! Informational only) and for every accepted finding. Any High or Medium finding without a triage
//! entry fails; untriaged Low and Informational findings are printed.

use anyhow::{bail, ensure, Context, Result};
use serde::Deserialize;
use serde_json::Value;
use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::Path,
    process::Command,
};

/// `slither.triage.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Triage {
    /// Detector name → why it is off (must match `detectors_to_exclude` in `slither.config.json`).
    excluded_detectors: BTreeMap<String, String>,
    /// Findings reviewed and accepted.
    findings: Vec<Accepted>,
}

/// One reviewed finding: `location` must occur in the finding's description (e.g.
/// `DatanetRegistry._pullBond(address,uint256)`), so line shifts do not invalidate it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Accepted {
    detector: String,
    location: String,
    reason: String,
}

/// The part of `slither.config.json` this task checks.
#[derive(Deserialize)]
struct Config {
    detectors_to_exclude: Option<String>,
}

/// Runs slither and fails on untriaged High or Medium findings.
pub fn run(root: &Path) -> Result<()> {
    ensure_venv(root)?;
    let slither = root.join("target/venv/bin/slither");
    let triage: Triage = read_json(&root.join("slither.triage.json"))?;
    let config: Config = read_json(&root.join("slither.config.json"))?;
    check_exclusions(&slither, &triage, &config)?;

    let work = root.join("target/slither");
    fs::create_dir_all(&work)?;
    let report_path = work.join("report.json");
    if report_path.exists() {
        fs::remove_file(&report_path)?;
    }
    let path = std::env::join_paths(std::iter::once(root.join("node_modules/.bin")).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))?;
    let output = Command::new(&slither)
        .args([
            ".",
            "--config-file",
            "slither.config.json",
            "--fail-none",
            "--json",
        ])
        .arg(&report_path)
        .current_dir(root)
        .env("PATH", path)
        .env("FOUNDRY_OUT", work.join("out"))
        .env("FOUNDRY_CACHE_PATH", work.join("cache"))
        .output()
        .with_context(|| format!("could not run {}", slither.display()))?;
    let log = work.join("slither.log");
    fs::write(
        &log,
        [output.stdout.as_slice(), output.stderr.as_slice()].concat(),
    )?;
    let report: Value = read_json(&report_path).with_context(|| {
        format!(
            "slither wrote no report ({}); its output is in {}:\n{}",
            output.status,
            log.display(),
            tail(&String::from_utf8_lossy(&output.stderr), 40)
        )
    })?;
    if report["success"] != Value::Bool(true) {
        bail!("slither failed: {}", report["error"]);
    }
    let findings = report["results"]["detectors"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    evaluate(&findings, &triage)
}

/// Installs the pinned Python tools into `target/venv` if they are missing or outdated.
fn ensure_venv(root: &Path) -> Result<()> {
    let script = root.join("scripts/mutation/venv.sh");
    crate::toolchain::run(
        Command::new("bash").arg(&script).current_dir(root),
        "scripts/mutation/venv.sh (python3 -m venv, pip install slither-analyzer)",
    )
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("invalid {}", path.display()))
}

/// Every excluded detector has a reason, every reason an excluded detector, and none of them is a High or
/// Medium detector (those are triaged finding by finding).
fn check_exclusions(slither: &Path, triage: &Triage, config: &Config) -> Result<()> {
    let excluded: BTreeSet<String> = config
        .detectors_to_exclude
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .collect();
    let reasons: BTreeSet<String> = triage.excluded_detectors.keys().cloned().collect();
    ensure!(
        excluded == reasons,
        "slither.config.json excludes {excluded:?} but slither.triage.json gives reasons for {reasons:?}"
    );
    let list = Command::new(slither)
        .arg("--list-detectors-json")
        .output()
        .context("slither --list-detectors-json")?;
    let detectors: Vec<Value> = serde_json::from_slice(&list.stdout)
        .context("cannot parse slither --list-detectors-json")?;
    for name in &excluded {
        let impact = detectors
            .iter()
            .find(|d| d["check"] == name.as_str())
            .and_then(|d| d["impact"].as_str())
            .with_context(|| format!("slither has no detector `{name}`"))?;
        ensure!(
            matches!(impact, "Low" | "Informational" | "Optimization"),
            "detector `{name}` is {impact}: triage its findings one by one instead of excluding it"
        );
    }
    for (name, reason) in &triage.excluded_detectors {
        ensure!(
            !reason.trim().is_empty(),
            "excluded detector `{name}` has no reason"
        );
    }
    for a in &triage.findings {
        ensure!(
            !a.reason.trim().is_empty() && !a.location.trim().is_empty(),
            "triage entry for `{}` needs a location and a reason",
            a.detector
        );
    }
    Ok(())
}

fn evaluate(findings: &[Value], triage: &Triage) -> Result<()> {
    let mut used = vec![false; triage.findings.len()];
    let mut failing = Vec::new();
    let mut notes = Vec::new();
    let mut accepted = 0;
    for f in findings {
        let check = f["check"].as_str().unwrap_or("?");
        let impact = f["impact"].as_str().unwrap_or("?");
        let description = f["description"].as_str().unwrap_or("").trim();
        let hit = triage
            .findings
            .iter()
            .position(|a| a.detector == check && description.contains(a.location.as_str()));
        match hit {
            Some(i) => {
                used[i] = true;
                accepted += 1;
            }
            None if matches!(impact, "High" | "Medium") => {
                failing.push(format!("[{impact}] {check}: {description}"))
            }
            None => notes.push(format!("[{impact}] {check}: {description}")),
        }
    }
    for note in &notes {
        println!("note (not failing): {note}");
    }
    for (a, used) in triage.findings.iter().zip(&used) {
        if !used {
            println!(
                "warning: stale triage entry (no such finding now): {} at {}",
                a.detector, a.location
            );
        }
    }
    println!(
        "slither: {} findings, {accepted} triaged in slither.triage.json, {} low/informational notes, {} untriaged high/medium",
        findings.len(),
        notes.len(),
        failing.len()
    );
    if !failing.is_empty() {
        for f in &failing {
            eprintln!("{f}");
        }
        bail!(
            "{} high/medium slither finding(s) not triaged: fix them, or add {{detector, location, reason}} to slither.triage.json",
            failing.len()
        );
    }
    Ok(())
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
