//! Reward epochs end to end through the `datanet` binary: attribute paid outputs to contributed
//! files, sign, propose, accept, verify, claim cumulatively; determinism of `attribute`; the
//! refusals of `attribute`, `epoch sign|propose|verify`; and `tree build|proof`.
//!
//! Every test runs its own anvil with three attestors (accounts 4, 5 and 6), a threshold of two
//! and a one-hour challenge period (the minimum). The corpus is a handful of `examples/datanets/field-guide`
//! files; the paid outputs are lines of `examples/outputs/epoch{1,2}.jsonl` that reuse them.

mod common;

use alloy::primitives::{keccak256, Address, B256, U256};
use common::{b256, examples, proxy::Hostility, tokens, u256, Devnet};
use datanet_attribution::{AttributionReport, RewardTree};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Datanet 1's owner and curator (also the deployer, who holds the token supply).
const OWNER: usize = 0;
/// The contributor whose rewards the tests follow.
const ALICE: usize = 1;
/// Owner of model 1.
const MODEL_OWNER: usize = 2;
/// Pays for the outputs.
const PAYER: usize = 3;
const ATTESTORS: [usize; 3] = [4, 5, 6];
/// Neither attestor nor contributor.
const OUTSIDER: usize = 7;
/// A second contributor, so reward trees have more than one leaf.
const CAROL: usize = 8;

const CHALLENGE_PERIOD: u64 = 3_600;

/// Alice's files (all reused by epoch-1 outputs; cordgrass and eelgrass again in epoch 2).
const ALICE_FILES: [&str; 4] = [
    "saltmarsh-cordgrass.txt",
    "great-egret.txt",
    "glasswort.txt",
    "eelgrass.txt",
];
/// Carol's file (reused by epoch-1 line 5).
const CAROL_FILES: [&str; 1] = ["marsh-wren.txt"];

/// `examples/outputs/epoch1.jsonl` lines (1-based) reusing only the contributed files, plus line 10
/// (sourdough starter) that reuses nothing. Line 7 reuses eelgrass and the uncontributed red mangrove.
const EPOCH1_LINES: [usize; 6] = [1, 2, 5, 11, 7, 10];
/// `examples/outputs/epoch2.jsonl`: 6 (cordgrass + uncontributed clapper rail), 8 (eelgrass +
/// uncontributed chain replacement), 7 (houseplant, reuses nothing).
const EPOCH2_LINES: [usize; 3] = [6, 8, 7];

/// A fresh chain deployed with three attestors, threshold 2 and a short challenge period.
fn start() -> Devnet {
    checked(Devnet::start_with_attestors(
        &ATTESTORS,
        2,
        CHALLENGE_PERIOD,
        None,
    ))
}

/// Like [`start`], every command talking through the hostile provider.
fn start_hostile() -> Devnet {
    checked(Devnet::start_with_attestors(
        &ATTESTORS,
        2,
        CHALLENGE_PERIOD,
        Some(Hostility::default()),
    ))
}

fn checked(net: Devnet) -> Devnet {
    let settings = net.deployment().settings;
    assert_eq!(
        settings.attestors,
        ATTESTORS
            .iter()
            .map(|i| net.address(*i))
            .collect::<Vec<_>>()
    );
    assert_eq!(settings.threshold, 2);
    assert_eq!(settings.challenge_period, CHALLENGE_PERIOD);
    net
}

