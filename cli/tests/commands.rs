//! Every `datanet` command's happy path, against a fresh anvil per test.

mod common;

use alloy::{
    primitives::{keccak256, Address, Bytes, U256},
    signers::Signer,
};
use common::{address, b256, tokens, u256, Devnet};
use datanet_attribution::RewardTree;
use datanet_client::{session::Status, Session};
use serde_json::Value;

#[tokio::test]
async fn deploy_writes_a_deployment_file_whose_contracts_have_code() {
    let net = Devnet::start();
    let deployment = net.deployment();
    assert_eq!(deployment.chain_id, net.chain_id());
    assert_eq!(deployment.deployer, net.address(0));
    assert_eq!(deployment.settings.attestors, vec![net.address(0)]);
    assert_eq!(deployment.settings.threshold, 1);
    assert_eq!(deployment.settings.challenge_period, 86_400);
    assert_eq!(deployment.registry.min_commitment_age, 1);
    assert_eq!(deployment.transactions.len(), 4);
    let session = net.session(0).await;
    session.client.check_deployment(&deployment).await.unwrap();
    assert_eq!(
        session.balance(net.address(0)).await.unwrap(),
        tokens("1000000000")
    );

    // A second deployment elsewhere, with options, as JSON.
    let out = net
        .run_as(
            1,
            &[
                "deploy",
                "--out",
                "other",
                "--challenge-period",
                "2h",
                "--protocol-fee-bps",
                "100",
                "--token-supply",
                "5",
                "--json",
            ],
        )
        .success()
        .json();
    assert_eq!(out["chainId"], net.chain_id());
    assert_eq!(address(&out["deployer"]), net.address(1));
    assert_eq!(out["settings"]["challengePeriod"], 7_200);
    assert_eq!(out["registry"]["minCommitmentAge"], 60);
    assert_eq!(out["registry"]["maxCommitmentAge"], 86_400);
    assert_eq!(out["settings"]["protocolFeeBps"], 100);
    let written: Value = serde_json::from_str(
        &std::fs::read_to_string(net.path(&format!("other/{}.json", net.chain_id()))).unwrap(),
    )
    .unwrap();
    assert_eq!(written, out);
    assert_ne!(
        address(&out["attributionPool"]),
        deployment.attribution_pool
    );
}

#[tokio::test]
async fn create_returns_the_id_and_show_reads_the_datanet_back() {
    let net = Devnet::start();
    let out = net
        .run_as(
            1,
            &[
                "datanet",
                "create",
                "--metadata-uri",
                "ipfs://medical-notes",
                "--bond",
                "2.5",
                "--review-period",
                "12h",
                "--json",
            ],
        )
        .success()
        .json();
    assert_eq!(out["datanetId"], 1);
    assert_eq!(address(&out["owner"]), net.address(1));
    assert_eq!(u256(&out["bond"]), tokens("2.5"));
    assert_eq!(out["reviewPeriod"], 43_200);
    assert_eq!(net.create_datanet(2, "0", "7d"), 2);
    assert_eq!(net.datanet_count().await, 2);

    let shown = net
        .run(&["datanet", "show", "1", "--json"])
        .success()
        .json();
    assert_eq!(shown["datanetId"], 1);
    assert_eq!(address(&shown["owner"]), net.address(1));
    assert_eq!(u256(&shown["bond"]), tokens("2.5"));
    assert_eq!(shown["reviewPeriod"], 43_200);
    assert_eq!(shown["metadataUri"], "ipfs://medical-notes");
    assert_eq!(shown["curators"], serde_json::json!([]));

    let text = net.run(&["datanet", "show", "1"]).success().stdout;
    assert!(text.contains("ipfs://medical-notes"), "{text}");
    assert!(text.contains("2.5 DATA"), "{text}");
    assert!(text.contains("the owner reviews"), "{text}");
}

