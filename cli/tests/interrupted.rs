//! `datanet contribute` killed part-way, then re-run: every file ends up registered exactly once and
//! no bond is lost.

mod common;

use alloy::primitives::{Address, B256, U256};
use common::{b256, tokens, Devnet};
use datanet_client::{files, session::Status, Session};
use serde_json::{json, Value};
use std::{
    collections::HashSet,
    process::{Child, Stdio},
    time::{Duration, Instant},
};

const FILES: usize = 300;
const BATCH: &str = "20";

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

fn quantity(value: &Value) -> u64 {
    match value {
        Value::String(hex) => u64::from_str_radix(hex.trim_start_matches("0x"), 16).unwrap(),
        other => other.as_u64().expect("a quantity"),
    }
}

/// Waits until anvil's mempool holds at least `n` transactions; fails if `child` exits first.
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

/// Pending transactions of `sender` in anvil's mempool, by nonce: (nonce, hash).
async fn pending_of(net: &Devnet, sender: Address) -> Vec<(u64, B256)> {
    let content = net.rpc("txpool_content", ()).await;
    let mut out = Vec::new();
    for (from, by_nonce) in content["pending"].as_object().unwrap() {
        if from.parse::<Address>().unwrap() != sender {
            continue;
        }
        for (nonce, tx) in by_nonce.as_object().unwrap() {
            out.push((nonce.parse().unwrap(), b256(&tx["hash"])));
        }
    }
    out.sort();
    out
}

/// What the chain holds for the 300 files: (registered by account 1, registry balance, contributor balance).
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

/// Exactly one `Contributed` event per file, all 300 pending, and the bonds all held by the registry.
async fn assert_each_file_once(net: &Devnet, datanet: u64, bond: U256, funded: U256) {
    let session = net.session(0).await;
    let events = session
        .registry()
        .Contributed_filter()
        .from_block(0)
        .query()
        .await
        .unwrap();
    assert_eq!(events.len(), FILES, "one Contributed event per file");
    let hashes: HashSet<B256> = events.iter().map(|(e, _)| e.contentHash).collect();
    assert_eq!(hashes.len(), FILES, "no content hash registered twice");
    let (registered, registry, contributor) = tally(net, datanet).await;
    assert_eq!(registered, FILES);
    let held = bond * U256::from(FILES);
    assert_eq!(
        registry, held,
        "the registry holds one bond per pending contribution"
    );
    assert_eq!(
        contributor,
        funded - held,
        "the contributor paid exactly those bonds"
    );
}