/// Copies the example files into `corpus/`, creates datanet 1 (no bond), contributes Alice's and
/// Carol's files, accepts them, registers model 1 on datanet 1 and funds the payer. Returns Alice's
/// contribution ids.
async fn setup(net: &Devnet) -> Vec<B256> {
    net.copy_examples("corpus", ALICE_FILES.into_iter().chain(CAROL_FILES));
    assert_eq!(net.create_datanet(OWNER, "0", "7d"), 1);

    let contribute = |who: usize, names: &[&str]| -> Vec<B256> {
        let mut args = vec!["contribute".to_string(), "1".to_string()];
        args.extend(names.iter().map(|n| format!("corpus/{n}")));
        args.push("--json".into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = net.run_as(who, &args).success().json();
        let entries = out["files"].as_array().expect("an array of files");
        assert_eq!(entries.len(), names.len());
        entries
            .iter()
            .map(|e| {
                assert_eq!(e["outcome"], "registered", "{e}");
                b256(&e["contributionId"])
            })
            .collect()
    };
    let alice = contribute(ALICE, &ALICE_FILES);
    let carol = contribute(CAROL, &CAROL_FILES);

    net.accept(OWNER, alice.iter().chain(&carol).copied());
    assert_eq!(net.register_model(MODEL_OWNER, 1), 1);
    net.fund(PAYER, tokens("1000")).await;
    alice
}

/// Writes the chosen lines of an example outputs file to `name` in the working folder.
fn write_log(net: &Devnet, example: &str, lines: &[usize], name: &str) -> PathBuf {
    let text = std::fs::read_to_string(examples().join("outputs").join(example)).unwrap();
    let all: Vec<&str> = text.lines().collect();
    let mut log = String::new();
    for line in lines {
        let chosen = all[line - 1];
        let parsed: Value = serde_json::from_str(chosen).expect("a JSON line");
        assert!(parsed["output"].is_string() && parsed["amount"].is_string());
        log.push_str(chosen);
        log.push('\n');
    }
    let path = net.path(name);
    std::fs::write(&path, log).unwrap();
    path
}

/// Pays every output of `log` (amounts from the log) for model 1.
fn pay(net: &Devnet, log: &str, count: usize) {
    let paid = net
        .run_as(PAYER, &["pay", "1", log, "--json"])
        .success()
        .json();
    assert_eq!(paid["payments"].as_array().unwrap().len(), count);
}

/// Where the attestors say they publish epoch N's report (nothing here fetches it).
fn report_uri(epoch: u64) -> String {
    format!("https://attestors.example/epochs/{epoch}/report.json")
}

/// `attribute --epoch N --corpus corpus --log LOG --out OUT --report-uri URI --json`.
fn attribute(net: &Devnet, epoch: u64, log: &str, out: &str) -> Value {
    net.run(&[
        "attribute",
        "--epoch",
        &epoch.to_string(),
        "--corpus",
        "corpus",
        "--log",
        log,
        "--out",
        out,
        "--report-uri",
        &report_uri(epoch),
        "--json",
    ])
    .success()
    .json()
}

fn read_tree(net: &Devnet, dir: &str) -> RewardTree {
    RewardTree::load(&std::fs::read(net.path(dir).join("tree.json")).unwrap()).expect("tree.json")
}

fn read_json(net: &Devnet, path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(net.path(path)).unwrap()).unwrap()
}

/// Every file of an epoch folder, by name, for "nothing changed" checks.
fn folder_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn sign(net: &Devnet, who: usize, dir: &str) {
    let out = net
        .run_as(who, &["epoch", "sign", dir, "--json"])
        .success()
        .json();
    assert_eq!(address(&out["signer"]), net.address(who));
}

fn address(value: &Value) -> Address {
    value.as_str().expect("address").parse().expect("address")
}

/// Signs `dir` with two attestors, proposes it, checks that accepting early reverts with
/// ChallengePeriodNotOver, waits out the challenge period and accepts it.
async fn settle(net: &Devnet, dir: &str, signers: [usize; 2], epoch: u64, root: B256) {
    for who in signers {
        sign(net, who, dir);
    }
    let file = read_json(net, &format!("{dir}/epoch.json"));
    assert_eq!(file["signatures"].as_array().unwrap().len(), 2);

    let proposed = net
        .run_as(OUTSIDER, &["epoch", "propose", dir, "--json"])
        .success()
        .json();
    assert_eq!(proposed["epoch"], epoch);
    assert_eq!(b256(&proposed["rewardsRoot"]), root);
    let mut expected: Vec<Address> = signers.iter().map(|i| net.address(*i)).collect();
    expected.sort();
    let used: Vec<Address> = proposed["signers"]
        .as_array()
        .unwrap()
        .iter()
        .map(address)
        .collect();
    assert_eq!(used, expected);

    let before = net.snapshot().await;
    net.run_as(OUTSIDER, &["epoch", "accept"])
        .failure(&["acceptEpoch", "ChallengePeriodNotOver"]);
    assert_eq!(net.snapshot().await, before, "a refused accept mined");

    net.increase_time(CHALLENGE_PERIOD + 1).await;
    let accepted = net
        .run_as(OUTSIDER, &["epoch", "accept", "--json"])
        .success()
        .json();
    assert_eq!(accepted["epoch"], epoch);
    assert_eq!(b256(&accepted["rewardsRoot"]), root);
    let pool = net.session(0).await.pool();
    assert_eq!(pool.rewardsRoot().call().await.unwrap(), root);
    assert_eq!(pool.currentEpoch().call().await.unwrap(), U256::from(epoch));
}