#[tokio::test]
async fn curator_add_and_remove_change_who_may_review() {
    let net = Devnet::start();
    let id = net.create_datanet(1, "0", "7d");
    let registry = net.session(0).await.registry();
    for curator in [2, 3] {
        let out = net
            .run_as(
                1,
                &[
                    "datanet",
                    "curator",
                    "add",
                    &id.to_string(),
                    &net.address(curator).to_string(),
                    "--json",
                ],
            )
            .success()
            .json();
        assert_eq!(out["enabled"], true);
    }
    let shown = net
        .run(&["datanet", "show", &id.to_string(), "--json"])
        .success()
        .json();
    let curators: Vec<Address> = shown["curators"]
        .as_array()
        .unwrap()
        .iter()
        .map(address)
        .collect();
    assert_eq!(curators, vec![net.address(2), net.address(3)]);

    let text = net
        .run_as(
            1,
            &[
                "datanet",
                "curator",
                "remove",
                &id.to_string(),
                &net.address(2).to_string(),
            ],
        )
        .success()
        .stdout;
    assert!(text.contains("no longer curates"), "{text}");
    let shown = net
        .run(&["datanet", "show", &id.to_string(), "--json"])
        .success()
        .json();
    assert_eq!(shown["curators"].as_array().unwrap().len(), 1);
    assert_eq!(address(&shown["curators"][0]), net.address(3));
    assert!(!registry
        .isCurator(U256::from(id), net.address(2))
        .call()
        .await
        .unwrap());
    assert!(registry
        .isCurator(U256::from(id), net.address(3))
        .call()
        .await
        .unwrap());
}

#[tokio::test]
async fn contribute_registers_files_and_folders_and_a_rerun_skips_them_all() {
    let net = Devnet::start();
    let id = net.create_datanet(0, "1", "7d");
    net.fund(1, tokens("100")).await;
    net.write_files("data", 5);
    std::fs::create_dir_all(net.path("data/nested")).unwrap();
    std::fs::write(net.path("data/nested/deep.txt"), "a nested file").unwrap();
    std::fs::write(net.path("data/.hidden"), "hidden files are skipped").unwrap();
    std::fs::write(net.path("extra.txt"), "one more file").unwrap();
    let registry_address = net.deployment().datanet_registry;

    let out = net
        .run_as(
            1,
            &[
                "contribute",
                &id.to_string(),
                "extra.txt",
                "data",
                "--batch-size",
                "4",
                "--uri-prefix",
                "ipfs://bafy/",
                "--json",
            ],
        )
        .success()
        .json();
    let entries = out["files"].as_array().expect("an array of files");
    assert_eq!(entries.len(), 7);
    let mut ids = Vec::new();
    for entry in entries {
        let file = entry["file"].as_str().unwrap();
        let bytes = std::fs::read(net.path(file)).unwrap();
        let hash = b256(&entry["contentHash"]);
        assert_eq!(hash, keccak256(&bytes), "{file}");
        let contribution = b256(&entry["contributionId"]);
        assert_eq!(contribution, Session::contribution_id(id, hash));
        assert_eq!(entry["outcome"], "registered");
        ids.push(contribution);
    }
    assert!(entries
        .iter()
        .all(|e| !e["file"].as_str().unwrap().contains(".hidden")));

    let session = net.session(0).await;
    let records = session.contributions(&ids).await.unwrap();
    assert!(records.iter().all(|r| r.status == Status::Pending
        && r.contributor == net.address(1)
        && r.datanet_id == id));
    assert_eq!(net.balance(net.address(1)).await, tokens("93"));
    assert_eq!(net.balance(registry_address).await, tokens("7"));

    // Re-running sends nothing and takes no bond.
    let again = net
        .run_as(
            1,
            &["contribute", &id.to_string(), "extra.txt", "data", "--json"],
        )
        .success()
        .json();
    let again = again["files"].as_array().unwrap();
    assert_eq!(again.len(), 7);
    assert!(
        again
            .iter()
            .all(|e| e["outcome"] == "skipped: already pending"),
        "{again:?}"
    );
    assert_eq!(net.balance(net.address(1)).await, tokens("93"));
    assert_eq!(net.balance(registry_address).await, tokens("7"));

    // Human output: one new file, seven skipped.
    std::fs::write(net.path("data/new.txt"), "new data").unwrap();
    let text = net
        .run_as(1, &["contribute", &id.to_string(), "extra.txt", "data"])
        .success()
        .stdout;
    assert!(text.contains("1 registered, 7 skipped"), "{text}");
    assert_eq!(net.balance(net.address(1)).await, tokens("92"));
}

