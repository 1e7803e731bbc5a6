//! Token units come from the token: a deployment on an existing 6-decimal token (a USDC-like ERC-20
//! compiled here with the project's solc) parses and prints every amount in 6 decimals, end to end:
//! bonds, payments, balances, an epoch and a claim. Amounts more precise than the token are refused.

mod common;

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, Bytes, U256},
    rpc::types::TransactionRequest,
    sol_types::SolValue,
};
use common::{u256, Devnet};
use datanet_attribution::RewardTree;
use serde_json::Value;
use std::path::Path;

const TOKEN_SOURCE: &str = r#"// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
contract SixDecimalToken is ERC20 {
    constructor(address holder, uint256 supply) ERC20("Test USD", "TUSD") { _mint(holder, supply); }
    function decimals() public pure override returns (uint8) { return 6; }
}
"#;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ has a parent")
}

/// Creation bytecode of `SixDecimalToken`, compiled with `scripts/solc` (solc-js) against the
/// project's OpenZeppelin.
fn compile_token() -> Vec<u8> {
    let input = serde_json::json!({
        "language": "Solidity",
        "sources": {"SixDecimalToken.sol": {"content": TOKEN_SOURCE}},
        "settings": {
            "optimizer": {"enabled": true, "runs": 200},
            "outputSelection": {"*": {"*": ["evm.bytecode.object"]}}
        }
    });
    let mut child = std::process::Command::new("node")
        .arg(root().join("scripts/solc"))
        .arg("--standard-json")
        .arg("--include-path")
        .arg(root().join("node_modules"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("node scripts/solc runs");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.to_string().as_bytes()).unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    let output: Value = serde_json::from_slice(&out.stdout).expect("solc prints JSON");
    let bytecode = output["contracts"]["SixDecimalToken.sol"]["SixDecimalToken"]["evm"]["bytecode"]
        ["object"]
        .as_str()
        .unwrap_or_else(|| panic!("no bytecode: {}", output["errors"]));
    alloy::hex::decode(bytecode).unwrap()
}

/// 10^6 × `n` for whole-token amounts in tests.
fn usd(text: &str) -> U256 {
    datanet_client::token::parse_units(text, 6).expect("amount")
}

#[tokio::test]
async fn a_six_decimal_token_end_to_end() {
    let net = Devnet::launch(&[], None);
    // The token: deployed by account 0, who receives a supply of 1,000,000 TUSD.
    let session_less = net.client(0).await;
    let mut code = compile_token();
    code.extend((net.address(0), usd("1000000")).abi_encode_params());
    let deploy = TransactionRequest::default().with_deploy_code(Bytes::from(code));
    let receipt = session_less
        .send("deploy SixDecimalToken", deploy)
        .await
        .expect("token deployed");
    let token: Address = receipt.contract_address.unwrap();
    net.run_as(
        0,
        &[
            "deploy",
            "--token",
            &token.to_string(),
            "--min-commitment-age",
            "1",
        ],
    )
    .success();

    let session = net.session(0).await;
    let info = session.token().await.unwrap();
    assert_eq!((info.symbol.as_str(), info.decimals), ("TUSD", 6));

    // A bond of 1.5 TUSD is 1,500,000 base units, not 1.5 × 10^18.
    let created = net
        .run_as(
            0,
            &[
                "datanet",
                "create",
                "--metadata-uri",
                "ipfs://usd",
                "--bond",
                "1.5",
                "--review-period",
                "1d",
                "--json",
            ],
        )
        .success()
        .json();
    assert_eq!(u256(&created["bond"]), U256::from(1_500_000u64));
    let shown = net.run(&["datanet", "show", "1"]).success().stdout;
    assert!(shown.contains("bond           1.5 TUSD"), "{shown}");

    // More precise than the token, negative, garbage: one line naming the value and 6 decimals.
    let before = net.snapshot().await;
    for (bond, words) in [
        (
            "1.0000001",
            vec![
                "\"1.0000001\"",
                "7 digits after the point, at most 6",
                "TUSD has 6 decimals",
            ],
        ),
        ("-3", vec!["\"-3\"", "negative", "TUSD has 6 decimals"]),
        (
            "3 TUSD",
            vec!["\"3 TUSD\"", "not a decimal number", "TUSD has 6 decimals"],
        ),
    ] {
        net.run_as(
            0,
            &["datanet", "create", "--metadata-uri", "m", "--bond", bond],
        )
        .failure(&words);
    }
    assert_eq!(
        net.snapshot().await,
        before,
        "a refused amount sent something"
    );

    // Alice (1) contributes two files with a 1.5 TUSD bond each.
    net.fund(1, usd("10")).await;
    std::fs::create_dir_all(net.path("corpus")).unwrap();
    let texts = [
        "Saltmarsh cordgrass grows in dense stands along the lower marsh, where tides flood the roots twice a day.",
        "Eelgrass meadows shelter juvenile fish and filter sediment from the water column in shallow bays.",
    ];
    for (i, text) in texts.iter().enumerate() {
        std::fs::write(net.path(&format!("corpus/{i}.txt")), text).unwrap();
    }
    let contributed = net
        .run_as(1, &["contribute", "1", "corpus", "--json"])
        .success()
        .json();
    let ids: Vec<String> = contributed["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["contributionId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(net.balance(net.address(1)).await, usd("7"));
    let mut review = vec!["review"];
    review.extend(ids.iter().map(String::as_str));
    review.push("--accept");
    net.run_as(0, &review).success();
    assert_eq!(net.balance(net.address(1)).await, usd("10"), "bonds back");

    // A model; the payer pays 2.25 TUSD per output.
    net.run_as(
        2,
        &["model", "register", "--metadata-uri", "m", "--datanet", "1"],
    )
    .success();
    net.fund(3, usd("100")).await;
    let log = format!(
        "{}\n{}\n",
        serde_json::json!({"output": format!("Answer: {}", texts[0]), "amount": "2.25"}),
        serde_json::json!({"output": format!("As the guide says, {}", texts[1]), "amount": "2.25"}),
    );
    std::fs::write(net.path("log.jsonl"), log).unwrap();
    net.run_as(3, &["pay", "1", "log.jsonl"]).success();
    assert_eq!(net.balance(net.address(3)).await, usd("95.5"));
    let before = net.snapshot().await;
    std::fs::write(net.path("one.txt"), "a third output").unwrap();
    net.run_as(3, &["pay", "1", "one.txt", "--amount", "0.0000001"])
        .failure(&["\"0.0000001\"", "at most 6", "TUSD has 6 decimals"]);
    assert_eq!(
        net.snapshot().await,
        before,
        "a refused amount paid something"
    );
    let balance = net.run_as(3, &["balance"]).success().stdout;
    assert!(balance.contains("balance        95.5 TUSD"), "{balance}");

    // One epoch, signed by the deployer (sole attestor), accepted, claimed by Alice.
    let attributed = net
        .run(&[
            "attribute",
            "--epoch",
            "1",
            "--corpus",
            "corpus",
            "--log",
            "log.jsonl",
            "--out",
            "epochs/1",
            "--report-uri",
            "https://attestors.example/epochs/1/report.json",
            "--json",
        ])
        .success()
        .json();
    let total = u256(&attributed["totalAllocated"]);
    assert!(total > U256::ZERO, "{attributed}");
    net.run_as(0, &["epoch", "sign", "epochs/1"]).success();
    net.run_as(0, &["epoch", "propose", "epochs/1"]).success();
    net.increase_time(86_401).await;
    net.run_as(0, &["epoch", "accept"]).success();
    let tree = RewardTree::load(&std::fs::read(net.path("epochs/1/tree.json")).unwrap()).unwrap();
    let owed = tree.amount_of(net.address(1)).unwrap();
    let shown = net
        .run_as(1, &["rewards", "show", "--tree", "epochs/1"])
        .success()
        .stdout;
    let owed_text = datanet_client::token::format_units(owed, 6);
    assert!(
        shown.contains(&format!("claimable    {owed_text} TUSD")),
        "{shown}"
    );
    let claimed = net
        .run_as(1, &["rewards", "claim", "--tree", "epochs/1"])
        .success()
        .stdout;
    assert!(
        claimed.contains(&format!("received {owed_text} TUSD")),
        "{claimed}"
    );
    assert_eq!(net.balance(net.address(1)).await, usd("10") + owed);
}
