//! `datanet datanet contributions`: a curator who holds only a key, the deployment file and the
//! chain finds what its datanet received, in every status.

mod common;

use alloy::primitives::{keccak256, Address, B256, U256};
use common::{address, b256, tokens, Devnet};
use datanet_client::{contribute::commitment, Session};
use serde_json::Value;
use std::collections::BTreeMap;

/// `contribute --json` as account `who`: content id by file name.
fn contribute(
    net: &Devnet,
    who: usize,
    datanet: u64,
    files: &[&str],
    prefix: &str,
) -> BTreeMap<String, B256> {
    let id = datanet.to_string();
    let mut args = vec!["contribute", id.as_str()];
    args.extend_from_slice(files);
    args.extend(["--uri-prefix", prefix, "--json"]);
    let out = net.run_as(who, &args).success().json();
    out["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            assert_eq!(f["outcome"], "registered", "{f}");
            (
                f["file"].as_str().expect("file").to_string(),
                b256(&f["contributionId"]),
            )
        })
        .collect()
}

/// `datanet datanet contributions DATANET ARGS --json`, run by a party holding only the deployment
/// file and no key.
fn listing(net: &Devnet, curator: &tempfile::TempDir, datanet: u64, args: &[&str]) -> Vec<Value> {
    let id = datanet.to_string();
    let mut all = vec!["datanet", "contributions", id.as_str()];
    all.extend_from_slice(args);
    all.push("--json");
    net.run_in(curator.path(), None, &all)
        .success()
        .json()
        .as_array()
        .expect("a JSON array")
        .clone()
}

fn sorted(ids: &[B256]) -> Vec<B256> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids
}

/// (id, status, contributor) of each listed contribution, in the listing's order.
fn summary(listed: &[Value]) -> Vec<(B256, String, Address)> {
    listed
        .iter()
        .map(|c| {
            (
                b256(&c["contributionId"]),
                c["status"].as_str().expect("status").to_string(),
                address(&c["contributor"]),
            )
        })
        .collect()
}

