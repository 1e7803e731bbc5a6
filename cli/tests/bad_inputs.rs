//! Bad inputs: each must exit non-zero with ONE stderr line that names the problem, and change nothing
//! on chain (no transaction mined, counts and balances as before).

mod common;

use alloy::{primitives::B256, signers::local::PrivateKeySigner};
use common::{b256, tokens, Devnet};
use datanet_attribution::RewardTree;
use datanet_client::session::Status;

/// Runs `check` and asserts the chain state did not move.
macro_rules! unchanged {
    ($net:expr, $body:expr) => {{
        let before = $net.snapshot().await;
        let line = $body;
        println!("{line}");
        assert_eq!($net.snapshot().await, before, "state changed after: {line}");
        line
    }};
}

#[tokio::test]
async fn unreachable_rpc_names_the_url() {
    let net = Devnet::start();
    let key = net.key(0);
    let dead = "http://127.0.0.1:1";
    let line = unchanged!(
        net,
        net.run_raw(&[
            "datanet",
            "create",
            "--metadata-uri",
            "m",
            "--rpc-url",
            dead,
            "--private-key",
            &key
        ])
        .failure(&["cannot reach the rpc endpoint", dead, "--rpc-url"])
    );
    assert!(!line.contains(&key[2..]), "the key must never be printed");
}

#[tokio::test]
async fn malformed_rpc_url_is_named() {
    let net = Devnet::start();
    unchanged!(
        net,
        net.run_raw(&["datanet", "show", "1", "--rpc-url", "not a url"])
            .failure(&["invalid rpc url", "not a url"])
    );
}

#[tokio::test]
async fn malformed_private_key_is_refused_without_echoing_it() {
    let net = Devnet::start();
    let line = unchanged!(
        net,
        net.run_raw(&[
            "datanet",
            "create",
            "--metadata-uri",
            "m",
            "--rpc-url",
            &net.url(),
            "--private-key",
            "0xdeadbeefcafe",
        ])
        .failure(&["--private-key", "not a valid", "private key"])
    );
    assert!(!line.contains("deadbeefcafe"), "{line}");
}

#[tokio::test]
async fn sending_without_a_wallet_asks_for_one() {
    let net = Devnet::start();
    unchanged!(
        net,
        net.run(&["datanet", "create", "--metadata-uri", "m"])
            .failure(&["sends transactions", "--private-key", "--keystore"])
    );
}

#[tokio::test]
async fn wrong_keystore_password_is_named() {
    let net = Devnet::start();
    let keys = net.path("keys");
    std::fs::create_dir_all(&keys).unwrap();
    PrivateKeySigner::encrypt_keystore(
        &keys,
        &mut rand::thread_rng(),
        net.anvil.keys()[1].to_bytes(),
        "correct horse",
        Some("alice.json"),
    )
    .unwrap();
    std::fs::write(net.path("wrong.txt"), "battery staple\n").unwrap();
    unchanged!(
        net,
        net.run(&[
            "datanet",
            "create",
            "--metadata-uri",
            "m",
            "--keystore",
            "keys/alice.json",
            "--password-file",
            "wrong.txt",
        ])
        .failure(&["wrong password", "alice.json"])
    );
    // No password at all, with stdin not a terminal: says how to give one.
    unchanged!(
        net,
        net.run(&[
            "datanet",
            "create",
            "--metadata-uri",
            "m",
            "--keystore",
            "keys"
        ])
        .failure(&["needs a password", "--password-file", "eth_password"])
    );
}

#[tokio::test]
async fn missing_keystore_account_names_the_expected_path() {
    let net = Devnet::start();
    unchanged!(
        net,
        net.run(&[
            "datanet",
            "create",
            "--metadata-uri",
            "m",
            "--account",
            "nobody"
        ])
        .failure(&[
            "no keystore account \"nobody\"",
            ".foundry/keystores/nobody",
            "cast wallet import",
        ])
    );
}

