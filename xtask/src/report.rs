//! `bench/REPORT.md`: the machine, then every bench figure beside its goal with PASS or MISS.

use crate::bench::{
    AttributionBench, ChainGas, ContributeThroughput, ForgeGas, Outcome, Sizes, TreeBench,
    GOAL_OUTPUTS, GOAL_OUTPUTS_SECONDS,
};
use serde::Serialize;
use std::{fmt::Write as _, path::Path, process::Command};

/// `PASS` or `MISS`.
pub fn verdict(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "MISS"
    }
}

/* MACHINE */

/// Where and when the bench ran.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Machine {
    pub date_utc: String,
    pub unix_time: u64,
    pub cpu_model: String,
    /// `processor` entries of /proc/cpuinfo.
    pub logical_cpus: usize,
    /// `cpu cores` of /proc/cpuinfo (per package), when given.
    pub physical_cores: Option<usize>,
    /// What this process may use (cgroup and affinity limits included).
    pub available_parallelism: usize,
    pub memory_gib: f64,
    pub os: String,
    pub kernel: String,
    /// /proc/loadavg (1, 5, 15 minutes) when the bench started: other work on the machine.
    pub load_average_at_start: String,
    pub rustc: String,
    pub node: String,
    pub git_commit: String,
}

impl Machine {
    /// Reads /proc, /etc/os-release and the tools' versions; unknown fields read "unknown".
    pub fn probe(root: &Path) -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let field = |name: &str| {
            cpuinfo
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.trim() == name)
                .map(|(_, v)| v.trim().to_string())
        };
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let mem_kib: f64 = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0.0);
        let os = std::fs::read_to_string("/etc/os-release")
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .map(|v| v.trim_matches('"').to_string())
            .unwrap_or_else(|| std::env::consts::OS.to_string());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|k| format!("Linux {}", k.trim()))
            .unwrap_or_else(|_| "unknown".into());
        let unix_time = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let dirty = Command::new("git")
            .args(["status", "--porcelain", "--untracked-files=no"])
            .current_dir(root)
            .output()
            .map(|o| !o.stdout.is_empty())
            .unwrap_or(false);
        let commit = output_line(
            Command::new("git").args(["rev-parse", "--short", "HEAD"]),
            root,
        );
        Self {
            date_utc: utc_date(unix_time),
            unix_time,
            cpu_model: field("model name").unwrap_or_else(|| "unknown".into()),
            logical_cpus: cpuinfo
                .lines()
                .filter(|l| l.starts_with("processor"))
                .count(),
            physical_cores: field("cpu cores").and_then(|v| v.parse().ok()),
            available_parallelism: std::thread::available_parallelism().map_or(1, |p| p.get()),
            memory_gib: mem_kib / 1024.0 / 1024.0,
            os,
            kernel,
            load_average_at_start: load_average(),
            rustc: output_line(Command::new(rustc).arg("--version"), root),
            node: output_line(Command::new("node").arg("--version"), root),
            git_commit: if dirty {
                format!("{commit} (with uncommitted changes)")
            } else {
                commit
            },
        }
    }

    pub fn print(&self) {
        println!(
            "{} · {} ({} logical CPUs, {} usable) · {:.1} GiB · {} · {}",
            self.date_utc,
            self.cpu_model,
            self.logical_cpus,
            self.available_parallelism,
            self.memory_gib,
            self.os,
            self.kernel
        );
        println!(
            "load average {} · {} · node {} · commit {}",
            self.load_average_at_start, self.rustc, self.node, self.git_commit
        );
    }
}

/// The first three fields of /proc/loadavg.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn output_line(cmd: &mut Command, root: &Path) -> String {
    cmd.current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .map(|l| l.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// `YYYY-MM-DD HH:MM UTC` (days to civil date: H. Hinnant's algorithm).
fn utc_date(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        secs / 3_600,
        secs % 3_600 / 60
    )
}

/* REPORT */