#[tokio::test]
async fn contributions_lists_each_status_from_chain_data_alone() {
    let net = Devnet::start();
    // Owner 2 reviews; contributors 1 and 3.
    let datanet = net.create_datanet(2, "1", "7d");
    let other = net.create_datanet(2, "0", "7d");
    net.fund(1, tokens("20")).await;
    net.fund(3, tokens("20")).await;
    for name in ["a", "b", "c", "d", "e", "f"] {
        std::fs::write(net.path(&format!("{name}.txt")), format!("file {name}")).unwrap();
    }
    let one = contribute(
        &net,
        1,
        datanet,
        &["a.txt", "b.txt", "c.txt"],
        "https://one.example/",
    );
    let three = contribute(
        &net,
        3,
        datanet,
        &["d.txt", "e.txt"],
        "https://three.example/",
    );
    // Another datanet's contribution is never listed.
    contribute(&net, 3, other, &["f.txt"], "https://three.example/");
    let (a, b, c) = (one["a.txt"], one["b.txt"], one["c.txt"]);
    let (d, e) = (three["d.txt"], three["e.txt"]);
    let (alice, carol) = (net.address(1), net.address(3));
    let id = datanet.to_string();
    let party = net.fresh_party();

    // Before any review: all five pending, by submission: account 1's reveal came first (the
    // items of one reveal in its order, by content hash).
    let pending = listing(&net, &party, datanet, &[]);
    let ids: Vec<B256> = summary(&pending).iter().map(|s| s.0).collect();
    assert_eq!(sorted(&ids[..3]), sorted(&[a, b, c]));
    assert_eq!(sorted(&ids[3..]), sorted(&[d, e]));
    let first = pending
        .iter()
        .find(|row| b256(&row["contributionId"]) == a)
        .expect("a is listed");
    assert_eq!(b256(&first["contentHash"]), keccak256(b"file a"));
    assert_eq!(address(&first["contributor"]), alice);
    assert_eq!(first["status"], "Pending");
    assert_eq!(first["uri"], "https://one.example/a.txt");
    let submitted = first["submittedAt"].as_u64().expect("submittedAt");
    assert_eq!(first["reviewUntil"].as_u64(), Some(submitted + 7 * 86_400));
    // The review period (7 days) outlasts the maximum commitment age (1 day).
    assert_eq!(
        first["finalizableAfter"].as_u64(),
        Some(submitted + 7 * 86_400)
    );
    assert!(first["committedAt"].as_u64().expect("committedAt") <= submitted);

    // Reviews: a and d accepted, b and e rejected; account 3 retires d; account 3 contributes b's
    // content again (a rejected id is free): it is pending again, as account 3's.
    net.run_as(2, &["review", &a.to_string(), &d.to_string(), "--accept"])
        .success();
    net.run_as(2, &["review", &b.to_string(), &e.to_string(), "--reject"])
        .success();
    net.run_as(3, &["retire", &d.to_string()]).success();
    std::fs::create_dir_all(net.path("again")).unwrap();
    std::fs::write(net.path("again/b.txt"), "file b").unwrap();
    let again = contribute(&net, 3, datanet, &["again/b.txt"], "https://three.example/");
    assert_eq!(again["again/b.txt"], b);

    // Exactly these rows, in any order (the order is checked apart).
    let expect = |args: &[&str], rows: &[(B256, &str, Address)]| {
        let mut listed = summary(&listing(&net, &party, datanet, args));
        let mut rows: Vec<(B256, String, Address)> = rows
            .iter()
            .map(|(id, status, who)| (*id, status.to_string(), *who))
            .collect();
        listed.sort();
        rows.sort();
        assert_eq!(listed, rows, "datanet contributions {id} {args:?}");
    };
    // c was submitted before b's second registration.
    assert_eq!(
        summary(&listing(&net, &party, datanet, &[])),
        vec![
            (c, "Pending".to_string(), alice),
            (b, "Pending".to_string(), carol)
        ]
    );
    expect(
        &["--status", "pending"],
        &[(c, "Pending", alice), (b, "Pending", carol)],
    );
    expect(&["--status", "accepted"], &[(a, "Accepted", alice)]);
    expect(&["--status", "rejected"], &[(e, "Rejected", carol)]);
    expect(&["--status", "retired"], &[(d, "Retired", carol)]);
    expect(&["--address", &alice.to_string()], &[(c, "Pending", alice)]);
    // b is account 3's now: its latest registration.
    expect(
        &["--status", "all", "--address", &alice.to_string()],
        &[(a, "Accepted", alice), (c, "Pending", alice)],
    );
    let all = listing(&net, &party, datanet, &["--status", "all"]);
    let statuses: Vec<(B256, String, Address)> = summary(&all);
    assert_eq!(statuses.len(), 5, "{all:?}");
    assert_eq!(
        statuses.last().map(|s| s.0),
        Some(b),
        "b was submitted last"
    );
    let b_now = all.last().unwrap();
    assert_eq!(b_now["uri"], "https://three.example/again/b.txt");
    // Deadlines only where a review or a finalize is still possible.
    for row in &all {
        let pending = row["status"] == "Pending";
        assert_eq!(row["reviewUntil"].is_u64(), pending, "{row}");
        assert_eq!(row["finalizableAfter"].is_u64(), pending, "{row}");
    }
    expect(
        &[
            "--status",
            "rejected",
            "--address",
            &net.address(4).to_string(),
        ],
        &[],
    );

    // The table: every pending id, and what to do next.
    let text = net
        .run_in(party.path(), None, &["datanet", "contributions", &id])
        .success()
        .stdout;
    assert!(
        text.contains("2 pending contributions in datanet"),
        "{text}"
    );
    for shown in [c, b] {
        assert!(text.contains(&shown.to_string()), "{text}");
    }
    assert!(!text.contains(&a.to_string()), "{text}");
    assert!(text.contains("datanet review ID… --accept"), "{text}");
    let none = net
        .run_in(
            party.path(),
            None,
            &[
                "datanet",
                "contributions",
                &other.to_string(),
                "--status",
                "rejected",
            ],
        )
        .success()
        .stdout;
    assert!(
        none.contains("No rejected contributions in datanet"),
        "{none}"
    );

    // Past the review period, pending contributions are anyone's to finalize.
    net.increase_time(7 * 86_400 + 1).await;
    let text = net
        .run_in(party.path(), None, &["datanet", "contributions", &id])
        .success()
        .stdout;
    assert!(text.contains("2 can be finalized now"), "{text}");
    assert!(text.contains("datanet finalize ID"), "{text}");

    // A datanet that does not exist: one line, non-zero exit.
    net.run_in(party.path(), None, &["datanet", "contributions", "9"])
        .failure(&["datanet 9 does not exist", "1 to 2"]);
    net.run_in(
        party.path(),
        None,
        &["datanet", "contributions", "9", "--json"],
    )
    .failure(&["datanet 9 does not exist"]);
}