/// `epoch verify DIR --corpus corpus --log LOG` succeeds, as text and as JSON.
fn verify(net: &Devnet, dir: &str, log: &str, on_chain: &str) {
    let text = net
        .run(&["epoch", "verify", dir, "--corpus", "corpus", "--log", log])
        .success()
        .stdout;
    assert!(text.contains("verified"), "{text}");
    let out = net
        .run(&[
            "epoch", "verify", dir, "--corpus", "corpus", "--log", log, "--json",
        ])
        .success()
        .json();
    assert_eq!(out["match"], true, "{out}");
    assert_eq!(out["onChain"], on_chain, "{out}");
}

/// `rewards claim --tree DIR` by `who`: returns the amount, which must be what the balance gained.
async fn claim(net: &Devnet, who: usize, dir: &str) -> U256 {
    let account = net.address(who);
    let before = net.balance(account).await;
    let out = net
        .run_as(who, &["rewards", "claim", "--tree", dir, "--json"])
        .success()
        .json();
    assert_eq!(address(&out["account"]), account);
    let amount = u256(&out["amount"]);
    assert_eq!(u256(&out["received"]), amount);
    assert_eq!(net.balance(account).await, before + amount);
    amount
}

fn impact(net: &Devnet, who: usize) -> Value {
    net.run(&[
        "impact",
        "--address",
        &net.address(who).to_string(),
        "--epochs",
        "epochs",
        "--json",
    ])
    .success()
    .json()
}

#[tokio::test]
async fn two_epochs_attribute_settle_verify_and_claim_cumulatively() {
    two_epochs(&start()).await;
}

/// The same two epochs with every command talking through a provider that caps `eth_getLogs` at
/// 1,000 blocks and 10,000 results, answers 5% of reads with HTTP 429 and drops the answer to one
/// `eth_sendRawTransaction`, on a chain whose history since the deployment is over 50,000 blocks
/// long (so every event scan crosses them).
#[tokio::test]
async fn two_epochs_through_a_hostile_provider_on_a_long_history() {
    let mut net = start_hostile();
    let started = std::time::Instant::now();
    net.extend_history(50_000).await;
    let mined = started.elapsed();
    let started = std::time::Instant::now();
    two_epochs(&net).await;
    let elapsed = started.elapsed().as_secs_f64();
    let proxy = net.proxy.as_ref().unwrap();
    let stats = &proxy.stats;
    let blocks = net.rpc("eth_blockNumber", ()).await;
    println!(
        "hostile provider: {stats}; chain of {} blocks (50,000 added in {:.1}s); the story took {elapsed:.1}s, {:.0} requests/s",
        blocks.as_str().map_or(0, |h| u64::from_str_radix(h.trim_start_matches("0x"), 16).unwrap()),
        mined.as_secs_f64(),
        stats.get(&stats.requests) as f64 / elapsed
    );
    assert!(stats.get(&stats.refused_ranges) > 0, "{stats}");
    assert!(stats.get(&stats.rate_limited) > 0, "{stats}");
    assert_eq!(stats.get(&stats.dropped_sends), 1, "{stats}");
}