/// Everything one `cargo xtask bench` run measured.
pub struct Report {
    pub machine: Machine,
    pub load_average_at_end: String,
    pub sizes: Sizes,
    pub seconds: f64,
    pub forge: Outcome<ForgeGas>,
    pub chain: Outcome<ChainGas>,
    pub attribution: Outcome<AttributionBench>,
    pub tree: Outcome<TreeBench>,
    pub throughput: Outcome<ContributeThroughput>,
}

/// A row of the gas table: a forge call, its anvil transaction, and its target.
struct GasRow {
    label: &'static str,
    /// Key in `snapshots/datanet.json` (and `test_<key>()` in `.gas-snapshot`) and of the anvil row.
    key: &'static str,
    /// Items per call: figures are divided by it (per contribution, per payment).
    items: u64,
    target: Option<u64>,
    /// A reveal is paid together with its commit: the `commit` figure is added before dividing.
    with_commit: bool,
}

impl GasRow {
    /// The keys whose figures make up this row.
    fn keys(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.key).chain(self.with_commit.then_some("commit"))
    }

    /// Forge call gas of the row, per item.
    fn call(&self, forge: &crate::bench::ForgeGas) -> Option<u64> {
        let total: Option<u64> = self.keys().map(|k| forge.calls.get(k).copied()).sum();
        total.map(|g| g / self.items)
    }

    /// `.gas-snapshot` gas of the row's tests, per item.
    fn test(&self, forge: &crate::bench::ForgeGas) -> Option<u64> {
        let total: Option<u64> = self.keys().map(|k| forge.test(k)).sum();
        total.map(|g| g / self.items)
    }

    /// Anvil transaction gas (`gasUsed`) and execution gas of the row, per item.
    fn tx(&self, chain: &crate::bench::ChainGas) -> Option<(u64, u64)> {
        let rows: Option<Vec<_>> = self.keys().map(|k| chain.get(k)).collect();
        let rows = rows?;
        let used: u64 = rows.iter().map(|t| t.gas_used).sum();
        let execution: u64 = rows.iter().map(|t| t.execution_gas).sum();
        Some((used / self.items, execution / self.items))
    }
}

const GAS_ROWS: &[GasRow] = &[
    GasRow {
        label: "commit",
        key: "commit",
        items: 1,
        target: None,
        with_commit: false,
    },
    GasRow {
        label: "commit + revealOne, no bond (both transactions)",
        key: "revealOne_withoutBond",
        items: 1,
        target: Some(100_000),
        with_commit: true,
    },
    GasRow {
        label: "commit + reveal of a 1-item array, no bond (both transactions)",
        key: "reveal_1_withoutBond",
        items: 1,
        target: None,
        with_commit: true,
    },
    GasRow {
        label: "commit + reveal of 1, with bond (both transactions)",
        key: "reveal_1_withBond",
        items: 1,
        target: None,
        with_commit: true,
    },
    GasRow {
        label: "commit + reveal of 100, per contribution",
        key: "reveal_100_withoutBond",
        items: 100,
        target: Some(30_000),
        with_commit: true,
    },
    GasRow {
        label: "payForInference",
        key: "payForInference",
        items: 1,
        target: None,
        with_commit: false,
    },
    GasRow {
        label: "payForInferences of 20, per output",
        key: "payForInferences_20",
        items: 20,
        target: None,
        with_commit: false,
    },
    GasRow {
        label: "proposeEpoch, 3 of 5 signatures",
        key: "proposeEpoch_3of5Signatures",
        items: 1,
        target: Some(130_000),
        with_commit: false,
    },
    GasRow {
        label: "acceptEpoch",
        key: "acceptEpoch",
        items: 1,
        target: None,
        with_commit: false,
    },
    GasRow {
        label: "claim, first (new holder), 1,024 accounts",
        key: "claim_first_newHolder_depth10",
        items: 1,
        target: Some(95_742),
        with_commit: false,
    },
    GasRow {
        label: "claim, first (existing holder), 1,024 accounts",
        key: "claim_first_existingHolder_depth10",
        items: 1,
        target: Some(95_742),
        with_commit: false,
    },
    GasRow {
        label: "claim, repeat (next epoch), 1,024 accounts",
        key: "claim_repeat_secondEpoch_depth10",
        items: 1,
        target: Some(61_532),
        with_commit: false,
    },
];

