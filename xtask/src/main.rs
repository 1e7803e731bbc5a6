//! `cargo xtask …`: project tasks. Run `cargo xtask --help`.

mod bench;
mod bindings;
mod contracts;
mod demo;
mod devchain;
mod report;
mod slither;
mod toolchain;
mod web;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::process::Command;
use toolchain::{cargo, ensure_npm, npm_bin, root, run, step};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Datanet project tasks", version)]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install the pinned npm tools (Foundry, solc-js, OpenZeppelin, forge-std) if needed.
    Setup,
    /// Compile the contracts with foundry-compilers through the solc-js launcher.
    Build,
    /// Generate the `bindings/` crate from the compiled contracts.
    Bindings {
        /// Do not write: fail if the committed bindings differ from freshly generated ones.
        #[arg(long)]
        check: bool,
    },
    /// The main job: start a local anvil, deploy through the bindings, and run the scenario.
    Demo,
    /// Run every benchmark (gas, contribute throughput vs cast, attribution, reward tree vs
    /// @openzeppelin/merkle-tree) and write bench/REPORT.md with bench/*.json.
    Bench(bench::BenchArgs),
    /// Static analysis with slither: fails on High/Medium findings not triaged in slither.triage.json.
    Slither,
    /// Build the contributor page (web/) and serve it for a deployment, with its config.json.
    Web(web::WebArgs),
    /// Test the contributor page in headless Chromium against anvil (screenshots in target/web-screenshots).
    WebTest,
    /// Run every check CI runs: build, bindings freshness, formatting, lints, forge and cargo tests.
    Ci,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let root = root();
    match cli.command {
        Task::Setup => ensure_npm(&root),
        Task::Build => {
            ensure_npm(&root)?;
            let compiled = contracts::compile(&root)?;
            for c in &compiled {
                println!(
                    "{:<16} {:>6} bytes of creation code",
                    c.name,
                    (c.bytecode.len() - 2) / 2
                );
            }
            Ok(())
        }
        Task::Bindings { check } => {
            ensure_npm(&root)?;
            let files = bindings::render(&contracts::compile(&root)?)?;
            bindings::write_or_check(&root.join("bindings"), &files, check)?;
            if check {
                println!("bindings are up to date");
            }
            Ok(())
        }
        Task::Demo => {
            ensure_npm(&root)?;
            tokio::runtime::Runtime::new()?.block_on(demo::run(&root))
        }
        Task::Bench(args) => {
            ensure_npm(&root)?;
            tokio::runtime::Runtime::new()?.block_on(bench::run(&root, &args))
        }
        Task::Slither => {
            ensure_npm(&root)?;
            slither::run(&root)
        }
        Task::Web(args) => web::serve(&root, &args),
        Task::WebTest => web::test(&root),
        Task::Ci => ci(&root),
    }
}

fn ci(root: &std::path::Path) -> Result<()> {
    let forge = npm_bin(root, "forge");
    step("npm ci (when needed)", || ensure_npm(root))?;
    let mut compiled = Vec::new();
    step("build contracts (foundry-compilers)", || {
        compiled = contracts::compile(root)?;
        Ok(())
    })?;
    step("bindings --check", || {
        bindings::write_or_check(&root.join("bindings"), &bindings::render(&compiled)?, true)
    })?;
    step("forge fmt --check", || {
        run(
            Command::new(&forge)
                .args(["fmt", "--check"])
                .current_dir(root),
            "forge fmt --check",
        )
    })?;
    step("forge test", || {
        run(
            Command::new(&forge).args(["test"]).current_dir(root),
            "forge test",
        )
    })?;
    step("slither (cargo xtask slither)", || slither::run(root))?;
    step("cargo fmt --check", || {
        run(
            cargo().args(["fmt", "--all", "--check"]).current_dir(root),
            "cargo fmt --check",
        )
    })?;
    step("cargo clippy", || {
        run(
            cargo()
                .args([
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ])
                .current_dir(root),
            "cargo clippy --all-targets -- -D warnings",
        )
    })?;
    step("cargo test", || {
        run(
            cargo().args(["test", "--workspace"]).current_dir(root),
            "cargo test --workspace",
        )
    })?;
    step("demo scenario (cargo xtask demo)", || {
        tokio::runtime::Runtime::new()?.block_on(demo::run(root))
    })?;
    step(
        "contributor page in headless Chromium (cargo xtask web-test)",
        || web::test(root),
    )?;
    println!("\nall checks passed");
    Ok(())
}