/// Two epochs: attribute, settle, verify, claim cumulatively, impact.
async fn two_epochs(net: &Devnet) {
    let alice_ids = setup(net).await;
    let (alice, carol) = (net.address(ALICE), net.address(CAROL));
    let pool = net.deployment().attribution_pool;

    // ---- Epoch 1.
    write_log(net, "epoch1.jsonl", &EPOCH1_LINES, "log1.jsonl");
    pay(net, "log1.jsonl", EPOCH1_LINES.len());
    let pool_funded = net.balance(pool).await;

    let out = attribute(net, 1, "log1.jsonl", "epochs/1");
    assert_eq!(out["epoch"], 1);
    assert_eq!(out["inferences"], EPOCH1_LINES.len());
    assert_eq!(out["accounts"], 2, "alice and carol: {out}");
    let unallocated = u256(&out["unallocated"]);
    assert!(unallocated > U256::ZERO, "line 10 reuses nothing: {out}");
    let total1 = u256(&out["totalAllocated"]);
    assert_eq!(u256(&out["epochAllocated"]), total1);
    assert!(total1 <= pool_funded);

    let tree1 = read_tree(net, "epochs/1");
    let root1 = b256(&out["rewardsRoot"]);
    assert_eq!(tree1.root(), root1);
    let alice1 = tree1.amount_of(alice).expect("alice has a leaf");
    let carol1 = tree1.amount_of(carol).expect("carol has a leaf");
    assert!(alice1 > U256::ZERO && carol1 > U256::ZERO);
    assert_eq!(alice1 + carol1, total1);
    let file1 = read_json(net, "epochs/1/epoch.json");
    assert_eq!(b256(&file1["rewardsRoot"]), root1);
    assert_eq!(file1["signatures"], serde_json::json!([]));
    let (report, _) = datanet_client::epoch::read_report(&net.path("epochs/1")).unwrap();
    assert_eq!(
        report
            .inferences
            .iter()
            .filter(|i| i.spans.is_empty())
            .count(),
        1,
        "exactly one output reuses nothing"
    );

    settle(net, "epochs/1", [ATTESTORS[0], ATTESTORS[1]], 1, root1).await;
    verify(net, "epochs/1", "log1.jsonl", "accepted");

    assert_eq!(claim(net, ALICE, "epochs/1").await, alice1);

    let shown = impact(net, ALICE);
    let contributions = shown["contributions"].as_array().unwrap();
    // In chain order (reveals go by content hash), the same set as contributed.
    let mut listed: Vec<B256> = contributions
        .iter()
        .map(|c| b256(&c["contributionId"]))
        .collect();
    let mut expected = alice_ids.clone();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);
    for c in contributions {
        assert_eq!(c["status"], "Accepted", "{c}");
        assert!(c["creditedTokens"].as_u64().unwrap() > 0, "{c}");
        assert!(u256(&c["earned"]) > U256::ZERO, "{c}");
    }
    let epochs = shown["epochs"].as_array().unwrap();
    assert_eq!(epochs.len(), 1);
    assert_eq!(epochs[0]["epoch"], 1);
    assert_eq!(epochs[0]["onChain"], "verified");
    assert_eq!(u256(&epochs[0]["earned"]), alice1);
    assert_eq!(u256(&epochs[0]["cumulative"]), alice1);
    assert_eq!(u256(&shown["claimed"]), alice1);
    assert_eq!(u256(&shown["claimable"]), U256::ZERO);

    // ---- Epoch 2: builds on epochs/1 (found as the sibling folder).
    write_log(net, "epoch2.jsonl", &EPOCH2_LINES, "log2.jsonl");
    pay(net, "log2.jsonl", EPOCH2_LINES.len());
    let out = attribute(net, 2, "log2.jsonl", "epochs/2");
    assert_eq!(out["epoch"], 2);
    assert_eq!(out["inferences"], EPOCH2_LINES.len());
    assert_eq!(out["fromBlock"], file1["toBlock"].as_u64().unwrap() + 1);
    let total2 = u256(&out["totalAllocated"]);
    assert_eq!(total2, total1 + u256(&out["epochAllocated"]));
    assert!(total2 > total1);
    let tree2 = read_tree(net, "epochs/2");
    let root2 = b256(&out["rewardsRoot"]);
    assert_eq!(tree2.root(), root2);
    let alice2 = tree2.amount_of(alice).unwrap();
    assert!(
        alice2 > alice1,
        "epoch 2 reuses alice's cordgrass and eelgrass"
    );
    // Carol earns nothing new in epoch 2 but keeps her cumulative amount.
    assert_eq!(tree2.amount_of(carol), Some(carol1));

    settle(net, "epochs/2", [ATTESTORS[1], ATTESTORS[2]], 2, root2).await;
    // The epoch-1 tree is no longer the claimable root.
    net.run_as(CAROL, &["rewards", "claim", "--tree", "epochs/1"])
        .failure(&["not the pool's claimable root"]);
    verify(net, "epochs/2", "log2.jsonl", "accepted");
    // Epoch 1 still verifies against its accepted record.
    verify(net, "epochs/1", "log1.jsonl", "accepted");

    // Cumulative claiming: Alice gets exactly the difference, Carol (who never claimed) all of hers.
    assert_eq!(claim(net, ALICE, "epochs/2").await, alice2 - alice1);
    assert_eq!(claim(net, CAROL, "epochs/2").await, carol1);
    net.run_as(ALICE, &["rewards", "claim", "--tree", "epochs/2"])
        .failure(&["already claimed", "nothing new to claim"]);

    let shown = impact(net, ALICE);
    let epochs = shown["epochs"].as_array().unwrap();
    assert_eq!(epochs.len(), 2);
    for (e, cumulative) in epochs.iter().zip([alice1, alice2]) {
        assert_eq!(e["onChain"], "verified", "{e}");
        assert_eq!(u256(&e["cumulative"]), cumulative, "{e}");
    }
    assert_eq!(u256(&epochs[1]["earned"]), alice2 - alice1);
    assert_eq!(u256(&shown["claimed"]), alice2);
    assert_eq!(u256(&shown["claimable"]), U256::ZERO);
    let text = net
        .run(&[
            "impact",
            "--address",
            &alice.to_string(),
            "--epochs",
            "epochs",
        ])
        .success()
        .stdout;
    assert!(text.contains("verified"), "{text}");
}

