//! Throughput of the attribution engine and the reward tree on synthetic data.
//!
//! ```text
//! cargo run --release -p datanet-attribution --example bench -- [--json]
//!     [--corpus-mb 100] [--outputs 10000] [--accounts 1000000]
//!     [--skip-corpus] [--skip-epoch] [--skip-tree] [--no-filter]
//! ```
//!
//! - corpus: documents of ~10 kB of pseudo-words (skewed word frequencies),
//!   indexed with [`CorpusIndex::build`]; reports MB/s (10^6 bytes) of text,
//!   then the window filter's build time ([`CorpusIndex::add_window_filter`],
//!   which `compute_epoch` adds when outputs are many; `--no-filter` skips it)
//!   and the window-origin table's ([`CorpusIndex::window_origins`], one per
//!   data cutoff in use);
//! - attribution: outputs of 256 tokens, half of them reusing 1–3 corpus spans
//!   of 8–64 tokens, the rest corpus words in random order; credited per token
//!   ([`WindowOrigins::attribute`]) and divided ([`largest_remainder`]) in
//!   parallel like [`compute_epoch`] does;
//! - epoch: the same outputs as paid inferences through [`compute_epoch`]
//!   itself, end to end (index, filter, origins, attribution, report, tree);
//! - reward tree: accounts `(i + 1) · 0x9e37…276b mod 2^160` with amount `i + 1`
//!   (the generator of `scripts/oz-tree-bench.mjs`), built and dumped
//!   (`JSON.stringify(tree.dump())`); compare the root and `dumpKeccak` with
//!   that script's.

use std::time::Instant;

use alloy_primitives::{keccak256, Address, B256, U160, U256};
use datanet_attribution::{
    compute_epoch, largest_remainder, CommitOrder, Contribution, CorpusIndex, EpochInput,
    EpochParams, Inference, Model, RewardTree, WindowOrigins,
};
use rayon::prelude::*;
use serde_json::json;

const OUTPUT_TOKENS: usize = 256;
const MIN_SPAN: usize = 8;

struct Options {
    json: bool,
    corpus_mb: usize,
    outputs: usize,
    accounts: usize,
    skip_corpus: bool,
    skip_epoch: bool,
    skip_tree: bool,
    no_filter: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        json: false,
        corpus_mb: 100,
        outputs: 10_000,
        accounts: 1_000_000,
        skip_corpus: false,
        skip_epoch: false,
        skip_tree: false,
        no_filter: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--json" => o.json = true,
            "--corpus-mb" => o.corpus_mb = number("--corpus-mb")?,
            "--outputs" => o.outputs = number("--outputs")?,
            "--accounts" => o.accounts = number("--accounts")?,
            "--skip-corpus" => o.skip_corpus = true,
            "--skip-epoch" => o.skip_epoch = true,
            "--skip-tree" => o.skip_tree = true,
            "--no-filter" => o.no_filter = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if o.accounts == 0 {
        return Err("--accounts must be positive".into());
    }
    Ok(o)
}

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// 65,536 pseudo-words of 2–4 syllables.
fn vocabulary() -> Vec<String> {
    const SYLLABLES: [&str; 32] = [
        "ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "ba", "de", "fo", "gu", "ha", "ji", "ve",
        "wo", "an", "el", "is", "on", "ur", "tha", "pri", "str", "que", "zo", "xe", "yu", "cla",
        "dri", "fle", "gno",
    ];
    let mut rng = Rng(42);
    (0..65_536)
        .map(|_| {
            (0..2 + rng.below(3))
                .map(|_| SYLLABLES[rng.below(32)])
                .collect()
        })
        .collect()
}

/// A skewed word choice: small ranks are much more frequent (roughly Zipf).
fn word<'a>(rng: &mut Rng, vocabulary: &'a [String]) -> &'a str {
    let bits = 1 + rng.below(16);
    &vocabulary[rng.below(1 << bits) % vocabulary.len()]
}

fn corpus(bytes: usize, vocabulary: &[String]) -> Vec<Contribution> {
    const DOC_BYTES: usize = 10_000;
    let docs = bytes.div_ceil(DOC_BYTES).max(1);
    (0..docs)
        .into_par_iter()
        .map(|d| {
            let mut rng = Rng(1_000 + d as u64);
            let mut text = String::with_capacity(DOC_BYTES + 64);
            let mut sentence = 0;
            while text.len() < DOC_BYTES {
                let w = word(&mut rng, vocabulary);
                if sentence == 0 {
                    let mut c = w.chars();
                    text.extend(c.next().map(|f| f.to_ascii_uppercase()));
                    text.push_str(c.as_str());
                } else {
                    text.push_str(w);
                }
                sentence += 1;
                if sentence > 8 && rng.below(10) == 0 {
                    text.push_str(". ");
                    sentence = 0;
                } else {
                    text.push(' ');
                }
            }
            Contribution {
                contribution_id: keccak256((d as u64).to_be_bytes()),
                contributor: Address::from_slice(
                    &keccak256((d as u64 % 2_000).to_le_bytes())[12..],
                ),
                datanet_id: 1,
                order: CommitOrder::new(d as u64 / 16, d as u64 % 16, 0),
                registered_block: d as u64 / 16 + 1,
                text,
            }
        })
        .collect()
}