#[tokio::test]
async fn a_displaced_contribution_is_listed_once_as_the_earlier_committer_s() {
    let net = Devnet::start();
    let datanet = net.create_datanet(0, "0", "7d");
    std::fs::write(net.path("shared.txt"), "the same words").unwrap();
    let hash = keccak256(b"the same words");

    // Account 4 commits to the content first, without revealing it.
    let early = net.session(4).await;
    let salt = B256::repeat_byte(7);
    let registry = early.registry();
    let committed = commitment(net.address(4), datanet, &[hash], salt);
    early
        .client
        .send(
            "commit",
            registry.commit(committed).into_transaction_request(),
        )
        .await
        .expect("commit");
    net.increase_time(10).await;

    // Account 1 commits later and reveals first: the contribution is its, for now.
    let late = contribute(&net, 1, datanet, &["shared.txt"], "https://one.example/");
    let id = late["shared.txt"];
    let party = net.fresh_party();
    let listed = summary(&listing(&net, &party, datanet, &[]));
    assert_eq!(listed, vec![(id, "Pending".to_string(), net.address(1))]);

    // Account 4 reveals: its earlier commitment displaces account 1's.
    early
        .client
        .send(
            "revealOne",
            registry
                .revealOne(
                    U256::from(datanet),
                    hash,
                    "https://four.example/shared.txt".into(),
                    salt,
                )
                .into_transaction_request(),
        )
        .await
        .expect("reveal");
    let all = listing(&net, &party, datanet, &["--status", "all"]);
    assert_eq!(
        summary(&all),
        vec![(id, "Pending".to_string(), net.address(4))]
    );
    assert_eq!(all[0]["uri"], "https://four.example/shared.txt");
    assert_eq!(Session::contribution_id(datanet, hash), id);
    assert!(
        listing(
            &net,
            &party,
            datanet,
            &["--address", &net.address(1).to_string()]
        )
        .is_empty(),
        "account 1 no longer holds it"
    );
    let mine = listing(
        &net,
        &party,
        datanet,
        &["--address", &net.address(4).to_string()],
    );
    assert_eq!(
        summary(&mine),
        vec![(id, "Pending".to_string(), net.address(4))]
    );

    // `impact` lists it for the account that holds it now, not for the displaced one.
    let impact_ids = |who: usize| -> Vec<String> {
        let out = net
            .run_in(
                party.path(),
                None,
                &[
                    "impact",
                    "--address",
                    &net.address(who).to_string(),
                    "--json",
                ],
            )
            .success()
            .json();
        out["contributions"]
            .as_array()
            .expect("contributions")
            .iter()
            .map(|c| {
                c["contributionId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_lowercase()
            })
            .collect()
    };
    assert_eq!(impact_ids(4), vec![id.to_string()]);
    assert!(
        impact_ids(1).is_empty(),
        "displaced: not account 1's any more"
    );
}