#[tokio::test]
async fn missing_deployment_file_names_the_chain_and_expected_path() {
    let net = Devnet::start();
    unchanged!(
        net,
        net.run_as(
            0,
            &[
                "datanet",
                "create",
                "--metadata-uri",
                "m",
                "--deployments",
                "elsewhere"
            ]
        )
        .failure(&[
            "no datanet deployment for chain 31337",
            "elsewhere/31337.json",
            "datanet deploy",
        ])
    );
}

#[tokio::test]
async fn deployment_file_of_another_chain_is_refused() {
    let net = Devnet::start();
    let mut deployment = net.deployment();
    deployment.chain_id = 5;
    std::fs::create_dir_all(net.path("mixed")).unwrap();
    std::fs::write(
        net.path("mixed/31337.json"),
        serde_json::to_string_pretty(&deployment).unwrap(),
    )
    .unwrap();
    unchanged!(
        net,
        net.run_as(
            0,
            &[
                "datanet",
                "create",
                "--metadata-uri",
                "m",
                "--deployments",
                "mixed"
            ]
        )
        .failure(&["for chain 5", "is chain 31337", "--rpc-url"])
    );
}

#[tokio::test]
async fn deploying_twice_without_force_keeps_the_first_deployment() {
    let net = Devnet::start();
    let file = net.path("deployments/31337.json");
    let first = std::fs::read(&file).unwrap();
    unchanged!(
        net,
        net.run_as(0, &["deploy"])
            .failure(&["31337.json", "already exists", "--force"])
    );
    assert_eq!(std::fs::read(&file).unwrap(), first);
}

#[tokio::test]
async fn bad_duration_is_named() {
    let net = Devnet::start();
    unchanged!(
        net,
        net.run_as(
            0,
            &[
                "datanet",
                "create",
                "--metadata-uri",
                "m",
                "--review-period",
                "7w"
            ]
        )
        .failure(&["\"7w\"", "duration", "s, m, h or d"])
    );
}

/// Amounts are parsed strictly in the token's units (DATA, 18 decimals here): a negative amount,
/// more decimals than the token has, and garbage are refused with one line naming the value and the
/// token's decimals, before anything is sent.
#[tokio::test]
async fn bad_token_amounts_are_named_with_the_tokens_decimals() {
    let net = Devnet::start();
    for (bond, problem) in [
        ("ten", "not a decimal number"),
        ("-3", "negative"),
        (
            "1.0000000000000000001",
            "19 digits after the point, at most 18",
        ),
        ("1e18", "not a decimal number"),
        ("0x10", "not a decimal number"),
        ("1,5", "not a decimal number"),
        ("", "no number"),
    ] {
        let quoted = format!("{bond:?}");
        unchanged!(
            net,
            net.run_as(
                0,
                &["datanet", "create", "--metadata-uri", "m", "--bond", bond]
            )
            .failure(&["invalid amount", &quoted, problem, "DATA has 18 decimals"])
        );
    }
    std::fs::write(net.path("out.txt"), "an output").unwrap();
    for amount in ["-3", "1.0000000000000000001", "lots"] {
        let quoted = format!("{amount:?}");
        unchanged!(
            net,
            net.run_as(0, &["pay", "1", "out.txt", "--amount", amount])
                .failure(&["invalid amount", &quoted, "18 decimals"])
        );
    }
}

#[tokio::test]
async fn missing_file_is_named() {
    let net = Devnet::start();
    let id = net.create_datanet(0, "1", "7d");
    std::fs::write(net.path("here.txt"), "present").unwrap();
    unchanged!(
        net,
        net.run_as(0, &["contribute", &id.to_string(), "here.txt", "gone.txt"])
            .failure(&["gone.txt", "no such file"])
    );
}

#[tokio::test]
async fn folder_without_files_is_named() {
    let net = Devnet::start();
    let id = net.create_datanet(0, "1", "7d");
    std::fs::create_dir_all(net.path("empty/.git")).unwrap();
    std::fs::write(net.path("empty/.git/HEAD"), "hidden").unwrap();
    unchanged!(
        net,
        net.run_as(0, &["contribute", &id.to_string(), "empty"])
            .failure(&["no files found", "empty"])
    );
}

