//! `datanet contribute` (commit → wait → reveal) killed at every point — before its commits, after
//! its commits, in the middle of its reveals, and at a random moment — then re-run with no local
//! state: every file ends up registered exactly once, no commitment is made twice, and exactly one
//! bond per file is held.
//!
//! The deterministic tests switch anvil's automine off, so the test decides what is mined before the
//! process is killed; the last one kills a process on an automining chain.

mod common;

use alloy::primitives::{Address, B256, U256};
use common::{quantity, tokens, Devnet};
use datanet_bindings::DatanetRegistry::{Committed, Contributed};
use datanet_client::{files, session::Status, Session};
use serde_json::json;
use std::{
    collections::HashSet,
    process::{Child, Stdio},
    time::{Duration, Instant},
};

const FILES: usize = 60;
const BATCH: &str = "20";
const BATCHES: usize = 3;

/// Spawns `datanet contribute DATANET data --batch-size 20` as account 1.
fn spawn_contribute(net: &Devnet, datanet: u64) -> Child {
    net.command()
        .args([
            "contribute",
            &datanet.to_string(),
            "data",
            "--batch-size",
            BATCH,
            "--json",
        ])
        .args(["--rpc-url", &net.url(), "--private-key", &net.key(1)])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("datanet starts")
}

/// Waits until anvil's pool holds at least `n` transactions; fails if `child` exits first.
async fn wait_for_pending(net: &Devnet, child: &mut Child, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status = net.rpc("txpool_status", ()).await;
        if quantity(&status["pending"]) >= n {
            return;
        }
        if let Some(exit) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
            panic!("contribute exited ({exit}) before sending {n} transactions: {stderr}");
        }
        assert!(
            Instant::now() < deadline,
            "no {n} pending transactions in time"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Pending transactions of `sender` in anvil's pool, by nonce: (nonce, hash).
async fn pending_of(net: &Devnet, sender: Address) -> Vec<(u64, B256)> {
    let content = net.rpc("txpool_content", ()).await;
    let mut out = Vec::new();
    for (from, by_nonce) in content["pending"].as_object().unwrap() {
        if from.parse::<Address>().unwrap() != sender {
            continue;
        }
        for (nonce, tx) in by_nonce.as_object().unwrap() {
            out.push((nonce.parse().unwrap(), common::b256(&tx["hash"])));
        }
    }
    out.sort();
    out
}

/// Files of `data/` registered by account 1: (pending count, registry balance, contributor balance).
async fn tally(net: &Devnet, datanet: u64) -> (usize, U256, U256) {
    let session = net.session(0).await;
    let data = files::collect(&[net.path("data")]).unwrap();
    let ids: Vec<B256> = data
        .iter()
        .map(|f| Session::contribution_id(datanet, f.content_hash))
        .collect();
    let records = session.contributions(&ids).await.unwrap();
    let registered = records
        .iter()
        .filter(|r| r.status == Status::Pending && r.contributor == net.address(1))
        .count();
    let registry = session
        .balance(session.deployment.datanet_registry)
        .await
        .unwrap();
    let contributor = session.balance(net.address(1)).await.unwrap();
    (registered, registry, contributor)
}

/// One `Contributed` event per file, one `Committed` event per batch (nothing committed twice),
/// every file pending under account 1, and exactly one bond per file held by the registry.
async fn assert_each_file_once(net: &Devnet, datanet: u64, bond: U256, funded: U256) {
    let session = net.session(0).await;
    let latest = session.client.latest_block().await.unwrap();
    let registry = alloy::rpc::types::Filter::new().address(session.deployment.datanet_registry);
    let contributed = session
        .client
        .events::<Contributed>(registry.clone(), 0, latest)
        .await
        .unwrap();
    assert_eq!(contributed.len(), FILES, "one Contributed event per file");
    let hashes: HashSet<B256> = contributed.iter().map(|(e, _)| e.contentHash).collect();
    assert_eq!(hashes.len(), FILES, "no content hash registered twice");
    let committed = session
        .client
        .events::<Committed>(registry, 0, latest)
        .await
        .unwrap();
    assert_eq!(
        committed.len(),
        BATCHES,
        "one commitment per batch, none made twice"
    );
    let (registered, held, contributor) = tally(net, datanet).await;
    assert_eq!(registered, FILES);
    assert_eq!(held, bond * U256::from(FILES), "one bond per contribution");
    assert_eq!(contributor, funded - bond * U256::from(FILES));
}

/// A datanet with a 1-token bond, account 1 funded, 60 files in `data/`, automine off.
async fn prepare(automine: bool) -> (Devnet, u64, U256, U256) {
    let net = Devnet::start();
    let bond = tokens("1");
    let funded = tokens("1000");
    let datanet = net.create_datanet(0, "1", "7d");
    net.fund(1, funded).await;
    net.write_files("data", FILES);
    if !automine {
        net.rpc("evm_setAutomine", (false,)).await;
    }
    (net, datanet, bond, funded)
}

/// Re-runs `contribute` to completion and returns its report.
fn rerun(net: &Devnet, datanet: u64) -> serde_json::Value {
    net.run_as(
        1,
        &[
            "contribute",
            &datanet.to_string(),
            "data",
            "--batch-size",
            BATCH,
            "--json",
        ],
    )
    .success()
    .json()
}

fn count(report: &serde_json::Value, outcome: &str) -> usize {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == json!(outcome))
        .count()
}