#[tokio::test]
async fn attribute_is_deterministic() {
    let net = start();
    setup(&net).await;
    write_log(&net, "epoch1.jsonl", &EPOCH1_LINES, "log1.jsonl");
    pay(&net, "log1.jsonl", EPOCH1_LINES.len());

    let a = attribute(&net, 1, "log1.jsonl", "a/1");
    let b = attribute(&net, 1, "log1.jsonl", "b/1");
    assert_eq!(a["rewardsRoot"], b["rewardsRoot"]);
    assert_eq!(a["reportHash"], b["reportHash"]);
    assert_eq!(a["totalAllocated"], b["totalAllocated"]);
    for name in ["report.json", "tree.json", "epoch.json"] {
        let left = std::fs::read(net.path("a/1").join(name)).unwrap();
        let right = std::fs::read(net.path("b/1").join(name)).unwrap();
        assert!(left == right, "{name} differs between two runs");
    }
    // The report on disk is canonical and hashes to the announced report hash.
    let bytes = std::fs::read(net.path("a/1/report.json")).unwrap();
    AttributionReport::from_canonical_json(&bytes).expect("canonical report");
    assert_eq!(keccak256(&bytes), b256(&a["reportHash"]));
    assert_eq!(read_tree(&net, "a/1").root(), b256(&a["rewardsRoot"]));
}