/// Deterministic interruption: anvil mines only on demand; the contributor's process is killed while
/// its batches wait in the mempool, and all but the first three are dropped, as if the process had
/// died before sending them. The re-run must send exactly the 240 missing files.
#[tokio::test]
async fn contribute_killed_after_three_batches_completes_on_rerun() {
    let net = Devnet::start();
    let bond = tokens("1");
    let funded = tokens("1000");
    let datanet = net.create_datanet(0, "1", "7d");
    net.fund(1, funded).await;
    net.write_files("data", FILES);

    net.rpc("evm_setAutomine", (false,)).await;
    let mut child = spawn_contribute(&net, datanet);
    wait_for_pending(&net, &mut child, 1).await; // the bond approval
    net.rpc("evm_mine", ()).await;
    wait_for_pending(&net, &mut child, 5).await; // five or more batches sent
    child.kill().unwrap();
    child.wait().unwrap();

    let pending = pending_of(&net, net.address(1)).await;
    assert!(pending.len() >= 5, "{pending:?}");
    for (_, hash) in &pending[3..] {
        net.rpc("anvil_dropTransaction", (hash,)).await;
    }
    net.rpc("evm_mine", ()).await;
    net.rpc("evm_setAutomine", (true,)).await;
    assert!(pending_of(&net, net.address(1)).await.is_empty());

    let (registered, registry, contributor) = tally(&net, datanet).await;
    assert_eq!(
        registered, 60,
        "three batches of twenty landed before the crash"
    );
    assert_eq!(registry, bond * U256::from(60));
    assert_eq!(contributor, funded - bond * U256::from(60));

    let rerun = net
        .run_as(
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
        .json();
    let outcomes = rerun.as_array().unwrap();
    assert_eq!(outcomes.len(), FILES);
    let skipped = outcomes
        .iter()
        .filter(|o| o["outcome"] == json!("skipped: already pending"))
        .count();
    let sent = outcomes
        .iter()
        .filter(|o| o["outcome"] == json!("registered"))
        .count();
    assert_eq!((skipped, sent), (60, 240));
    assert_each_file_once(&net, datanet, bond, funded).await;
}

/// Real-time interruption: the process is killed as soon as its first batch is on chain (anvil mining
/// every transaction at once), then re-run.
#[tokio::test]
async fn contribute_killed_while_sending_completes_on_rerun() {
    let net = Devnet::start();
    let bond = tokens("1");
    let funded = tokens("1000");
    let datanet = net.create_datanet(0, "1", "7d");
    net.fund(1, funded).await;
    net.write_files("data", FILES);

    let mut child = spawn_contribute(&net, datanet);
    let deadline = Instant::now() + Duration::from_secs(120);
    let at_kill = loop {
        let (registered, _, _) = tally(&net, datanet).await;
        if registered > 0 || child.try_wait().unwrap().is_some() {
            child.kill().ok();
            child.wait().unwrap();
            break registered;
        }
        assert!(Instant::now() < deadline, "no contribution landed in time");
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    let (after_kill, registry, contributor) = tally(&net, datanet).await;
    assert!(
        after_kill >= at_kill && after_kill % 20 == 0,
        "{after_kill}"
    );
    assert_eq!(registry, bond * U256::from(after_kill));
    assert_eq!(contributor, funded - bond * U256::from(after_kill));
    println!("killed with {after_kill} of {FILES} files registered");

    net.run_as(
        1,
        &[
            "contribute",
            &datanet.to_string(),
            "data",
            "--batch-size",
            BATCH,
        ],
    )
    .success();
    assert_each_file_once(&net, datanet, bond, funded).await;
}

/// The killed run's batches are still in the mempool when the re-run starts (a slow chain): anvil
/// estimates gas against the pending block, so the re-run's first batch already collides with them
/// and it stops with a decoded `DuplicateContribution` before sending anything. Once those batches
/// are mined, a re-run sends exactly the rest.
#[tokio::test]
async fn rerun_while_killed_batches_are_still_pending_sends_nothing_until_they_land() {
    let net = Devnet::start();
    let bond = tokens("1");
    let funded = tokens("1000");
    let datanet = net.create_datanet(0, "1", "7d");
    net.fund(1, funded).await;
    net.write_files("data", FILES);

    net.rpc("evm_setAutomine", (false,)).await;
    let mut child = spawn_contribute(&net, datanet);
    wait_for_pending(&net, &mut child, 1).await;
    net.rpc("evm_mine", ()).await;
    wait_for_pending(&net, &mut child, 5).await;
    child.kill().unwrap();
    child.wait().unwrap();
    let left = pending_of(&net, net.address(1)).await;

    let before = net.snapshot().await;
    net.run_as(
        1,
        &[
            "contribute",
            &datanet.to_string(),
            "data",
            "--batch-size",
            BATCH,
        ],
    )
    .failure(&["contributeBatch reverted", "DuplicateContribution"]);
    assert_eq!(net.snapshot().await, before);
    assert_eq!(
        pending_of(&net, net.address(1)).await,
        left,
        "the re-run sent nothing"
    );

    net.rpc("evm_mine", ()).await;
    net.rpc("evm_setAutomine", (true,)).await;
    let rerun = net
        .run_as(
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
        .json();
    let sent = rerun
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["outcome"] == json!("registered"))
        .count();
    assert_eq!(sent, FILES - 20 * left.len());
    assert_each_file_once(&net, datanet, bond, funded).await;
}