#[tokio::test]
async fn contribute_to_a_nonexistent_datanet_is_named() {
    let net = Devnet::start();
    net.create_datanet(0, "0", "7d");
    net.write_files("data", 2);
    unchanged!(
        net,
        net.run_as(0, &["contribute", "7", "data"])
            .failure(&["datanet 7 does not exist", "1 to 1"])
    );
}

#[tokio::test]
async fn insufficient_balance_for_bonds_names_the_amounts() {
    let net = Devnet::start();
    let id = net.create_datanet(0, "5", "7d");
    net.fund(4, tokens("7")).await;
    net.write_files("data", 3);
    unchanged!(
        net,
        net.run_as(4, &["contribute", &id.to_string(), "data"])
            .failure(&[
                "insufficient",
                "bonds",
                &net.address(4).to_string(),
                "has 7 DATA",
                "needs 15 DATA",
            ])
    );
}

#[tokio::test]
async fn review_by_a_non_curator_decodes_not_curator_with_values() {
    let net = Devnet::start();
    let id = net.create_datanet(0, "1", "7d");
    net.fund(1, tokens("10")).await;
    std::fs::write(net.path("a.txt"), "some data").unwrap();
    let out = net
        .run_as(1, &["contribute", &id.to_string(), "a.txt", "--json"])
        .success()
        .json();
    let contribution = b256(&out["files"][0]["contributionId"]);
    unchanged!(
        net,
        net.run_as(2, &["review", &contribution.to_string(), "--reject"])
            .failure(&[
                "reverted",
                "NotCurator",
                &format!("datanetId: {id}"),
                &net.address(2).to_string(),
            ])
    );
    let record = &net
        .session(0)
        .await
        .contributions(&[contribution])
        .await
        .unwrap()[0];
    assert_eq!(record.status, Status::Pending);
}

#[tokio::test]
async fn review_of_an_unknown_id_decodes_contribution_not_found() {
    let net = Devnet::start();
    net.create_datanet(0, "0", "7d");
    let unknown = B256::repeat_byte(0xab);
    unchanged!(
        net,
        net.run_as(0, &["review", &unknown.to_string(), "--accept"])
            .failure(&["ContributionNotFound", &unknown.to_string()])
    );
}

#[tokio::test]
async fn finalize_before_the_review_period_ends_names_the_deadline() {
    let net = Devnet::start();
    let id = net.create_datanet(0, "1", "1h");
    std::fs::write(net.path("a.txt"), "fresh data").unwrap();
    let out = net
        .run_as(0, &["contribute", &id.to_string(), "a.txt", "--json"])
        .success()
        .json();
    let contribution = b256(&out["files"][0]["contributionId"]);
    unchanged!(
        net,
        net.run_as(3, &["finalize", &contribution.to_string()])
            .failure(&["finalize reverted", "ReviewPeriodNotOver", "deadline"])
    );
}

#[tokio::test]
async fn curator_change_by_a_non_owner_decodes_not_datanet_owner() {
    let net = Devnet::start();
    let id = net.create_datanet(0, "0", "7d");
    unchanged!(
        net,
        net.run_as(
            1,
            &[
                "datanet",
                "curator",
                "add",
                &id.to_string(),
                &net.address(1).to_string()
            ]
        )
        .failure(&[
            "setCurator reverted",
            "NotDatanetOwner",
            &net.address(0).to_string()
        ])
    );
}

#[tokio::test]
async fn model_on_a_nonexistent_datanet_decodes_datanet_not_found() {
    let net = Devnet::start();
    unchanged!(
        net,
        net.run_as(
            0,
            &["model", "register", "--metadata-uri", "m", "--datanet", "3"]
        )
        .failure(&["registerModel reverted", "DatanetNotFound", "datanetId: 3"])
    );
}