#[tokio::test]
async fn epoch_commands_refuse_bad_inputs_and_change_nothing() {
    let net = start();
    setup(&net).await;
    write_log(&net, "epoch1.jsonl", &EPOCH1_LINES, "log1.jsonl");
    pay(&net, "log1.jsonl", EPOCH1_LINES.len());

    // A corpus file that matches no contribution: the file is listed, nothing is written.
    let before = net.snapshot().await;
    let extra = net.path("extra-corpus");
    std::fs::create_dir_all(&extra).unwrap();
    for name in ALICE_FILES.iter().chain(&CAROL_FILES) {
        std::fs::copy(net.path("corpus").join(name), extra.join(name)).unwrap();
    }
    std::fs::copy(
        examples().join("datanets/field-guide/willet.txt"),
        extra.join("stray-willet.txt"),
    )
    .unwrap();
    net.run(&[
        "attribute",
        "--epoch",
        "1",
        "--corpus",
        "extra-corpus",
        "--log",
        "log1.jsonl",
        "--out",
        "bad-corpus/1",
        "--report-uri",
        &report_uri(1),
    ])
    .failure(&[
        "1 corpus file(s) match no registered contribution",
        "stray-willet.txt",
    ]);
    assert!(!net.path("bad-corpus").exists());

    // A log line whose output was never paid: the line is listed, nothing is written.
    let mut log = std::fs::read_to_string(net.path("log1.jsonl")).unwrap();
    log.push_str("{\"output\": \"An answer nobody ever paid for.\", \"amount\": \"1\"}\n");
    std::fs::write(net.path("unpaid.jsonl"), log).unwrap();
    let unpaid_line = format!("line {}", EPOCH1_LINES.len() + 1);
    net.run(&[
        "attribute",
        "--epoch",
        "1",
        "--corpus",
        "corpus",
        "--log",
        "unpaid.jsonl",
        "--out",
        "bad-log/1",
        "--report-uri",
        &report_uri(1),
    ])
    .failure(&["match no inference paid", &unpaid_line]);
    assert!(!net.path("bad-log").exists());
    assert_eq!(net.snapshot().await, before);

    // A good epoch folder.
    let out = attribute(&net, 1, "log1.jsonl", "epochs/1");
    let root = b256(&out["rewardsRoot"]);
    let dir = net.path("epochs/1");

    // Signing by a non-attestor: named, epoch.json untouched.
    let files = folder_bytes(&dir);
    let before = net.snapshot().await;
    net.run_as(OUTSIDER, &["epoch", "sign", "epochs/1"])
        .failure(&["is not an attestor", &net.address(OUTSIDER).to_string()]);
    assert_eq!(folder_bytes(&dir), files);
    assert_eq!(net.snapshot().await, before);

    // Proposing with 1 of the 2 signatures needed: both counts named, nothing proposed.
    sign(&net, ATTESTORS[0], "epochs/1");
    let files = folder_bytes(&dir);
    let before = net.snapshot().await;
    net.run_as(OUTSIDER, &["epoch", "propose", "epochs/1"])
        .failure(&["1 attestor signature(s) collected", "2 needed"]);
    assert_eq!(folder_bytes(&dir), files);
    assert_eq!(net.snapshot().await, before);
    let pool = net.session(0).await.pool();
    assert_eq!(pool.pendingEpoch().call().await.unwrap().validAt, 0);

    // With a second signature it goes through, and the folder verifies against the pending epoch.
    sign(&net, ATTESTORS[2], "epochs/1");
    net.run_as(OUTSIDER, &["epoch", "propose", "epochs/1"])
        .success();
    assert_eq!(pool.pendingEpoch().call().await.unwrap().rewardsRoot, root);
    verify(&net, "epochs/1", "log1.jsonl", "pending");

    // Tampering with report.json (one account's amount, still a well-formed canonical report).
    let path = dir.join("report.json");
    let mut report = AttributionReport::from_json(&std::fs::read(&path).unwrap()).unwrap();
    report.accounts[0].epoch_amount += U256::from(1);
    std::fs::write(&path, report.to_canonical_json()).unwrap();
    let files = folder_bytes(&dir);
    let before = net.snapshot().await;
    let run = net.run(&[
        "epoch",
        "verify",
        "epochs/1",
        "--corpus",
        "corpus",
        "--log",
        "log1.jsonl",
    ]);
    assert_eq!(run.code, Some(3), "a mismatch exits with its own status");
    let line = run.failure(&["does not verify", "report hash"]);
    assert!(!line.contains("rewards root"), "{line}");
    assert!(!line.contains("total allocated"), "{line}");
    assert_eq!(folder_bytes(&dir), files);
    assert_eq!(net.snapshot().await, before);
}