fn outputs(n: usize, corpus: &[Contribution], vocabulary: &[String]) -> Vec<String> {
    (0..n)
        .into_par_iter()
        .map(|k| {
            let mut rng = Rng(7_000_000 + k as u64);
            let mut tokens: Vec<String> = Vec::with_capacity(OUTPUT_TOKENS + 64);
            let spans = if k % 2 == 0 { 1 + rng.below(3) } else { 0 };
            for _ in 0..spans {
                for _ in 0..rng.below(40) {
                    tokens.push(word(&mut rng, vocabulary).to_owned());
                }
                let doc = &corpus[rng.below(corpus.len())];
                let doc_tokens = datanet_attribution::tokenize(&doc.text);
                let len = (8 + rng.below(57)).min(doc_tokens.len());
                let start = rng.below(doc_tokens.len() - len + 1);
                tokens.extend_from_slice(&doc_tokens[start..start + len]);
            }
            while tokens.len() < OUTPUT_TOKENS {
                tokens.push(word(&mut rng, vocabulary).to_owned());
            }
            tokens.truncate(OUTPUT_TOKENS);
            tokens.join(" ")
        })
        .collect()
}

/// What `compute_epoch` does per inference: credit tokens, divide 1 token
/// (10^18) by credit. Returns (tokens, credited runs, credited contributions).
fn attribute(origins: &WindowOrigins<'_>, output: &str) -> (usize, usize, usize) {
    let (tokens, runs) = origins.attribute(output);
    let mut credits = std::collections::BTreeMap::<usize, u64>::new();
    for run in &runs {
        *credits.entry(run.document).or_default() += run.len() as u64;
    }
    let weights: Vec<u64> = credits.into_values().collect();
    let amounts = largest_remainder(U256::from(10u64.pow(18)), &weights);
    (tokens, runs.len(), amounts.len())
}

/// The outputs as paid inferences of one model over datanet 1, one per log
/// index in one block after every contribution.
fn epoch_input(contributions: Vec<Contribution>, outputs: Vec<String>) -> EpochInput {
    let last = contributions
        .iter()
        .map(|c| c.registered_block)
        .max()
        .unwrap_or(0);
    let paid = last + 1;
    EpochInput {
        params: EpochParams {
            epoch: 1,
            from_block: paid,
            to_block: paid,
            min_span: MIN_SPAN as u32,
            ..EpochParams::default()
        },
        contributions,
        models: std::collections::BTreeMap::from([(1, Model::new(vec![1], last, last))]),
        inferences: outputs
            .into_iter()
            .enumerate()
            .map(|(k, text)| Inference::new(1, U256::from(10u64.pow(18)), text, paid, k as u64))
            .collect(),
        previous: std::collections::BTreeMap::new(),
    }
}

/// CPU seconds (user + system) this process has used so far, from
/// `/proc/self/stat` (Linux, 100 ticks per second); `None` elsewhere. On a
/// shared machine, outputs per CPU-second times the cores is what the
/// attribution would reach with the cores to itself.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at field 3.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some((ticks(11)? + ticks(12)?) as f64 / 100.0)
}

fn tree_values(accounts: usize) -> Vec<(Address, U256)> {
    let k: U160 = "0x9e3779b97f4a7c15f39cc0605cedc8341082276b"
        .parse()
        .expect("constant");
    (0..accounts)
        .map(|i| {
            let a = U160::from(i + 1).wrapping_mul(k);
            (Address::from(a.to_be_bytes::<20>()), U256::from(i + 1))
        })
        .collect()
}