#[tokio::test]
async fn pay_for_a_nonexistent_model_is_named() {
    let net = Devnet::start();
    std::fs::write(net.path("out.txt"), "an output").unwrap();
    unchanged!(
        net,
        net.run_as(0, &["pay", "9", "out.txt", "--amount", "1"])
            .failure(&["model 9 does not exist"])
    );
}

#[tokio::test]
async fn pay_log_with_a_bad_line_names_the_line() {
    let net = Devnet::start();
    net.create_datanet(0, "0", "7d");
    net.run_as(
        0,
        &["model", "register", "--metadata-uri", "m", "--datanet", "1"],
    )
    .success();
    std::fs::write(
        net.path("log.jsonl"),
        "{\"output\": \"fine\", \"amount\": \"1\"}\n{\"text\": \"no output field\"}\n",
    )
    .unwrap();
    unchanged!(
        net,
        net.run_as(0, &["pay", "1", "log.jsonl"])
            .failure(&["log.jsonl", "line 2", "output"])
    );
    std::fs::write(net.path("zero.txt"), "free output").unwrap();
    unchanged!(
        net,
        net.run_as(0, &["pay", "1", "zero.txt", "--amount", "0"])
            .failure(&["amount 0", "positive"])
    );
}

#[tokio::test]
async fn claim_with_a_tree_whose_root_is_not_on_chain_is_refused() {
    let net = Devnet::start();
    let tree = RewardTree::of(vec![(net.address(1), tokens("5"))]).unwrap();
    std::fs::write(net.path("tree.json"), tree.to_json()).unwrap();
    unchanged!(
        net,
        net.run_as(1, &["rewards", "claim", "--tree", "tree.json"])
            .failure(&[
                &format!("tree root {}", tree.root()),
                "not the pool's claimable root",
            ])
    );
    unchanged!(
        net,
        net.run_as(1, &["rewards", "claim", "--tree", "missing.json"])
            .failure(&["cannot read reward tree", "missing.json"])
    );
}

/// A contribution's URI is where the contributor published the file, never a local path: the
/// publication base is required, must be a URL, and file paths must stay under it.
#[tokio::test]
async fn local_paths_never_go_on_chain_as_uris() {
    let net = Devnet::start();
    let id = net.create_datanet(0, "1", "7d").to_string();
    std::fs::create_dir_all(net.path("notes")).unwrap();
    std::fs::write(net.path("notes/a.txt"), "a note").unwrap();
    let absolute = net.path("notes/a.txt").display().to_string();
    unchanged!(
        net,
        net.run_as(0, &["contribute", &id, &absolute]).failure(&[
            "a.txt",
            "relative",
            "--uri-prefix"
        ])
    );
    unchanged!(
        net,
        net.run_as(0, &["contribute", &id, "notes/../notes/a.txt"])
            .failure(&["relative", "--uri-prefix"])
    );
    unchanged!(
        net,
        net.run_as(
            0,
            &["contribute", &id, "notes", "--uri-prefix", "my-notes/"]
        )
        .failure(&["--uri-prefix", "my-notes/"])
    );
    // Without a publication base at all, clap refuses before anything runs (usage error, exit 2).
    let before = net.snapshot().await;
    let out = net
        .command()
        .env_remove("DATANET_URI_PREFIX")
        .args(["contribute", &id, "notes", "--rpc-url", &net.url()])
        .args(["--private-key", &net.key(0)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--uri-prefix"));
    assert_eq!(net.snapshot().await, before);

    // With a base, the URI is the base followed by the path as given.
    let done = net
        .run_as(
            0,
            &[
                "contribute",
                &id,
                "notes",
                "--uri-prefix",
                "ipfs://bafyexample/",
                "--json",
            ],
        )
        .success()
        .json();
    assert_eq!(done["files"][0]["outcome"], "registered");
    let session = net.session(0).await;
    let latest = session.client.latest_block().await.unwrap();
    let events = session
        .client
        .events::<datanet_bindings::DatanetRegistry::Contributed>(
            alloy::rpc::types::Filter::new().address(session.deployment.datanet_registry),
            0,
            latest,
        )
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].0.uri, "ipfs://bafyexample/notes/a.txt");
}