#[tokio::test]
async fn review_accept_returns_the_bond_and_reject_sends_it_to_the_treasury() {
    let net = Devnet::start();
    // Owner 2, curator 3, contributor 1; the deployer (0) is the treasury.
    let id = net.create_datanet(2, "10", "7d");
    net.run_as(
        2,
        &[
            "datanet",
            "curator",
            "add",
            &id.to_string(),
            &net.address(3).to_string(),
        ],
    )
    .success();
    net.fund(1, tokens("50")).await;
    std::fs::write(net.path("good.txt"), "good data").unwrap();
    std::fs::write(net.path("bad.txt"), "bad data").unwrap();
    let out = net
        .run_as(
            1,
            &[
                "contribute",
                &id.to_string(),
                "good.txt",
                "bad.txt",
                "--json",
            ],
        )
        .success()
        .json();
    let id_of = |name: &str| {
        let entry = out["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["file"].as_str().unwrap().ends_with(name))
            .unwrap();
        b256(&entry["contributionId"])
    };
    let (good, bad) = (id_of("good.txt"), id_of("bad.txt"));
    let treasury = net.address(0);
    let registry = net.deployment().datanet_registry;
    assert_eq!(net.balance(net.address(1)).await, tokens("30"));
    let treasury_before = net.balance(treasury).await;
    let curator_before = net.balance(net.address(3)).await;

    let accepted = net
        .run_as(3, &["review", &good.to_string(), "--accept", "--json"])
        .success()
        .json();
    assert_eq!(accepted["accepted"], true);
    assert_eq!(net.balance(net.address(1)).await, tokens("40"));
    assert_eq!(net.balance(registry).await, tokens("10"));

    let text = net
        .run_as(3, &["review", &bad.to_string(), "--reject"])
        .success()
        .stdout;
    assert!(text.contains("rejected 1 contribution"), "{text}");
    assert_eq!(net.balance(net.address(1)).await, tokens("40"));
    assert_eq!(net.balance(registry).await, U256::ZERO);
    assert_eq!(net.balance(treasury).await, treasury_before + tokens("10"));
    assert_eq!(net.balance(net.address(3)).await, curator_before);

    let records = net
        .session(0)
        .await
        .contributions(&[good, bad])
        .await
        .unwrap();
    assert_eq!(records[0].status, Status::Accepted);
    assert_eq!(records[1].status, Status::Rejected);
}

#[tokio::test]
async fn finalize_accepts_a_contribution_after_its_review_period() {
    let net = Devnet::start();
    let id = net.create_datanet(0, "3", "1h");
    net.fund(1, tokens("10")).await;
    std::fs::write(net.path("silent.txt"), "nobody reviews this").unwrap();
    let out = net
        .run_as(1, &["contribute", &id.to_string(), "silent.txt", "--json"])
        .success()
        .json();
    let contribution = b256(&out["files"][0]["contributionId"]);
    assert_eq!(net.balance(net.address(1)).await, tokens("7"));

    // The review period (1h) is over, but an earlier commitment to the same content could still be
    // revealed until the contribution's own commitment is a maximum age (1 day) old.
    net.increase_time(3_601).await;
    net.run_as(4, &["finalize", &contribution.to_string()])
        .failure(&["finalize reverted", "ReviewPeriodNotOver"]);
    net.increase_time(86_400).await;
    // Anyone may finalize: account 4 holds no tokens and is no curator.
    let done = net
        .run_as(4, &["finalize", &contribution.to_string(), "--json"])
        .success()
        .json();
    assert_eq!(b256(&done["contributionId"]), contribution);
    let record = &net
        .session(0)
        .await
        .contributions(&[contribution])
        .await
        .unwrap()[0];
    assert_eq!(record.status, Status::Accepted);
    assert_eq!(net.balance(net.address(1)).await, tokens("10"));
}

#[tokio::test]
async fn model_register_pay_and_balance_split_each_payment() {
    let net = Devnet::start();
    let datanet = net.create_datanet(0, "0", "7d");
    let model = net
        .run_as(
            2,
            &[
                "model",
                "register",
                "--metadata-uri",
                "ipfs://model",
                "--datanet",
                &datanet.to_string(),
                "--owner-share-bps",
                "2000",
                "--json",
            ],
        )
        .success()
        .json();
    assert_eq!(model["modelId"], 1);
    assert_eq!(model["datanetIds"], serde_json::json!([datanet]));
    net.fund(3, tokens("100")).await;
    let treasury_before = net.balance(net.address(0)).await;
    let pool = net.deployment().attribution_pool;

    let output = "The answer, generated by model one.";
    std::fs::write(net.path("answer.txt"), output).unwrap();
    let paid = net
        .run_as(3, &["pay", "1", "answer.txt", "--amount", "10", "--json"])
        .success()
        .json();
    assert_eq!(b256(&paid["payments"][0]["inferenceId"]), keccak256(output));
    assert_eq!(u256(&paid["total"]), tokens("10"));
    assert_eq!(paid["transactionHashes"].as_array().unwrap().len(), 1);

    std::fs::write(
        net.path("log.jsonl"),
        "{\"output\": \"first\", \"amount\": \"1.5\"}\n\n{\"output\": \"second\", \"amount\": \"2\"}\n{\"output\": \"third\"}\n",
    )
    .unwrap();
    let text = net
        .run_as(
            3,
            &[
                "pay",
                "1",
                "log.jsonl",
                "--amount",
                "0.5",
                "--batch-size",
                "2",
            ],
        )
        .success()
        .stdout;
    assert!(
        text.contains("Paid 4 DATA for 3 output(s) of model 1 in 2 transaction(s)"),
        "{text}"
    );

    // 14 tokens paid: 5% fee to the treasury, 20% of the rest credited to the owner, the rest pooled.
    assert_eq!(net.balance(net.address(3)).await, tokens("86"));
    assert_eq!(
        net.balance(net.address(0)).await,
        treasury_before + tokens("0.7")
    );
    assert_eq!(net.balance(pool).await, tokens("13.3"));
    let session = net.session(0).await;
    let received = session.pool().contributorsReceived().call().await.unwrap();
    assert_eq!(received, tokens("10.64"));

    let owner = net
        .run(&[
            "balance",
            "--address",
            &net.address(2).to_string(),
            "--json",
        ])
        .success()
        .json();
    assert_eq!(u256(&owner["ownerCredit"]), tokens("2.66"));
    assert_eq!(u256(&owner["balance"]), U256::ZERO);
    let payer = net.run_as(3, &["balance", "--json"]).success().json();
    assert_eq!(address(&payer["account"]), net.address(3));
    assert_eq!(u256(&payer["balance"]), tokens("86"));
    let text = net.run_as(3, &["balance"]).success().stdout;
    assert!(text.contains("86 DATA"), "{text}");
}

/// Builds an epoch tree, proposes it signed by the deployer (the sole attestor), waits out the
/// challenge period, accepts it, and claims through the CLI.
#[tokio::test]
async fn rewards_show_and_claim_pay_the_cumulative_amount_once() {
    let net = Devnet::start();
    let datanet = net.create_datanet(0, "0", "7d");
    net.run_as(
        0,
        &[
            "model",
            "register",
            "--metadata-uri",
            "m",
            "--datanet",
            &datanet.to_string(),
        ],
    )
    .success();
    net.fund(3, tokens("1000")).await;
    std::fs::write(net.path("out.txt"), "a paid output").unwrap();
    net.run_as(3, &["pay", "1", "out.txt", "--amount", "100"])
        .success();
    // 100 − 5% fee − 20% owner share = 76 tokens for contributors.
    let (alice, bob) = (net.address(1), net.address(2));
    let tree = RewardTree::of(vec![
        (alice, tokens("30")),
        (bob, tokens("40")),
        (net.address(5), tokens("6")),
    ])
    .unwrap();
    let total = tokens("76");
    std::fs::create_dir_all(net.path("epoch-1")).unwrap();
    std::fs::write(net.path("epoch-1/tree.json"), tree.to_json_pretty()).unwrap();

    let shown = net
        .run(&[
            "rewards",
            "show",
            "--tree",
            "epoch-1",
            "--address",
            &alice.to_string(),
            "--json",
        ])
        .success()
        .json();
    assert_eq!(shown["treeIsCurrentRoot"], false);
    assert_eq!(u256(&shown["cumulative"]), tokens("30"));
    assert_eq!(u256(&shown["claimable"]), U256::ZERO);

    let session = net.session(0).await;
    let pool = session.pool();
    let report_hash = keccak256("report");
    let report_uri = "ipfs://report-1".to_string();
    let epoch = datanet_bindings::attribution_pool::IAttributionPool::Epoch {
        epoch: 1,
        nonce: pool.proposalNonce().call().await.unwrap(),
        rewardsRoot: tree.root(),
        totalAllocated: total,
        reportHash: report_hash,
        reportURI: report_uri,
    };
    let digest = pool.epochDigest(epoch.clone()).call().await.unwrap();
    let signature = net.signer(0).sign_hash(&digest).await.unwrap();
    let propose = pool
        .proposeEpoch(epoch, vec![Bytes::from(signature.as_bytes().to_vec())])
        .into_transaction_request();
    session.client.send("proposeEpoch", propose).await.unwrap();

    net.increase_time(86_401).await;
    let accept = pool.acceptEpoch().into_transaction_request();
    session.client.send("acceptEpoch", accept).await.unwrap();
    assert_eq!(pool.rewardsRoot().call().await.unwrap(), tree.root());

    let shown = net
        .run_as(
            1,
            &["rewards", "show", "--tree", "epoch-1/tree.json", "--json"],
        )
        .success()
        .json();
    assert_eq!(shown["treeIsCurrentRoot"], true);
    assert_eq!(u256(&shown["claimable"]), tokens("30"));
    assert_eq!(b256(&shown["treeRoot"]), tree.root());

    let before = net.balance(alice).await;
    let claimed = net
        .run_as(1, &["rewards", "claim", "--tree", "epoch-1", "--json"])
        .success()
        .json();
    assert_eq!(u256(&claimed["amount"]), tokens("30"));
    assert_eq!(u256(&claimed["received"]), tokens("30"));
    assert_eq!(net.balance(alice).await, before + tokens("30"));
    assert_eq!(session.claimed(alice).await.unwrap(), tokens("30"));

    // Anyone may claim for anyone; the funds go to the account.
    let caller_before = net.balance(alice).await;
    let text = net
        .run_as(
            1,
            &[
                "rewards",
                "claim",
                "--tree",
                "epoch-1",
                "--address",
                &bob.to_string(),
            ],
        )
        .success()
        .stdout;
    assert!(text.contains("received 40 DATA"), "{text}");
    assert_eq!(net.balance(bob).await, tokens("40"));
    assert_eq!(net.balance(alice).await, caller_before);

    let shown = net
        .run_as(1, &["rewards", "show", "--tree", "epoch-1", "--json"])
        .success()
        .json();
    assert_eq!(u256(&shown["claimable"]), U256::ZERO);
    assert_eq!(u256(&shown["claimed"]), tokens("30"));
}

/// Every cast-style key source resolves to the same account, and a keystore signs transactions.
#[tokio::test]
async fn wallet_sources_resolve_like_cast() {
    let net = Devnet::start();
    let expected = net.address(2);
    let whoami = |args: &[&str]| {
        let mut all = vec!["balance", "--json"];
        all.extend_from_slice(args);
        address(&net.run(&all).success().json()["account"])
    };
    let phrase = "test test test test test test test test test test test junk";
    assert_eq!(
        whoami(&["--mnemonic", phrase, "--mnemonic-index", "2"]),
        expected
    );
    std::fs::write(net.path("phrase.txt"), format!("{phrase}\n")).unwrap();
    assert_eq!(
        whoami(&["--mnemonic", "phrase.txt", "--mnemonic-index", "2"]),
        expected
    );

    let keystores = net.path(".foundry/keystores");
    std::fs::create_dir_all(&keystores).unwrap();
    alloy::signers::local::PrivateKeySigner::encrypt_keystore(
        &keystores,
        &mut rand::thread_rng(),
        net.anvil.keys()[2].to_bytes(),
        "pa55word",
        Some("carol"),
    )
    .unwrap();
    std::fs::write(net.path("password.txt"), "pa55word\n").unwrap();
    assert_eq!(
        whoami(&[
            "--keystore",
            ".foundry/keystores/carol",
            "--password-file",
            "password.txt"
        ]),
        expected
    );
    // A folder holding one keystore, and the password inline.
    assert_eq!(
        whoami(&["--keystore", ".foundry/keystores", "--password", "pa55word"]),
        expected
    );
    // A Foundry account name under $HOME, the password from ETH_PASSWORD.
    let out = net
        .command()
        .args([
            "balance",
            "--json",
            "--account",
            "carol",
            "--rpc-url",
            &net.url(),
        ])
        .env("ETH_PASSWORD", "pa55word")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(address(&json["account"]), expected);

    // The keystore signs.
    let created = net
        .run(&[
            "datanet",
            "create",
            "--metadata-uri",
            "signed by a keystore",
            "--account",
            "carol",
            "--password-file",
            "password.txt",
            "--json",
        ])
        .success()
        .json();
    assert_eq!(address(&created["owner"]), expected);
}

#[test]
fn completions_print_a_script_and_a_closed_pipe_is_quiet() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_datanet"))
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let script = String::from_utf8_lossy(&out.stdout);
    assert!(
        script.contains("datanet") && script.contains("contribute"),
        "{script}"
    );

    // `datanet … | head -1`: the reader goes away; no panic, no error.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_datanet"))
        .args(["completions", "zsh"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn usage_errors_exit_2_and_help_lists_the_exit_codes() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_datanet"))
        .args(["contribute", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_datanet"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("3  verification mismatch"), "{help}");
}
