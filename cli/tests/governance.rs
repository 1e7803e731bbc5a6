//! The v2 operations through the `datanet` binary: idempotent payments naming where outputs are
//! published, the guardian's veto (which sticks) and bounded pause, guardian and attestor rotation,
//! retiring contributions, moving a model's data cutoff, withdrawing the owner share, and gasless
//! reveals signed by the contributor and relayed by anyone.

mod common;

use alloy::primitives::{Address, U256};
use common::{address, b256, tokens, u256, Devnet};
use datanet_attribution::RewardTree;
use datanet_bindings::{AttributionPool::OutputsPublished, DatanetRegistry::Contributed};
use datanet_client::{
    epoch::{EpochFile, SignedEpoch},
    session::Status,
};

/// Datanet 1 (no bond), model 1 on it owned by account 2, account 3 funded to pay.
async fn with_model(net: &Devnet) {
    net.create_datanet(0, "0", "7d");
    net.run_as(
        2,
        &["model", "register", "--metadata-uri", "m", "--datanet", "1"],
    )
    .success();
    net.fund(3, tokens("1000")).await;
}

fn write_outputs(net: &Devnet, name: &str, outputs: &[&str]) {
    let log: String = outputs
        .iter()
        .map(|o| format!("{}\n", serde_json::json!({"output": o, "amount": "2"})))
        .collect();
    std::fs::write(net.path(name), log).unwrap();
}

#[tokio::test]
async fn pay_skips_outputs_already_paid_for_unless_asked_and_names_where_they_are_published() {
    let net = Devnet::start();
    with_model(&net).await;
    write_outputs(
        &net,
        "log.jsonl",
        &["first output", "second output", "third output"],
    );
    let paid = net
        .run_as(
            3,
            &[
                "pay",
                "1",
                "log.jsonl",
                "--outputs-uri",
                "https://app.example/outputs/1.jsonl",
                "--json",
            ],
        )
        .success()
        .json();
    assert_eq!(paid["paid"], 3);
    assert_eq!(net.balance(net.address(3)).await, tokens("994"));

    // A re-run (after a crash, say) pays nothing again.
    let again = net
        .run_as(3, &["pay", "1", "log.jsonl", "--json"])
        .success()
        .json();
    assert_eq!(
        (again["paid"].clone(), again["skipped"].clone()),
        (0.into(), 3.into())
    );
    assert_eq!(net.balance(net.address(3)).await, tokens("994"));
    // One new line: only it is paid.
    write_outputs(
        &net,
        "log.jsonl",
        &[
            "first output",
            "second output",
            "third output",
            "fourth output",
        ],
    );
    let text = net.run_as(3, &["pay", "1", "log.jsonl"]).success().stdout;
    assert!(text.contains("for 1 output(s)"), "{text}");
    assert!(text.contains("skipped 3 output(s) already paid"), "{text}");
    // On purpose, everything again.
    let forced = net
        .run_as(3, &["pay", "1", "log.jsonl", "--pay-again", "--json"])
        .success()
        .json();
    assert_eq!(forced["paid"], 4);
    assert_eq!(net.balance(net.address(3)).await, tokens("984"));

    let session = net.session(0).await;
    let latest = session.client.latest_block().await.unwrap();
    let published = session
        .client
        .events::<OutputsPublished>(
            alloy::rpc::types::Filter::new().address(session.deployment.attribution_pool),
            0,
            latest,
        )
        .await
        .unwrap();
    assert_eq!(published.len(), 1, "only the first run named a URI");
    assert_eq!(
        published[0].0.outputsURI,
        "https://app.example/outputs/1.jsonl"
    );
    assert_eq!(published[0].0.payer, net.address(3));
}

/// Proposes an epoch granting account 1 `amount`, signed by the deployer (sole attestor), through
/// the library; returns its file.
async fn propose(net: &Devnet, amount: U256) -> EpochFile {
    let session = net.session(0).await;
    let tree = RewardTree::of(vec![(net.address(1), amount)]).unwrap();
    let mut file = EpochFile {
        signed: SignedEpoch {
            epoch: 1,
            nonce: session.proposal_nonce().await.unwrap(),
            rewardsRoot: tree.root(),
            totalAllocated: amount,
            reportHash: alloy::primitives::keccak256("report"),
            reportURI: "ipfs://report".into(),
        },
        chain_id: net.chain_id(),
        pool: session.deployment.attribution_pool,
        from_block: 0,
        to_block: 0,
        min_span: 8,
        signatures: vec![],
    };
    file.signatures
        .push(datanet_client::epoch::sign_digest(&net.signer(0), file.digest()).unwrap());
    session.propose_epoch(&file, &[]).await.unwrap();
    file
}