/// A goal and how it went, for the summary.
struct Goal {
    goal: String,
    measured: String,
    verdict: String,
}

impl Report {
    /// Names of the sections that failed.
    pub fn failed_sections(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (name, failed) in [
            ("forge gas rows", self.forge.is_err()),
            ("anvil gas", self.chain.is_err()),
            ("attribution", self.attribution.is_err()),
            ("reward tree", self.tree.is_err()),
            ("throughput", self.throughput.is_err()),
        ] {
            if failed {
                out.push(name);
            }
        }
        out
    }

    /// The goals with their verdicts (a failed section's goals read FAILED).
    fn goals(&self) -> Vec<Goal> {
        let mut goals = Vec::new();
        let failed = |goal: String, e: &String| Goal {
            goal,
            measured: format!("section failed: {}", first_line(e)),
            verdict: "FAILED".into(),
        };
        for row in GAS_ROWS {
            let Some(target) = row.target else { continue };
            let goal = format!("{}: ≤ {} gas", row.label, thousands(target));
            let forge = self.forge.as_ref().ok().and_then(|f| row.call(f));
            let tx = self
                .chain
                .as_ref()
                .ok()
                .and_then(|c| row.tx(c))
                .map(|(used, _)| used);
            let part = |name: &str, v: Option<u64>| match v {
                Some(v) => format!("{name} {} {}", thousands(v), verdict(v <= target)),
                None => format!("{name} n/a"),
            };
            goals.push(Goal {
                goal,
                measured: format!("{}; {}", part("forge call", forge), part("anvil tx", tx)),
                verdict: match (forge, tx) {
                    (Some(f), Some(t)) if f <= target && t <= target => "PASS".into(),
                    (Some(f), _) if f <= target => "PASS (call) / MISS (tx)".into(),
                    (None, None) => "FAILED".into(),
                    _ => "MISS".into(),
                },
            });
        }
        match &self.throughput {
            Ok(t) => {
                goals.push(Goal {
                    goal: format!(
                        "datanet contribute ≥ {} contributions/s",
                        thousands(t.goal_per_second as u64)
                    ),
                    measured: format!("{}/s", rate(t.datanet_contribute.per_second)),
                    verdict: verdict(t.datanet_contribute.per_second >= t.goal_per_second).into(),
                });
                goals.push(Goal {
                    goal: format!(
                        "datanet contribute ≥ {:.0}× a cast send loop",
                        t.goal_speedup
                    ),
                    measured: format!("{}×", rate(t.speedup_vs_cast)),
                    verdict: verdict(t.speedup_vs_cast >= t.goal_speedup).into(),
                });
            }
            Err(e) => goals.push(failed("contribute throughput".into(), e)),
        }
        let attribution_goal = format!(
            "attribution: ≥ {} outputs in ≤ {:.0} s",
            thousands(GOAL_OUTPUTS as u64),
            GOAL_OUTPUTS_SECONDS
        );
        match &self.attribution {
            Ok(a) => goals.push(Goal {
                goal: attribution_goal,
                measured: format!(
                    "{} outputs in {:.2} s ({}/s); index build {:.1} MB/s",
                    thousands(a.attribution.outputs),
                    a.attribution.seconds,
                    rate(a.attribution.outputs_per_second),
                    a.corpus.mb_per_second
                ),
                verdict: verdict(a.meets_goal()).into(),
            }),
            Err(e) => goals.push(failed(attribution_goal, e)),
        }
        match &self.tree {
            Ok(t) => {
                let scaled = if t.accounts == 1_000_000 {
                    String::new()
                } else {
                    format!(" (scaled to {} accounts)", thousands(t.accounts))
                };
                goals.push(Goal {
                    goal: format!(
                        "reward tree build + dump ≤ {:.2} s{scaled}, same root as OpenZeppelin",
                        t.goal_seconds
                    ),
                    measured: format!(
                        "{:.3} s; root {}",
                        t.rust.seconds,
                        if t.same_root {
                            "identical"
                        } else {
                            "DIFFERENT"
                        }
                    ),
                    verdict: verdict(t.meets_seconds()).into(),
                });
                goals.push(Goal {
                    goal: format!(
                        "reward tree ≥ {:.0}× @openzeppelin/merkle-tree",
                        t.goal_speedup
                    ),
                    measured: format!("{}×", rate(t.speedup)),
                    verdict: verdict(t.meets_speedup()).into(),
                });
            }
            Err(e) => goals.push(failed("reward tree vs @openzeppelin/merkle-tree".into(), e)),
        }
        goals
    }