fn main() {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("bench: {e}");
            std::process::exit(2);
        }
    };
    let log = |s: String| {
        if !o.json {
            println!("{s}");
        }
    };
    let mut report = serde_json::Map::new();

    if !o.skip_corpus {
        let vocabulary = vocabulary();
        let t = Instant::now();
        let contributions = corpus(o.corpus_mb * 1_000_000, &vocabulary);
        let bytes: usize = contributions.iter().map(|c| c.text.len()).sum();
        log(format!(
            "generated {} documents, {:.1} MB, in {:.2}s",
            contributions.len(),
            bytes as f64 / 1e6,
            t.elapsed().as_secs_f64()
        ));

        let t = Instant::now();
        let mut index = match CorpusIndex::build(&contributions) {
            Ok(index) => index,
            Err(e) => {
                eprintln!("bench: {e}");
                std::process::exit(1);
            }
        };
        let build = t.elapsed().as_secs_f64();
        log(format!(
            "index: {} tokens, {} distinct, built in {build:.2}s = {:.1} MB/s",
            index.token_count(),
            index.vocabulary_size(),
            bytes as f64 / 1e6 / build
        ));
        let t = Instant::now();
        if !o.no_filter {
            index.add_window_filter(MIN_SPAN);
        }
        let filter = t.elapsed().as_secs_f64();
        if !o.no_filter {
            log(format!(
                "window filter ({MIN_SPAN} tokens) built in {filter:.2}s"
            ));
        }

        let t = Instant::now();
        let origins = index.window_origins(MIN_SPAN, None);
        let origins_seconds = t.elapsed().as_secs_f64();
        log(format!(
            "window origins ({MIN_SPAN} tokens) built in {origins_seconds:.2}s"
        ));
        report.insert(
            "corpus".into(),
            json!({
                "bytes": bytes,
                "documents": contributions.len(),
                "tokens": index.token_count(),
                "vocabulary": index.vocabulary_size(),
                "buildSeconds": build,
                "mbPerSecond": bytes as f64 / 1e6 / build,
                "windowFilterSeconds": if o.no_filter { None } else { Some(filter) },
                "windowOriginsSeconds": origins_seconds,
            }),
        );

        let outputs = outputs(o.outputs, &contributions, &vocabulary);
        let (t, cpu) = (Instant::now(), cpu_seconds());
        let results: Vec<(usize, usize, usize)> = outputs
            .par_iter()
            .map(|output| attribute(&origins, output))
            .collect();
        let seconds = t.elapsed().as_secs_f64();
        let cpu = cpu.zip(cpu_seconds()).map(|(a, b)| b - a);
        let tokens: usize = results.iter().map(|r| r.0).sum();
        let runs: usize = results.iter().map(|r| r.1).sum();
        let attributed = results.iter().filter(|r| r.2 > 0).count();
        log(format!(
            "attribution: {} outputs ({tokens} tokens) in {seconds:.2}s = {:.0} outputs/s, {runs} credited runs, {attributed} outputs attributed",
            outputs.len(),
            outputs.len() as f64 / seconds
        ));
        if let Some(cpu) = cpu {
            log(format!(
                "  {cpu:.2} CPU-seconds on {} threads = {:.0} outputs per CPU-second",
                rayon::current_num_threads(),
                outputs.len() as f64 / cpu
            ));
        }
        report.insert(
            "attribution".into(),
            json!({
                "outputs": outputs.len(),
                "tokens": tokens,
                "minSpan": MIN_SPAN,
                "windowFilter": !o.no_filter,
                "seconds": seconds,
                "outputsPerSecond": outputs.len() as f64 / seconds,
                "cpuSeconds": cpu,
                "outputsPerCpuSecond": cpu.map(|c| outputs.len() as f64 / c),
                "threads": rayon::current_num_threads(),
                "spans": runs,
                "attributedOutputs": attributed,
            }),
        );
        drop(origins);
        drop(index);

        if !o.skip_epoch {
            let input = epoch_input(contributions, outputs);
            let t = Instant::now();
            let outcome = match compute_epoch(&input) {
                Ok(outcome) => outcome,
                Err(e) => {
                    eprintln!("bench: {e}");
                    std::process::exit(1);
                }
            };
            let seconds = t.elapsed().as_secs_f64();
            let attributed = outcome
                .report
                .inferences
                .iter()
                .filter(|i| !i.credits.is_empty())
                .count();
            log(format!(
                "epoch: compute_epoch of {} paid outputs (index, filter, origins, attribution, report, tree of {} accounts) in {seconds:.2}s, {attributed} outputs attributed",
                input.inferences.len(),
                outcome.cumulative.len()
            ));
            report.insert(
                "epoch".into(),
                json!({
                    "outputs": input.inferences.len(),
                    "seconds": seconds,
                    "attributedOutputs": attributed,
                    "accounts": outcome.cumulative.len(),
                }),
            );
        }
    }

    if !o.skip_tree {
        let values = tree_values(o.accounts);
        let t = Instant::now();
        let tree = match RewardTree::of(values) {
            Ok(tree) => tree,
            Err(e) => {
                eprintln!("bench: {e}");
                std::process::exit(1);
            }
        };
        let build = t.elapsed().as_secs_f64();
        let dump = tree.to_json();
        let total = t.elapsed().as_secs_f64();
        let root: B256 = tree.root();
        log(format!(
            "reward tree: {} accounts built in {build:.2}s, dumped ({} bytes) in {:.2}s, total {total:.2}s, root {root}",
            o.accounts,
            dump.len(),
            total - build
        ));
        report.insert(
            "rewardTree".into(),
            json!({
                "accounts": o.accounts,
                "buildSeconds": build,
                "dumpSeconds": total - build,
                "seconds": total,
                "dumpBytes": dump.len(),
                "dumpKeccak": keccak256(dump.as_bytes()),
                "root": root,
            }),
        );
    }

    if o.json {
        println!("{}", serde_json::Value::Object(report));
    }
}