#[tokio::test]
async fn a_veto_sticks_a_pause_is_bounded_and_guardian_and_attestors_rotate() {
    let net = Devnet::start();
    with_model(&net).await;
    write_outputs(&net, "log.jsonl", &["an output"]);
    net.run_as(3, &["pay", "1", "log.jsonl"]).success();

    // Veto: the vetoed proposal can never be proposed again, by anyone.
    let file = propose(&net, tokens("1")).await;
    net.run_as(7, &["epoch", "veto"])
        .failure(&["vetoEpoch reverted", "NotGuardian"]);
    let vetoed = net.run_as(0, &["epoch", "veto", "--json"]).success().json();
    assert_eq!(vetoed["epoch"], 1);
    let replay = net.session(7).await.propose_epoch(&file, &[]).await;
    let replay = replay
        .expect_err("a vetoed epoch was proposed again")
        .to_string();
    assert!(replay.contains("StaleNonce"), "{replay}");
    let shown = net.run(&["pool", "show", "--json"]).success().json();
    assert_eq!(shown["proposalNonce"], 1);
    assert!(shown["pendingEpoch"].is_null(), "{shown}");

    // Pause: payments stop; unpause; a second pause waits for the cooldown.
    let paused = net.run_as(0, &["pool", "pause", "--json"]).success().json();
    assert!(paused["pausedUntil"].as_u64().unwrap() > 0);
    net.run_as(3, &["pay", "1", "log.jsonl", "--pay-again"])
        .failure(&["reverted", "PoolPaused"]);
    net.run_as(0, &["pool", "unpause"]).success();
    net.run_as(3, &["pay", "1", "log.jsonl", "--pay-again"])
        .success();
    net.run_as(0, &["pool", "pause"])
        .failure(&["pause reverted", "PauseCooldown"]);

    // Guardian: the owner proposes, anyone accepts after the challenge period (1 day).
    let new_guardian = net.address(5);
    net.run_as(
        0,
        &[
            "guardian",
            "propose",
            "--address",
            &new_guardian.to_string(),
        ],
    )
    .success();
    net.run_as(7, &["guardian", "accept"])
        .failure(&["acceptGuardian reverted"]);
    net.increase_time(86_401).await;
    let accepted = net
        .run_as(7, &["guardian", "accept", "--json"])
        .success()
        .json();
    assert_eq!(address(&accepted["guardian"]), new_guardian);
    let shown = net.run(&["pool", "show", "--json"]).success().json();
    assert_eq!(address(&shown["guardian"]), new_guardian);

    // Attestors: a proposal the new guardian cancels, then one the owner accepts after the delay;
    // the proposal nonce advances, so signatures of the outgoing set stop counting.
    let (a4, a5) = (net.address(4).to_string(), net.address(5).to_string());
    let propose_set = [
        "attestors",
        "propose",
        "--attestor",
        &a4,
        "--attestor",
        &a5,
        "--threshold",
        "2",
    ];
    net.run_as(0, &propose_set).success();
    net.run_as(0, &["attestors", "cancel"])
        .failure(&["cancelAttestors reverted", "NotGuardian"]);
    net.run_as(5, &["attestors", "cancel"]).success();
    net.run_as(0, &propose_set).success();
    net.run_as(0, &["attestors", "accept"])
        .failure(&["acceptAttestors reverted"]);
    net.increase_time(86_401).await;
    net.run_as(0, &["attestors", "accept"]).success();
    let shown = net.run(&["pool", "show", "--json"]).success().json();
    let attestors: Vec<Address> = shown["attestors"]
        .as_array()
        .unwrap()
        .iter()
        .map(address)
        .collect();
    assert_eq!(attestors, vec![net.address(4), net.address(5)]);
    assert_eq!(shown["threshold"], 2);
    assert_eq!(shown["proposalNonce"], 2);
}

