//! The project's pinned tools: npm packages (Foundry binaries, solc-js, OpenZeppelin, forge-std) and
//! helpers to run them.

use anyhow::{bail, Context, Result};
use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

/// The repository root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// A binary installed by npm. Foundry's tools resolve to the native binary of this platform's
/// package (`@foundry-rs/forge-linux-amd64/bin/forge`): the npm wrapper in `node_modules/.bin`
/// exits 0 even when `forge test` fails or `forge fmt --check` finds a difference, so a check run
/// through it could never fail. Other tools are the `node_modules/.bin` entry.
pub fn npm_bin(root: &Path, name: &str) -> PathBuf {
    if let Some(native) = foundry_native(root, name) {
        return native;
    }
    root.join("node_modules/.bin").join(name)
}

fn foundry_native(root: &Path, name: &str) -> Option<PathBuf> {
    if !matches!(name, "forge" | "anvil" | "cast" | "chisel") {
        return None;
    }
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    let path = root
        .join("node_modules/@foundry-rs")
        .join(format!("{name}-{os}-{arch}"))
        .join("bin")
        .join(name);
    path.exists().then_some(path)
}

/// Installs the pinned npm packages when `node_modules` is missing or older than `package-lock.json`:
/// `npm ci` on a fresh clone, `npm install` (which never empties the folder) over an existing one.
pub fn ensure_npm(root: &Path) -> Result<()> {
    let marker = root.join("node_modules/.package-lock.json");
    let lock = root.join("package-lock.json");
    let fresh = match (marker.metadata(), lock.metadata()) {
        (Ok(m), Ok(l)) => m.modified()? >= l.modified()?,
        _ => false,
    };
    if fresh && npm_bin(root, "forge").exists() {
        return Ok(());
    }
    if !root.join("node_modules").exists() {
        println!("installing pinned tools from the npm registry (npm ci)…");
        let ci = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(root)
            .output()
            .context("could not run npm: is Node.js with npm installed? (https://nodejs.org)")?;
        if ci.status.success() {
            return touch(&marker);
        }
        // Registry mirrors without Foundry's other-platform optional packages make `npm ci` refuse
        // the lock ("Missing: @foundry-rs/anvil-darwin-amd64"); `npm install` follows the same lock
        // and skips the optional packages it cannot fetch.
        println!(
            "npm ci refused the lock file (optional packages missing from this registry); using npm install"
        );
        let mut cmd = Command::new("npm");
        cmd.args(["install", "--no-audit", "--no-fund"])
            .current_dir(root);
        run(&mut cmd, "npm install").inspect_err(|_| {
            eprintln!("{}", String::from_utf8_lossy(&ci.stderr));
        })?;
        return touch(&marker);
    }
    // An existing node_modules is brought up to the lock in place: `npm ci` would delete it first,
    // under the feet of any other process using forge or anvil from it.
    println!("updating pinned tools from the npm registry (npm install)…");
    let mut cmd = Command::new("npm");
    cmd.args(["install", "--no-audit", "--no-fund"])
        .current_dir(root);
    run(&mut cmd, "npm install")?;
    touch(&marker)
}

/// Marks `node_modules` as installed from the current lock (npm may write its own marker a few
/// milliseconds before it rewrites `package-lock.json`).
fn touch(marker: &Path) -> Result<()> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(marker)
        .with_context(|| format!("opening {}", marker.display()))?;
    file.set_modified(std::time::SystemTime::now())
        .with_context(|| format!("touching {}", marker.display()))
}

/// Runs a command, inheriting stdio, and fails with its name if it exits non-zero.
pub fn run(cmd: &mut Command, what: &str) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{what}`"))?;
    if !status.success() {
        bail!("`{what}` failed ({status})");
    }
    Ok(())
}

/// Runs a named step with a header and its duration.
pub fn step(name: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    println!("\n==> {name}");
    let started = Instant::now();
    f().with_context(|| format!("step `{name}` failed"))?;
    println!("    {name}: ok in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}

/// `cargo` as invoked by the user.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}
