//! `datanet rewards show|claim` and `datanet impact` with nothing but a wallet address and the deployment file: the
//! reward tree is rebuilt from the report published at the accepted epoch's on-chain `reportURI`,
//! checked against the on-chain report hash and root. A tampered report is refused in one line,
//! before any transaction.

mod common;

use alloy::primitives::U256;
use common::{b256, examples, tokens, u256, Devnet, Run};
use std::path::Path;

const OWNER: usize = 0;
const ALICE: usize = 1;
const MODEL_OWNER: usize = 2;
const PAYER: usize = 3;
const ATTESTORS: [usize; 3] = [4, 5, 6];
/// Neither attestor nor contributor: proposes, accepts and claims for Alice.
const OUTSIDER: usize = 7;
const CHALLENGE_PERIOD: u64 = 3_600;
const FILES: [&str; 2] = ["saltmarsh-cordgrass.txt", "great-egret.txt"];
/// `examples/outputs/epoch1.jsonl` lines reusing the files above.
const LINES: [usize; 2] = [1, 2];

fn start() -> Devnet {
    Devnet::start_with_attestors(&ATTESTORS, 2, CHALLENGE_PERIOD, None)
}

/// Datanet 1 with Alice's accepted files, model 1 on it, the outputs of [`LINES`] paid, epoch 1
/// attributed with `report_uri`, signed by two attestors, proposed and accepted. Returns the root.
async fn accepted_epoch(net: &Devnet, report_uri: &str) -> alloy::primitives::B256 {
    net.copy_examples("corpus", FILES);
    assert_eq!(net.create_datanet(OWNER, "0", "7d"), 1);
    let mut args = vec!["contribute".to_string(), "1".to_string()];
    args.extend(FILES.iter().map(|n| format!("corpus/{n}")));
    args.push("--json".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = net.run_as(ALICE, &args).success().json();
    let ids = out["files"].as_array().unwrap().iter().map(|e| {
        assert_eq!(e["outcome"], "registered", "{e}");
        b256(&e["contributionId"])
    });
    net.accept(OWNER, ids);
    assert_eq!(net.register_model(MODEL_OWNER, 1), 1);
    net.fund(PAYER, tokens("1000")).await;

    let text = std::fs::read_to_string(examples().join("outputs/epoch1.jsonl")).unwrap();
    let all: Vec<&str> = text.lines().collect();
    let log: String = LINES.iter().map(|l| format!("{}\n", all[l - 1])).collect();
    std::fs::write(net.path("log1.jsonl"), log).unwrap();
    net.run_as(PAYER, &["pay", "1", "log1.jsonl"]).success();

    let out = net
        .run(&[
            "attribute",
            "--epoch",
            "1",
            "--corpus",
            "corpus",
            "--log",
            "log1.jsonl",
            "--out",
            "epochs/1",
            "--report-uri",
            report_uri,
            "--json",
        ])
        .success()
        .json();
    let root = b256(&out["rewardsRoot"]);
    for who in [ATTESTORS[0], ATTESTORS[1]] {
        net.run_as(who, &["epoch", "sign", "epochs/1"]).success();
    }
    net.run_as(OUTSIDER, &["epoch", "propose", "epochs/1"])
        .success();
    net.increase_time(CHALLENGE_PERIOD + 1).await;
    net.run_as(OUTSIDER, &["epoch", "accept"]).success();
    root
}

/// `datanet ARGS` as account `i` from `fresh`, a folder holding nothing but `deployments/`.
fn run_fresh(net: &Devnet, fresh: &Path, i: Option<usize>, args: &[&str]) -> Run {
    let mut cmd = net.command();
    cmd.current_dir(fresh)
        .env("HOME", fresh)
        .env_remove("DATANET_IPFS_GATEWAY")
        .args(args)
        .args(["--rpc-url", &net.url()]);
    if let Some(i) = i {
        cmd.args(["--private-key", &net.key(i)]);
    }
    let output = cmd.output().expect("datanet runs");
    Run {
        what: format!("datanet {}", args.join(" ")),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[tokio::test]
async fn rewards_from_the_published_report_only() {
    let net = start();
    let alice = net.address(ALICE);
    let alice_arg = alice.to_string();
    // A fresh folder: the deployment file and nothing else.
    let fresh = tempfile::tempdir().unwrap();
    let deployments = fresh.path().join("deployments");
    std::fs::create_dir_all(&deployments).unwrap();
    let name = format!("{}.json", net.chain_id());
    std::fs::copy(net.path("deployments").join(&name), deployments.join(&name)).unwrap();

    // Before any epoch: one line saying so.
    run_fresh(
        &net,
        fresh.path(),
        None,
        &["rewards", "show", "--address", &alice_arg],
    )
    .failure(&["accepted no epoch yet"]);

    let report = net.path("epochs/1/report.json");
    let uri = format!("file://{}", report.display());
    let root = accepted_epoch(&net, &uri).await;
    let tree = datanet_attribution::RewardTree::load(
        &std::fs::read(net.path("epochs/1/tree.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(tree.root(), root);
    let owed = tree.amount_of(alice).expect("alice has a leaf");
    assert!(owed > U256::ZERO);

    // Show, without a wallet.
    let shown = run_fresh(
        &net,
        fresh.path(),
        None,
        &["rewards", "show", "--address", &alice_arg, "--json"],
    )
    .success()
    .json();
    assert_eq!(u256(&shown["cumulative"]), owed, "{shown}");
    assert_eq!(u256(&shown["claimable"]), owed, "{shown}");
    assert_eq!(b256(&shown["treeRoot"]), root, "{shown}");
    assert_eq!(shown["reportURI"], uri.as_str(), "{shown}");

    // A tampered report: one line naming the hash mismatch, no transaction.
    let original = std::fs::read(&report).unwrap();
    let mut tampered = original.clone();
    tampered.extend_from_slice(b"\n");
    std::fs::write(&report, &tampered).unwrap();
    let before = net.snapshot().await;
    let line = run_fresh(
        &net,
        fresh.path(),
        Some(OUTSIDER),
        &["rewards", "claim", "--address", &alice_arg],
    )
    .failure(&["epoch 1", "keccak256", "the chain says"]);
    assert!(line.contains(&uri), "{line}");
    assert_eq!(net.snapshot().await, before, "a refused claim mined");
    run_fresh(
        &net,
        fresh.path(),
        None,
        &["impact", "--address", &alice_arg, "--json"],
    )
    .failure(&["epoch 1", "keccak256", "the chain says"]);

    // The genuine report: an outsider claims for Alice, without --tree.
    std::fs::write(&report, &original).unwrap();
    let balance = net.balance(alice).await;
    let claimed = run_fresh(
        &net,
        fresh.path(),
        Some(OUTSIDER),
        &["rewards", "claim", "--address", &alice_arg, "--json"],
    )
    .success()
    .json();
    assert_eq!(u256(&claimed["amount"]), owed, "{claimed}");
    assert_eq!(u256(&claimed["received"]), owed, "{claimed}");
    assert_eq!(claimed["reportURI"], uri.as_str(), "{claimed}");
    assert_eq!(net.balance(alice).await, balance + owed);

    // `impact` from the published reports: the same numbers as from the local epoch folders.
    let args = ["impact", "--address", &alice_arg, "--json"];
    let published = run_fresh(&net, fresh.path(), None, &args).success().json();
    let epochs = published["epochs"].as_array().unwrap();
    assert_eq!(epochs.len(), 1, "{published}");
    assert_eq!(epochs[0]["onChain"], "verified", "{published}");
    assert_eq!(u256(&epochs[0]["cumulative"]), owed, "{published}");
    assert_eq!(u256(&published["claimed"]), owed, "{published}");
    let local = net
        .run(&[
            "impact",
            "--address",
            &alice_arg,
            "--epochs",
            "epochs",
            "--json",
        ])
        .success()
        .json();
    assert_eq!(published, local);

    // `--tree` still works: nothing left to claim.
    net.run_as(
        OUTSIDER,
        &[
            "rewards",
            "claim",
            "--tree",
            "epochs/1",
            "--address",
            &alice_arg,
        ],
    )
    .failure(&["nothing new to claim"]);
}