#[tokio::test]
async fn retire_cutoff_and_owner_withdrawal() {
    let net = Devnet::start();
    with_model(&net).await;
    std::fs::write(net.path("note.txt"), "a contributed note").unwrap();
    let out = net
        .run_as(1, &["contribute", "1", "note.txt", "--json"])
        .success()
        .json();
    let id = b256(&out["files"][0]["contributionId"]);
    net.run_as(0, &["review", &id.to_string(), "--accept"])
        .success();
    net.run_as(2, &["retire", &id.to_string()])
        .failure(&["retire reverted", "NotContributor"]);
    net.run_as(1, &["retire", &id.to_string()]).success();
    let record = &net.session(0).await.contributions(&[id]).await.unwrap()[0];
    assert_eq!(record.status, Status::Retired);

    // The data cutoff only moves forward, and only by the model's owner.
    let moved = net
        .run_as(2, &["model", "cutoff", "1", "--json"])
        .success()
        .json();
    let block = moved["cutoffBlock"].as_u64().unwrap();
    net.run_as(3, &["model", "cutoff", "1"])
        .failure(&["setDataCutoff reverted", "NotModelOwner"]);
    net.run_as(2, &["model", "cutoff", "1", "--block", &block.to_string()])
        .failure(&["setDataCutoff reverted", "CutoffNotForward"]);

    // The owner share credited by a payment is withdrawn once.
    write_outputs(&net, "log.jsonl", &["an output"]);
    net.run_as(3, &["pay", "1", "log.jsonl"]).success();
    let credit = net
        .session(0)
        .await
        .owner_credit(net.address(2))
        .await
        .unwrap();
    assert!(credit > U256::ZERO);
    let withdrawn = net
        .run_as(2, &["model", "withdraw-share", "--json"])
        .success()
        .json();
    assert_eq!(u256(&withdrawn["amount"]), credit);
    assert_eq!(net.balance(net.address(2)).await, credit);
    net.run_as(2, &["model", "withdraw-share"])
        .failure(&["withdrawOwnerShare reverted", "NothingToWithdraw"]);
}

#[tokio::test]
async fn gasless_reveals_are_signed_by_the_contributor_and_relayed_by_anyone() {
    let net = Devnet::start();
    net.create_datanet(0, "0", "7d");
    net.write_files("data", 5);
    let before = net.snapshot().await;
    let signed = net
        .run_as(
            1,
            &[
                "reveal",
                "sign",
                "1",
                "data",
                "--out",
                "reveals.json",
                "--batch-size",
                "2",
                "--uri-prefix",
                "https://alice.example/",
                "--json",
            ],
        )
        .success()
        .json();
    assert_eq!(signed["batches"], 3);
    assert_eq!(net.snapshot().await, before, "signing sends nothing");

    // A relayer that changes a URI is refused by the contributor's signature.
    let text = std::fs::read_to_string(net.path("reveals.json")).unwrap();
    std::fs::write(
        net.path("tampered.json"),
        text.replacen("https://alice.example/", "https://mallory.example/", 1),
    )
    .unwrap();
    net.run_as(2, &["reveal", "relay", "tampered.json"])
        .failure(&["revealWithSig reverted", "InvalidSignature"]);

    let relayed = net
        .run_as(2, &["reveal", "relay", "reveals.json", "--json"])
        .success()
        .json();
    assert_eq!(relayed["revealed"], 3);
    let session = net.session(0).await;
    let latest = session.client.latest_block().await.unwrap();
    let events = session
        .client
        .events::<Contributed>(
            alloy::rpc::types::Filter::new().address(session.deployment.datanet_registry),
            0,
            latest,
        )
        .await
        .unwrap();
    assert_eq!(events.len(), 5);
    assert!(events.iter().all(
        |(e, _)| e.contributor == net.address(1) && e.uri.starts_with("https://alice.example/")
    ));
    // Relaying again finds every nonce used: nothing is sent.
    let again = net
        .run_as(2, &["reveal", "relay", "reveals.json", "--json"])
        .success()
        .json();
    assert_eq!(
        (again["revealed"].clone(), again["alreadyRevealed"].clone()),
        (0.into(), 3.into())
    );
}