    /// Prints the goals and verdicts.
    pub fn print_summary(&self) {
        println!("summary");
        for g in self.goals() {
            println!("  [{}] {} — {}", g.verdict, g.goal, g.measured);
        }
    }

    /// The Markdown report.
    pub fn render(&self) -> String {
        let mut md = String::new();
        let m = &self.machine;
        let s = &self.sizes;
        let _ = writeln!(md, "# Datanet benchmark report\n");
        let _ = writeln!(
            md,
            "Generated by `cargo xtask bench{}` on {} in {:.0} s, at commit {}. \
             Every figure below was measured in that run; the JSON it wrote is beside this file.{}\n",
            if s.quick { " --quick" } else { "" },
            m.date_utc,
            self.seconds,
            m.git_commit,
            if s.quick {
                " **Quick mode: reduced sizes, figures are indicative only.**"
            } else {
                ""
            }
        );

        let _ = writeln!(md, "## Machine\n");
        let _ = writeln!(md, "| | |\n|---|---|");
        let cores = match m.physical_cores {
            Some(c) => format!(
                "{} logical ({c} cores per package in /proc/cpuinfo), {} usable by the bench",
                m.logical_cpus, m.available_parallelism
            ),
            None => format!(
                "{} logical, {} usable by the bench",
                m.logical_cpus, m.available_parallelism
            ),
        };
        for (k, v) in [
            ("CPU", m.cpu_model.clone()),
            ("Cores", cores),
            ("RAM", format!("{:.1} GiB", m.memory_gib)),
            ("OS", format!("{} ({})", m.os, m.kernel)),
            (
                "Load average (1/5/15 min)",
                format!(
                    "{} at start, {} at end",
                    m.load_average_at_start, self.load_average_at_end
                ),
            ),
            ("Rust", m.rustc.clone()),
            ("Node.js", m.node.clone()),
            (
                "Node for transactions",
                match &self.chain {
                    Ok(c) => format!("{} (hardfork {}), automine", c.node, c.hardfork),
                    Err(_) => "unknown".into(),
                },
            ),
            (
                "Sizes",
                format!(
                    "{} files per throughput method, {} MB corpus, {} outputs, {} tree accounts",
                    thousands(s.files as u64),
                    s.corpus_mb,
                    thousands(s.outputs as u64),
                    thousands(s.accounts as u64)
                ),
            ),
        ] {
            let _ = writeln!(md, "| {k} | {v} |");
        }
        md.push('\n');

        let _ = writeln!(md, "## Summary\n");
        let _ = writeln!(md, "| Goal | Measured | Verdict |\n|---|---|---|");
        for g in self.goals() {
            let _ = writeln!(md, "| {} | {} | **{}** |", g.goal, g.measured, g.verdict);
        }
        let _ = writeln!(
            md,
            "\nGas goals are judged twice: on forge's per-call figure (execution only, no 21,000 base \
             and no calldata) and on the real transaction's `gasUsed` on anvil (everything the sender \
             pays for). \"PASS (call) / MISS (tx)\" means the contract's execution is within the target \
             but the full transaction is not.\n"
        );

        self.render_gas(&mut md);
        self.render_throughput(&mut md);
        self.render_attribution(&mut md);
        self.render_tree(&mut md);

        let _ = writeln!(md, "## Reproduce\n");
        let _ = writeln!(
            md,
            "```sh\ncargo xtask bench            # full sizes, writes bench/REPORT.md (several minutes)\n\
             cargo xtask bench --quick    # small sizes, writes bench/quick/REPORT.md\n\
             cargo xtask bench --files 500 --corpus-mb 50 --accounts 200000   # any size\n```\n"
        );
        let _ = writeln!(
            md,
            "Sections: forge rows are read from `.gas-snapshot` and `snapshots/datanet.json` (refresh \
             with `forge snapshot`); anvil gas is `gas.json`; throughput is `throughput.json`; \
             attribution is `attribution.json` (`cargo run --release -p datanet-attribution --example \
             bench -- --json`); the tree comparison is `reward-tree.json` (the Rust figures from the \
             same example, OpenZeppelin's from `node scripts/oz-tree-bench.mjs`); the machine is \
             `machine.json`."
        );
        md
    }