#[tokio::test]
async fn killed_before_its_commits_the_rerun_commits_and_reveals_everything() {
    let (net, datanet, bond, funded) = prepare(false).await;
    let mut child = spawn_contribute(&net, datanet);
    wait_for_pending(&net, &mut child, 1).await; // the bond approval
    child.kill().unwrap();
    child.wait().unwrap();
    net.rpc("evm_mine", ()).await;
    net.rpc("evm_setAutomine", (true,)).await;
    assert_eq!(tally(&net, datanet).await.0, 0, "nothing registered yet");

    let report = rerun(&net, datanet);
    assert_eq!(count(&report, "registered"), FILES);
    assert_eq!(report["committed"], BATCHES);
    assert_eq!(report["revealed"], BATCHES);
    assert_each_file_once(&net, datanet, bond, funded).await;
}

#[tokio::test]
async fn killed_after_its_commits_the_rerun_finds_them_and_only_reveals() {
    let (net, datanet, bond, funded) = prepare(false).await;
    let mut child = spawn_contribute(&net, datanet);
    wait_for_pending(&net, &mut child, 1).await;
    net.rpc("evm_mine", ()).await; // the approval
    wait_for_pending(&net, &mut child, BATCHES as u64).await;
    net.rpc("evm_mine", ()).await; // the three commits
    child.kill().unwrap();
    child.wait().unwrap();
    net.rpc("evm_setAutomine", (true,)).await;
    let (registered, held, _) = tally(&net, datanet).await;
    assert_eq!(
        (registered, held),
        (0, U256::ZERO),
        "a commitment holds no bond"
    );

    let report = rerun(&net, datanet);
    assert_eq!(count(&report, "registered"), FILES);
    assert_eq!(
        report["committed"], 0,
        "the commitments were found, not made again"
    );
    assert_eq!(report["revealed"], BATCHES);
    assert_each_file_once(&net, datanet, bond, funded).await;
}

#[tokio::test]
async fn killed_in_the_middle_of_its_reveals_the_rerun_reveals_the_rest() {
    let (net, datanet, bond, funded) = prepare(false).await;
    let mut child = spawn_contribute(&net, datanet);
    wait_for_pending(&net, &mut child, 1).await;
    net.rpc("evm_mine", ()).await;
    wait_for_pending(&net, &mut child, BATCHES as u64).await;
    net.rpc("evm_mine", ()).await;
    wait_for_pending(&net, &mut child, BATCHES as u64).await; // the reveals
    child.kill().unwrap();
    child.wait().unwrap();
    // Only the first reveal makes it; the others die with the process.
    let pending = pending_of(&net, net.address(1)).await;
    assert_eq!(pending.len(), BATCHES, "{pending:?}");
    for (_, hash) in &pending[1..] {
        net.rpc("anvil_dropTransaction", (hash,)).await;
    }
    net.rpc("evm_mine", ()).await;
    net.rpc("evm_setAutomine", (true,)).await;
    let (registered, held, _) = tally(&net, datanet).await;
    assert_eq!(registered, 20, "one batch revealed before the kill");
    assert_eq!(held, bond * U256::from(20));

    let report = rerun(&net, datanet);
    assert_eq!(count(&report, "skipped: already pending"), 20);
    assert_eq!(count(&report, "registered"), FILES - 20);
    assert_eq!(
        report["committed"], 0,
        "the two unrevealed commitments were found"
    );
    assert_eq!(report["revealed"], 2);
    assert_each_file_once(&net, datanet, bond, funded).await;
}

#[tokio::test]
async fn killed_at_a_random_moment_on_an_automining_chain_the_rerun_completes() {
    let (net, datanet, bond, funded) = prepare(true).await;
    let mut child = spawn_contribute(&net, datanet);
    // Kill as soon as the first contribution is on chain (or the run ends).
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (registered, _, _) = tally(&net, datanet).await;
        if registered > 0 || child.try_wait().unwrap().is_some() {
            child.kill().ok();
            child.wait().unwrap();
            break;
        }
        assert!(Instant::now() < deadline, "no contribution landed in time");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let (after_kill, held, _) = tally(&net, datanet).await;
    assert_eq!(
        after_kill % 20,
        0,
        "reveals are whole batches: {after_kill}"
    );
    assert_eq!(held, bond * U256::from(after_kill));
    println!("killed with {after_kill} of {FILES} files registered");

    rerun(&net, datanet);
    assert_each_file_once(&net, datanet, bond, funded).await;
}