#[tokio::test]
async fn tree_build_and_proof_round_trip_and_bad_lines_are_named() {
    let net = start();
    let values = [
        (net.address(1), U256::from(30_000u64)),
        (net.address(2), tokens("40")),
        (net.address(3), U256::from(6u64)),
    ];
    let mut csv = String::from("address,amount\n");
    for (a, v) in &values {
        csv.push_str(&format!("{a},{v}\n"));
    }
    std::fs::write(net.path("values.csv"), csv).unwrap();
    let built = net
        .run_raw(&["tree", "build", "values.csv", "--out", "t.json", "--json"])
        .success()
        .json();
    assert_eq!(built["leaves"], 3);
    let root = b256(&built["root"]);
    assert_eq!(root, RewardTree::of(values.to_vec()).unwrap().root());
    assert_eq!(read_tree_file(&net.path("t.json")).root(), root);

    for (account, amount) in values {
        let proof = net
            .run_raw(&[
                "tree",
                "proof",
                "t.json",
                "--address",
                &account.to_string(),
                "--json",
            ])
            .success()
            .json();
        assert_eq!(b256(&proof["root"]), root);
        assert_eq!(address(&proof["account"]), account);
        assert_eq!(u256(&proof["amount"]), amount);
        let proof: Vec<B256> = proof["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(b256)
            .collect();
        assert!(RewardTree::verify(root, account, amount, &proof));
        assert!(!RewardTree::verify(
            root,
            account,
            amount + U256::from(1),
            &proof
        ));
    }
    net.run_raw(&[
        "tree",
        "proof",
        "t.json",
        "--address",
        &net.address(9).to_string(),
    ])
    .failure(&["is not in the tree"]);

    // A bad address on line 3: named with its line, no tree written.
    std::fs::write(
        net.path("bad.csv"),
        format!("address,amount\n{},5\n0xnot-an-address,7\n", net.address(1)),
    )
    .unwrap();
    net.run_raw(&["tree", "build", "bad.csv", "--out", "bad.json"])
        .failure(&["bad.csv: line 3", "is not an address", "0xnot-an-address"]);
    assert!(!net.path("bad.json").exists());
}

fn read_tree_file(path: &Path) -> RewardTree {
    RewardTree::load(&std::fs::read(path).unwrap()).unwrap()
}

/// Issue 11's laundering attack, end to end: after model 1 is registered (its data cutoff), an
/// outsider contributes the text of the model's published, paid outputs as "data" and gets it
/// accepted; the same outputs are then paid again. The outsider's contribution is newer than the
/// model's cutoff, so it earns nothing, and the original contributors keep exactly the credit they
/// had for the first payment of those outputs.
#[tokio::test]
async fn outputs_contributed_back_after_the_cutoff_earn_nothing() {
    let net = start();
    setup(&net).await;
    let lines = [1, 2];
    write_log(&net, "epoch1.jsonl", &lines, "published.jsonl");
    pay(&net, "published.jsonl", lines.len());

    // The outsider launders the published outputs into a contribution of its own.
    let published = std::fs::read_to_string(net.path("published.jsonl")).unwrap();
    let laundered: Vec<String> = published
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["output"].as_str().unwrap().to_string()
        })
        .collect();
    std::fs::write(net.path("corpus/laundered.txt"), laundered.join("\n")).unwrap();
    let out = net
        .run_as(
            OUTSIDER,
            &["contribute", "1", "corpus/laundered.txt", "--json"],
        )
        .success()
        .json();
    let laundered_id = b256(&out["files"][0]["contributionId"]);
    net.run_as(OWNER, &["review", &laundered_id.to_string(), "--accept"])
        .success();

    // The same popular answers are paid again.
    let repaid = net
        .run_as(
            PAYER,
            &["pay", "1", "published.jsonl", "--pay-again", "--json"],
        )
        .success()
        .json();
    assert_eq!(repaid["payments"].as_array().unwrap().len(), lines.len());

    attribute(&net, 1, "published.jsonl", "epochs/1");
    let (report, _) = datanet_client::epoch::read_report(&net.path("epochs/1")).unwrap();
    assert_eq!(
        report.inferences.len(),
        2 * lines.len(),
        "two payments per output"
    );
    let outsider = net.address(OUTSIDER);
    for inference in &report.inferences {
        assert!(
            inference
                .credits
                .iter()
                .all(|c| c.contribution_id != laundered_id && c.contributor != outsider),
            "the laundered copy earned: {inference:?}"
        );
        assert!(
            !inference.credits.is_empty(),
            "the originals keep their credit"
        );
    }
    // Each output's second payment is credited exactly as its first.
    for id in report.inferences.iter().map(|i| i.inference_id) {
        let paid: Vec<_> = report
            .inferences
            .iter()
            .filter(|i| i.inference_id == id)
            .map(|i| {
                i.credits
                    .iter()
                    .map(|c| (c.contribution_id, c.credit, c.amount))
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(paid.len(), 2);
        assert_eq!(
            paid[0], paid[1],
            "the second payment is credited as the first"
        );
    }
    assert!(report.accounts.iter().all(|a| a.account != outsider));
    let alice = net.address(ALICE);
    assert!(report
        .accounts
        .iter()
        .any(|a| a.account == alice && a.cumulative_amount > U256::ZERO));

    // Moving the cutoff forward is the model owner's explicit, on-chain choice (retraining on the
    // newer data): only then can payments made after the move see the laundered file.
    net.run_as(MODEL_OWNER, &["model", "cutoff", "1"]).success();
}