    fn render_gas(&self, md: &mut String) {
        let _ = writeln!(md, "## Gas\n");
        if let Err(e) = &self.forge {
            let _ = writeln!(md, "Forge rows: **FAILED**: {}\n", first_line(e));
        }
        if let Err(e) = &self.chain {
            let _ = writeln!(md, "Anvil transactions: **FAILED**: {}\n", first_line(e));
        }
        let _ = writeln!(
            md,
            "| Operation | Target | Forge call | Forge test | Anvil tx `gasUsed` | Anvil execution | Verdict (call / tx) |\n\
             |---|---:|---:|---:|---:|---:|---|"
        );
        let forge = self.forge.as_ref().ok();
        let chain = self.chain.as_ref().ok();
        for row in GAS_ROWS {
            let call = forge.and_then(|f| row.call(f));
            let test = forge.and_then(|f| row.test(f));
            let tx = chain.and_then(|c| row.tx(c));
            let verdicts = match row.target {
                Some(t) => format!(
                    "{} / {}",
                    call.map_or("n/a", |c| verdict(c <= t)),
                    tx.map_or("n/a", |(used, _)| verdict(used <= t))
                ),
                None => "—".into(),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} |",
                row.label,
                row.target
                    .map_or("—".into(), |t| format!("≤ {}", thousands(t))),
                opt(call),
                opt(test),
                opt(tx.map(|(used, _)| used)),
                opt(tx.map(|(_, execution)| execution)),
                verdicts
            );
        }
        if let Ok(t) = &self.throughput {
            for m in [&t.datanet_contribute, &t.cast_send_loop] {
                let _ = writeln!(
                    md,
                    "| {}, {} per tx, per contribution | — | — | — | {} | — | — |",
                    m.method,
                    m.contributions_per_transaction,
                    thousands(m.gas_per_contribution)
                );
            }
        }
        let _ = writeln!(
            md,
            "\n- **Forge call**: `snapshots/datanet.json` (`vm.snapshotGasLastCall`): the call's execution \
             alone, **without the 21,000 base and calldata**. **Forge test**: `.gas-snapshot`, the whole \
             test function (setup of inputs included). Per-item rows are divided by the batch size.\n\
             - **Anvil tx**: `gasUsed` of the receipt of the same call sent as a transaction on a fresh \
             anvil, in the same steady state as the forge test (the fixture's five attestors, three \
             signing, 5% fee, 20% owner share, a bond already held, fee recipients already paid, a \
             1,024-account tree with depth-10 proofs, the forge tests' URIs). **Anvil execution** = \
             `gasUsed − 21,000 − calldata` (4 gas per zero byte, 16 per non-zero byte); it should be \
             close to the forge call figure.\n\
             - Goals (protocol v2): commit + reveal of one contribution ≤ 100,000 for both \
             transactions; in batches of 100 ≤ 30,000 per contribution including its share of the \
             commit; claims no worse than v1 (95,742 first, 61,532 repeat); proposeEpoch 3 of 5 ≤ \
             130,000. Rows marked \"both transactions\" add the commit's figure to the reveal's.\n\
             - The last two rows come from the throughput bench: its files' URIs are local paths, so \
             their calldata differs from the rows above."
        );
        if let Some(c) = chain {
            let _ = writeln!(md, "\n<details><summary>Anvil transactions</summary>\n");
            let _ = writeln!(
                md,
                "| Transaction | Items | gasUsed | Calldata bytes | Calldata gas | Execution |\n|---|---:|---:|---:|---:|---:|"
            );
            for t in &c.transactions {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} |",
                    t.call,
                    t.items,
                    thousands(t.gas_used),
                    thousands(t.calldata_bytes as u64),
                    thousands(t.calldata_gas),
                    thousands(t.execution_gas)
                );
            }
            let _ = writeln!(md, "\n</details>");
        }
        md.push('\n');
    }

    fn render_throughput(&self, md: &mut String) {
        let _ = writeln!(md, "## Contribute throughput\n");
        let t = match &self.throughput {
            Ok(t) => t,
            Err(e) => {
                let _ = writeln!(md, "**FAILED**: {}\n", first_line(e));
                return;
            }
        };
        let _ = writeln!(
            md,
            "{} distinct files per method into fresh datanets without bond, on anvil with automine \
             ({}). The fast methods ran {} times (median kept); the cast loop once. The cast loop \
             uses the native `{}` (not npm's Node launcher, which adds ~90 ms a call) and waits for \
             each receipt, as a shell script would.\n",
            thousands(t.files as u64),
            t.node,
            t.datanet_contribute.samples_seconds.len(),
            t.cast
        );
        let _ = writeln!(
            md,
            "| Method | Contributions | Seconds | Contributions/s | Transactions | Per tx | Gas per contribution |\n\
             |---|---:|---:|---:|---:|---:|---:|"
        );
        for m in [
            &t.datanet_contribute,
            &t.library_contribute,
            &t.cast_send_loop,
        ] {
            let _ = writeln!(
                md,
                "| {} | {} | {:.3} | {} | {} | {} | {} |",
                m.method,
                thousands(m.contributions as u64),
                m.seconds,
                if m.per_second < 100.0 {
                    format!("{:.1}", m.per_second)
                } else {
                    rate(m.per_second)
                },
                m.transactions,
                m.contributions_per_transaction,
                thousands(m.gas_per_contribution)
            );
        }
        let _ = writeln!(
            md,
            "\n`datanet contribute` is **{}×** the cast loop (goal ≥ {:.0}×: **{}**) at {} \
             contributions/s (goal ≥ {}/s: **{}**). Its time is the whole process: start, hashing, \
             reads, batched sends and receipts.\n",
            rate(t.speedup_vs_cast),
            t.goal_speedup,
            verdict(t.speedup_vs_cast >= t.goal_speedup),
            rate(t.datanet_contribute.per_second),
            rate(t.goal_per_second),
            verdict(t.datanet_contribute.per_second >= t.goal_per_second)
        );
    }

    fn render_attribution(&self, md: &mut String) {
        let _ = writeln!(md, "## Attribution speed\n");
        let a = match &self.attribution {
            Ok(a) => a,
            Err(e) => {
                let _ = writeln!(md, "**FAILED**: {}\n", first_line(e));
                return;
            }
        };
        let (c, r) = (&a.corpus, &a.attribution);
        let _ = writeln!(md, "`{}` (release build).\n", a.command);
        let _ = writeln!(md, "| | |\n|---|---|");
        for (k, v) in [
            (
                "Corpus",
                format!(
                    "{:.1} MB of synthetic text, {} documents, {} tokens, {} distinct",
                    c.bytes as f64 / 1e6,
                    thousands(c.documents),
                    thousands(c.tokens),
                    thousands(c.vocabulary)
                ),
            ),
            (
                "Index build",
                format!("{:.2} s = **{:.1} MB/s**", c.build_seconds, c.mb_per_second),
            ),
            (
                "Window filter build",
                c.window_filter_seconds
                    .map_or("not built".into(), |s| format!("{s:.2} s")),
            ),
            (
                "Attribution",
                format!(
                    "{} outputs of 256 tokens ({} tokens) in {:.2} s = **{} outputs/s**",
                    thousands(r.outputs),
                    thousands(r.tokens),
                    r.seconds,
                    rate(r.outputs_per_second)
                ),
            ),
            (
                "Matches",
                format!(
                    "{} spans of ≥ {} tokens; {} outputs attributed",
                    thousands(r.spans),
                    r.min_span,
                    thousands(r.attributed_outputs)
                ),
            ),
            (
                "Goal",
                format!(
                    "≥ {} outputs in ≤ {:.0} s (≥ {} outputs/s): **{}**",
                    thousands(GOAL_OUTPUTS as u64),
                    GOAL_OUTPUTS_SECONDS,
                    rate(GOAL_OUTPUTS / GOAL_OUTPUTS_SECONDS),
                    verdict(a.meets_goal())
                ),
            ),
        ] {
            let _ = writeln!(md, "| {k} | {v} |");
        }
        let _ = writeln!(
            md,
            "\nAttribution time covers matching and allocation of every output, in parallel on the \
             usable CPUs; corpus generation and index build are not in it.\n"
        );
    }

    fn render_tree(&self, md: &mut String) {
        let _ = writeln!(md, "## Reward tree: Rust vs @openzeppelin/merkle-tree\n");
        let t = match &self.tree {
            Ok(t) => t,
            Err(e) => {
                let _ = writeln!(md, "**FAILED**: {}\n", first_line(e));
                return;
            }
        };
        let _ = writeln!(
            md,
            "{} accounts (account `(i + 1) · 0x9e37…276b mod 2^160`, amount `i + 1`), built and \
             dumped (`JSON.stringify(tree.dump())`) by each implementation.\n",
            thousands(t.accounts)
        );
        let _ = writeln!(
            md,
            "| Implementation | Build s | Dump s | Total s | Dump bytes | Root |\n|---|---:|---:|---:|---:|---|"
        );
        for (name, r) in [
            ("Rust `RewardTree` (release)", &t.rust),
            ("@openzeppelin/merkle-tree (Node.js)", &t.openzeppelin),
        ] {
            let _ = writeln!(
                md,
                "| {name} | {:.3} | {:.3} | {:.3} | {} | `{}` |",
                r.build_seconds,
                r.dump_seconds,
                r.seconds,
                thousands(r.dump_bytes),
                r.root
            );
        }
        let _ = writeln!(
            md,
            "\nSame root: **{}**; byte-identical dumps (keccak256 `{}`): **{}**. Rust is **{}×** \
             faster (goal ≥ {:.0}×: **{}**) in {:.3} s (goal ≤ {:.2} s{}: **{}**).\n",
            if t.same_root { "yes" } else { "NO" },
            t.rust.dump_keccak,
            if t.same_dump { "yes" } else { "NO" },
            rate(t.speedup),
            t.goal_speedup,
            verdict(t.meets_speedup()),
            t.rust.seconds,
            t.goal_seconds,
            if t.accounts == 1_000_000 {
                ""
            } else {
                ", scaled from 2 s at 1,000,000"
            },
            verdict(t.meets_seconds())
        );
    }
}

/// A rate rounded to a whole number, with thousands separators.
fn rate(v: f64) -> String {
    if v.is_finite() && v >= 0.0 {
        thousands(v.round() as u64)
    } else {
        format!("{v}")
    }
}

fn opt(v: Option<u64>) -> String {
    v.map_or("n/a".into(), thousands)
}

/// 1234567 → "1,234,567".
pub fn thousands(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or(text).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_numbers() {
        assert_eq!(utc_date(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_date(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_date(1_700_000_000), "2023-11-14 22:13 UTC");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(88_034), "88,034");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
