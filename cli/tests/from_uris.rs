//! Epochs from chain data and published URIs alone, through the `datanet` binary: contributors
//! publish their files, payers their outputs (`pay --outputs-uri`) and attestors their reports on a
//! publication host (a static HTTP server in the test process); attestors and verifiers work in
//! folders that hold nothing but the deployment file.
//!
//! - an independent verifier checks every epoch (`epoch verify`, no folder) and exits 0;
//! - an epoch signed with another root than the honest computation (another --min-span), or whose
//!   published report was doctored, exits 3 naming what differs;
//! - a tampered output line, a 404 and a payment without URI leave those inferences unpublished,
//!   the epoch still computes, and two independent parties get the same bytes;
//! - a publication host that cannot be reached now (refused connection, 503) is one error line
//!   naming the URI, and no epoch folder is written; so is a corpus file nobody can fetch.

mod common;

use alloy::primitives::{keccak256, B256, U256};
use common::{
    attestor_deploy_args, b256, examples,
    publish::{unreachable_url, PublicationHost},
    tokens, u256, Devnet, Run,
};
use datanet_attribution::AttributionReport;
use serde_json::Value;
use std::{collections::BTreeMap, path::Path};

const OWNER: usize = 0;
const ALICE: usize = 1;
const MODEL_OWNER: usize = 2;
const PAYER: usize = 3;
const ATTESTORS: [usize; 3] = [4, 5, 6];
/// Proposes and accepts epochs: neither attestor nor contributor.
const OUTSIDER: usize = 7;
const CAROL: usize = 8;
/// A second app paying for outputs.
const PAYER2: usize = 9;
const CHALLENGE_PERIOD: u64 = 3_600;

const ALICE_FILES: [&str; 4] = [
    "saltmarsh-cordgrass.txt",
    "great-egret.txt",
    "glasswort.txt",
    "eelgrass.txt",
];
const CAROL_FILES: [&str; 1] = ["marsh-wren.txt"];
/// `examples/outputs/epoch1.jsonl` lines (1-based): reuse of the files above, and line 10 that
/// reuses nothing.
const EPOCH1_LINES: [usize; 6] = [1, 2, 5, 11, 7, 10];
/// `examples/outputs/epoch2.jsonl`.
const EPOCH2_LINES: [usize; 3] = [6, 8, 7];

fn start() -> Devnet {
    let args = attestor_deploy_args(&ATTESTORS, 2, CHALLENGE_PERIOD);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Devnet::start_deploying(&[], &args)
}

/// Alice and Carol publish their files on `host` under `data/` and contribute them to datanet 1
/// with those URLs; the owner accepts them; model 1 is registered on datanet 1; the payers are
/// funded. Returns each file's contribution id.
async fn setup(net: &Devnet, host: &PublicationHost) -> BTreeMap<String, B256> {
    let data = net.path("data");
    std::fs::create_dir_all(&data).unwrap();
    for name in ALICE_FILES.iter().chain(&CAROL_FILES) {
        std::fs::copy(
            examples().join("datanets/field-guide").join(name),
            data.join(name),
        )
        .unwrap();
    }
    host.publish_dir("data", &data);
    assert_eq!(net.create_datanet(OWNER, "0", "7d"), 1);
    let prefix = host.url("");
    let mut ids = BTreeMap::new();
    for (who, names) in [(ALICE, &ALICE_FILES[..]), (CAROL, &CAROL_FILES[..])] {
        let mut args = vec!["contribute".to_string(), "1".to_string()];
        args.extend(names.iter().map(|n| format!("data/{n}")));
        args.extend(["--uri-prefix".into(), prefix.clone(), "--json".into()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = net.run_as(who, &args).success().json();
        for e in out["files"].as_array().unwrap() {
            assert_eq!(e["outcome"], "registered", "{e}");
            let file = e["file"].as_str().unwrap();
            let name = Path::new(file).file_name().unwrap().to_string_lossy();
            ids.insert(name.into_owned(), b256(&e["contributionId"]));
        }
    }
    let mut review = vec!["review".to_string()];
    review.extend(ids.values().map(|id| id.to_string()));
    review.push("--accept".into());
    let review: Vec<&str> = review.iter().map(String::as_str).collect();
    net.run_as(OWNER, &review).success();
    net.run_as(
        MODEL_OWNER,
        &[
            "model",
            "register",
            "--metadata-uri",
            "ipfs://field-guide-model",
            "--datanet",
            "1",
        ],
    )
    .success();
    net.fund(PAYER, tokens("1000")).await;
    net.fund(PAYER2, tokens("1000")).await;
    ids
}

/// The chosen lines of an example outputs file.
fn lines_of(example: &str, lines: &[usize]) -> String {
    let text = std::fs::read_to_string(examples().join("outputs").join(example)).unwrap();
    let all: Vec<&str> = text.lines().collect();
    lines.iter().map(|l| format!("{}\n", all[l - 1])).collect()
}

/// The output text of one example line, and its inference id.
fn output_of(example: &str, line: usize) -> (String, B256) {
    let line = lines_of(example, &[line]);
    let v: Value = serde_json::from_str(line.trim()).unwrap();
    let text = v["output"].as_str().unwrap().to_string();
    let id = keccak256(text.as_bytes());
    (text, id)
}

/// `who` pays for the outputs in `log` (written to the working folder as `name`) for model 1,
/// naming `uri` (if any) as where they are published.
fn pay(net: &Devnet, who: usize, log: &str, name: &str, uri: Option<&str>) {
    std::fs::write(net.path(name), log).unwrap();
    let mut args = vec!["pay", "1", name, "--json"];
    if let Some(uri) = uri {
        args.extend(["--outputs-uri", uri]);
    }
    let out = net.run_as(who, &args).success().json();
    assert_eq!(
        out["payments"].as_array().unwrap().len(),
        log.lines().count()
    );
}

/// `who` pays for `lines` of `example`, publishing them on `host` at `outputs/<name>`.
fn pay_published(
    net: &Devnet,
    host: &PublicationHost,
    who: usize,
    example: &str,
    lines: &[usize],
    name: &str,
) -> String {
    let log = lines_of(example, lines);
    let path = format!("outputs/{name}");
    host.publish(&path, log.clone());
    let uri = host.url(&path);
    pay(net, who, &log, name, Some(&uri));
    uri
}

/// An attestor in `folder` attributes `epoch` into `epochs/N` from chain data and URIs alone,
/// with `extra` flags, and publishes the report on `host`. Returns the JSON summary.
fn attribute(
    net: &Devnet,
    host: &PublicationHost,
    folder: &Path,
    epoch: u64,
    extra: &[&str],
) -> Value {
    let out = format!("epochs/{epoch}");
    let report_path = format!("epochs/{epoch}/report.json");
    let report_uri = host.url(&report_path);
    let n = epoch.to_string();
    let mut args = vec![
        "attribute",
        "--epoch",
        &n,
        "--out",
        &out,
        "--report-uri",
        &report_uri,
        "--json",
    ];
    args.extend_from_slice(extra);
    let summary = net.run_in(folder, None, &args).success().json();
    host.publish(
        &report_path,
        std::fs::read(folder.join(&out).join("report.json")).unwrap(),
    );
    summary
}

/// Two attestors sign `folder/epochs/N`, an outsider proposes it and, if `accept`, accepts it
/// after the challenge period.
async fn settle(net: &Devnet, folder: &Path, epoch: u64, accept: bool) {
    let dir = format!("epochs/{epoch}");
    for who in [ATTESTORS[0], ATTESTORS[1]] {
        net.run_in(folder, Some(who), &["epoch", "sign", &dir])
            .success();
    }
    net.run_in(folder, Some(OUTSIDER), &["epoch", "propose", &dir])
        .success();
    if accept {
        net.increase_time(CHALLENGE_PERIOD + 1).await;
        net.run_in(folder, Some(OUTSIDER), &["epoch", "accept"])
            .success();
    }
}

fn report_in(folder: &Path, epoch: u64) -> (Vec<u8>, AttributionReport) {
    let bytes = std::fs::read(folder.join(format!("epochs/{epoch}/report.json"))).unwrap();
    let report = AttributionReport::from_json(&bytes).unwrap();
    (bytes, report)
}

fn timed(f: impl FnOnce() -> Run) -> (Run, f64) {
    let started = std::time::Instant::now();
    let run = f();
    (run, started.elapsed().as_secs_f64())
}

#[tokio::test]
async fn an_independent_verifier_checks_every_epoch_from_chain_data_and_urls_alone() {
    let net = start();
    let host = PublicationHost::start();
    let ids = setup(&net, &host).await;

    // ---- Epoch 1, attributed by an attestor holding nothing but the deployment file.
    let outputs1 = pay_published(&net, &host, PAYER, "epoch1.jsonl", &EPOCH1_LINES, "1.jsonl");
    let attestor = net.fresh_party();
    let (run, attribute_secs) = timed(|| {
        net.run_in(
            attestor.path(),
            None,
            &[
                "attribute",
                "--epoch",
                "1",
                "--out",
                "epochs/1",
                "--report-uri",
                &host.url("epochs/1/report.json"),
            ],
        )
    });
    let text = run.success().stdout;
    assert!(text.contains(&outputs1), "{text}");
    assert!(text.contains("fetched by URI"), "{text}");
    host.publish(
        "epochs/1/report.json",
        std::fs::read(attestor.path().join("epochs/1/report.json")).unwrap(),
    );
    for name in ids.keys() {
        assert_eq!(host.hits(&format!("data/{name}")), 1, "{name} fetched once");
    }
    assert_eq!(host.hits("outputs/1.jsonl"), 1);
    // The corpus folder now holds the files, named by hash; a re-run fetches nothing.
    let cached = std::fs::read_dir(attestor.path().join("corpus"))
        .unwrap()
        .count();
    assert_eq!(cached, ids.len());
    let again = net
        .run_in(
            attestor.path(),
            None,
            &[
                "attribute",
                "--epoch",
                "1",
                "--out",
                "again/1",
                "--report-uri",
                &host.url("epochs/1/report.json"),
                "--json",
            ],
        )
        .success()
        .json();
    assert_eq!(again["corpusFetched"], 0, "{again}");
    assert_eq!(again["unpublished"], 0, "{again}");
    assert_eq!(again["outputs"][0]["uri"], outputs1.as_str(), "{again}");
    assert_eq!(
        again["outputs"][0]["matched"],
        EPOCH1_LINES.len(),
        "{again}"
    );
    for name in ids.keys() {
        assert_eq!(
            host.hits(&format!("data/{name}")),
            1,
            "{name} not fetched again"
        );
    }

    // The same epoch from local files (--log, the contributors' folder) is byte-identical.
    let local = net
        .run(&[
            "attribute",
            "--epoch",
            "1",
            "--corpus",
            "data",
            "--log",
            "1.jsonl",
            "--out",
            "local/1",
            "--report-uri",
            &host.url("epochs/1/report.json"),
            "--offline",
            "--json",
        ])
        .success()
        .json();
    assert_eq!(local["reportHash"], again["reportHash"]);
    assert_eq!(local["rewardsRoot"], again["rewardsRoot"]);
    assert_eq!(
        std::fs::read(net.path("local/1/report.json")).unwrap(),
        report_in(attestor.path(), 1).0
    );
    settle(&net, attestor.path(), 1, true).await;

    // ---- Epoch 2, by another attestor without epoch 1's folder: it builds on epoch 1's report
    // published at its on-chain URI.
    pay_published(
        &net,
        &host,
        PAYER2,
        "epoch2.jsonl",
        &EPOCH2_LINES,
        "2.jsonl",
    );
    let attestor2 = net.fresh_party();
    let out = attribute(&net, &host, attestor2.path(), 2, &[]);
    assert_eq!(
        out["previous"],
        host.url("epochs/1/report.json").as_str(),
        "{out}"
    );
    let file1: Value = serde_json::from_slice(
        &std::fs::read(attestor.path().join("epochs/1/epoch.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(out["fromBlock"], file1["toBlock"].as_u64().unwrap() + 1);
    assert!(u256(&out["totalAllocated"]) > u256(&file1["totalAllocated"]));
    settle(&net, attestor2.path(), 2, false).await;

    // ---- A verifier with nothing but the deployment file: every epoch, as a table.
    let verifier = net.fresh_party();
    let (run, verify_all_secs) = timed(|| net.run_in(verifier.path(), None, &["epoch", "verify"]));
    let text = run.success().stdout;
    assert!(text.contains("verified: 2 epoch(s)"), "{text}");
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('1') || l.starts_with('2'))
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(
        rows[0].contains("accepted") && rows[1].contains("pending"),
        "{text}"
    );
    assert!(!text.contains("DIFFERS"), "{text}");

    let (run, verify_one_secs) = timed(|| {
        net.run_in(
            verifier.path(),
            None,
            &["epoch", "verify", "--epoch", "2", "--json"],
        )
    });
    let one = run.success().json();
    assert_eq!(one["match"], true, "{one}");
    assert_eq!(one["onChain"], "pending", "{one}");
    assert_eq!(
        one["inputs"]["corpusSync"],
        Value::Null,
        "the corpus was in its folder: {one}"
    );
    let all = net
        .run_in(verifier.path(), None, &["epoch", "verify", "--json"])
        .success()
        .json();
    assert_eq!(all["match"], true, "{all}");
    let epochs = all["epochs"].as_array().unwrap();
    assert_eq!(epochs.len(), 2);
    for (e, state) in epochs.iter().zip(["accepted", "pending"]) {
        assert_eq!(e["onChain"], state, "{e}");
        for ok in ["rootOk", "totalOk", "reportOk"] {
            assert_eq!(e[ok], true, "{ok}: {e}");
        }
        assert_eq!(e["problems"], serde_json::json!([]), "{e}");
    }
    // The verifier fetched each corpus file once in all those runs (its corpus folder is a cache).
    for name in ids.keys() {
        assert_eq!(
            host.hits(&format!("data/{name}")),
            3,
            "{name}: attestors 1, 2, verifier"
        );
    }
    // The attestor's folder verifies too, with outputs and previous epoch from URIs.
    net.run_in(attestor2.path(), None, &["epoch", "verify", "epochs/2"])
        .success();
    println!(
        "attribute from URIs: {attribute_secs:.2}s; verify of 2 epochs: {verify_all_secs:.2}s; verify of one (cached corpus): {verify_one_secs:.2}s"
    );
}

#[tokio::test]
async fn an_epoch_that_differs_from_the_honest_computation_exits_3_naming_what_differs() {
    let net = start();
    let host = PublicationHost::start();
    setup(&net, &host).await;
    pay_published(&net, &host, PAYER, "epoch1.jsonl", &EPOCH1_LINES, "1.jsonl");
    let attestor = net.fresh_party();
    attribute(&net, &host, attestor.path(), 1, &[]);
    settle(&net, attestor.path(), 1, true).await;
    let verifier = net.fresh_party();
    net.run_in(verifier.path(), None, &["epoch", "verify", "--epoch", "1"])
        .success();

    // A doctored report at the URI (one account's amount raised, still a canonical report): its
    // hash is not the chain's; the recomputation still matches the chain's root and total.
    let (original, mut report) = report_in(attestor.path(), 1);
    report.accounts[0].epoch_amount += U256::from(1);
    host.publish("epochs/1/report.json", report.to_canonical_json());
    let run = net.run_in(verifier.path(), None, &["epoch", "verify", "--epoch", "1"]);
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    let line = run.failure(&["epoch 1 does not verify", "report hash"]);
    assert!(!line.contains("rewards root"), "{line}");
    assert!(run.stdout.contains("the chain says"), "{}", run.stdout);
    // A report that is gone (404) is a mismatch too: nothing published to check against.
    host.remove("epochs/1/report.json");
    let run = net.run_in(verifier.path(), None, &["epoch", "verify", "--epoch", "1"]);
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    run.failure(&["rewards root", "total allocated", "report hash"]);
    host.publish("epochs/1/report.json", original);
    net.run_in(verifier.path(), None, &["epoch", "verify", "--epoch", "1"])
        .success();

    // Epoch 2 attributed, signed, proposed and accepted with another minimum span than the
    // protocol's.
    pay_published(&net, &host, PAYER, "epoch2.jsonl", &EPOCH2_LINES, "2.jsonl");
    attribute(&net, &host, attestor.path(), 2, &["--min-span", "4"]);
    settle(&net, attestor.path(), 2, true).await;
    // The attestors' own folder agrees with itself (it was computed with 4) ...
    net.run_in(attestor.path(), None, &["epoch", "verify", "epochs/2"])
        .success();
    // ... an independent verifier does not (here the allocation happens to be the same: the
    // report, which records the parameter, differs).
    let run = net.run_in(verifier.path(), None, &["epoch", "verify", "--epoch", "2"]);
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    run.failure(&["epoch 2 does not verify", "report hash"]);
    // The verifier with the attestors' minimum span agrees: the difference is that parameter.
    net.run_in(
        verifier.path(),
        None,
        &["epoch", "verify", "--epoch", "2", "--min-span", "4"],
    )
    .success();

    // Epoch 3: the attestors sign a doctored epoch — one wei more for the first account, the
    // report, tree and epoch file made consistent with it — and propose it.
    pay_published(&net, &host, PAYER, "epoch2.jsonl", &[1, 2], "3.jsonl");
    attribute(&net, &host, attestor.path(), 3, &[]);
    let dir = attestor.path().join("epochs/3");
    let (_, mut report) = report_in(attestor.path(), 3);
    let one = U256::from(1);
    report.accounts[0].epoch_amount += one;
    report.accounts[0].cumulative_amount += one;
    report.totals.allocated += one;
    report.totals.unallocated -= one;
    report.totals.cumulative_allocated += one;
    let tree = datanet_client::publication::report_tree(&report).unwrap();
    report.rewards_root = Some(tree.root());
    let bytes = report.to_canonical_json();
    std::fs::write(dir.join("report.json"), &bytes).unwrap();
    std::fs::write(dir.join("tree.json"), tree.to_json_pretty()).unwrap();
    let mut file = datanet_client::epoch::read_epoch_file(&dir).unwrap();
    file.signed.rewardsRoot = tree.root();
    file.signed.totalAllocated = report.totals.cumulative_allocated;
    file.signed.reportHash = keccak256(&bytes);
    datanet_client::epoch::write_epoch_file(&dir, &file).unwrap();
    host.publish("epochs/3/report.json", bytes);
    settle(&net, attestor.path(), 3, false).await;
    let run = net.run_in(verifier.path(), None, &["epoch", "verify", "--epoch", "3"]);
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    run.failure(&[
        "epoch 3 does not verify",
        "rewards root",
        "total allocated",
        "report hash",
    ]);

    // Every epoch, as JSON: 1 verifies, 2 and 3 do not.
    let run = net.run_in(verifier.path(), None, &["epoch", "verify", "--json"]);
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    let all = run.json();
    assert_eq!(all["match"], false, "{all}");
    let epochs = all["epochs"].as_array().unwrap();
    let flags: Vec<(bool, bool, bool, bool)> = epochs
        .iter()
        .map(|e| {
            (
                e["match"].as_bool().unwrap(),
                e["rootOk"].as_bool().unwrap(),
                e["totalOk"].as_bool().unwrap(),
                e["reportOk"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            (true, true, true, true),
            (false, true, true, false),
            (false, false, false, false)
        ],
        "{all}"
    );
    assert_eq!(epochs[2]["onChain"], "pending", "{all}");
    run.failure(&["epoch 2 does not verify", "epoch 3 does not verify"]);
    // The same as a table.
    let run = net.run_in(verifier.path(), None, &["epoch", "verify"]);
    assert_eq!(run.code, Some(3));
    assert_eq!(run.stdout.matches("DIFFERS").count(), 4, "{}", run.stdout);
}

#[tokio::test]
async fn a_tampered_output_line_is_unpublished_the_epoch_computes_and_two_parties_agree() {
    let net = start();
    let host = PublicationHost::start();
    setup(&net, &host).await;
    // PAYER pays lines 1, 2, 5 and publishes them; then the published file is altered: line 2's
    // text changed by one word, and a broken line appended.
    let uri = pay_published(&net, &host, PAYER, "epoch1.jsonl", &[1, 2, 5], "1.jsonl");
    let (text2, id2) = output_of("epoch1.jsonl", 2);
    let tampered_text = text2.replacen("the", "a", 1);
    assert_ne!(tampered_text, text2);
    let published = lines_of("epoch1.jsonl", &[1, 2, 5]).replace(
        &serde_json::to_string(&text2).unwrap(),
        &serde_json::to_string(&tampered_text).unwrap(),
    );
    assert_ne!(published, lines_of("epoch1.jsonl", &[1, 2, 5]));
    host.publish(
        "outputs/1.jsonl",
        format!("{published}{{\"output\": broken\n"),
    );
    // PAYER2 names a URI where nothing is published (404); PAYER pays line 11 naming no URI.
    let (_, id11) = output_of("epoch1.jsonl", 11);
    let (_, id7) = output_of("epoch1.jsonl", 7);
    pay(
        &net,
        PAYER2,
        &lines_of("epoch1.jsonl", &[7]),
        "gone.jsonl",
        Some(&host.url("outputs/gone.jsonl")),
    );
    pay(
        &net,
        PAYER,
        &lines_of("epoch1.jsonl", &[11]),
        "nouri.jsonl",
        None,
    );

    // Two independent parties compute the epoch: the same bytes.
    let to_block = net.rpc("eth_blockNumber", ()).await;
    let to_block = common::quantity(&to_block).to_string();
    let mut reports = Vec::new();
    for _ in 0..2 {
        let party = net.fresh_party();
        let out = net
            .run_in(
                party.path(),
                None,
                &[
                    "attribute",
                    "--epoch",
                    "1",
                    "--out",
                    "epochs/1",
                    "--to-block",
                    &to_block,
                    "--report-uri",
                    &host.url("epochs/1/report.json"),
                    "--json",
                ],
            )
            .success()
            .json();
        assert_eq!(out["inferences"], 2, "lines 1 and 5: {out}");
        assert_eq!(out["unpublished"], 3, "lines 2, 7, 11: {out}");
        let files = out["outputs"].as_array().unwrap();
        assert_eq!(files.len(), 2, "{out}");
        assert_eq!(files[0]["uri"], uri.as_str());
        assert_eq!(files[0]["outputs"], 3, "{out}");
        assert_eq!(
            files[0]["matched"], 2,
            "the tampered line matches nothing: {out}"
        );
        assert_eq!(files[0]["rejectedLines"], serde_json::json!([4]), "{out}");
        assert_eq!(files[1]["uri"], host.url("outputs/gone.jsonl").as_str());
        let reason = files[1]["unavailable"].as_str().unwrap();
        assert!(reason.contains("404"), "{reason}");
        let (bytes, report) = report_in(party.path(), 1);
        let mut unpublished: Vec<B256> =
            report.unpublished.iter().map(|u| u.inference_id).collect();
        unpublished.sort();
        let mut expected = vec![id2, id7, id11];
        expected.sort();
        assert_eq!(unpublished, expected);
        assert!(report.mismatched.is_empty());
        assert!(report.totals.unallocated > U256::ZERO);
        // The party's folder verifies, from the same URIs.
        net.run_in(party.path(), None, &["epoch", "verify", "epochs/1"])
            .success();
        reports.push((bytes, party));
    }
    assert_eq!(reports[0].0, reports[1].0, "two parties, the same report");
}

#[tokio::test]
async fn an_unreachable_publication_is_one_error_line_naming_it_and_writes_no_epoch() {
    let net = start();
    let host = PublicationHost::start();
    let ids = setup(&net, &host).await;
    let c = pay_published(&net, &host, PAYER, "epoch1.jsonl", &[1], "c.jsonl");
    let party = net.fresh_party();
    let attribute = |out: &str| {
        net.run_in(
            party.path(),
            None,
            &[
                "attribute",
                "--epoch",
                "1",
                "--out",
                out,
                "--report-uri",
                &host.url("epochs/1/report.json"),
            ],
        )
    };

    // A corpus file nobody can fetch (404): named with its contribution, nothing written.
    host.remove("data/glasswort.txt");
    let glasswort = ids["glasswort.txt"].to_string();
    attribute("epochs/1").failure(&[
        "could not be fetched",
        &glasswort,
        &host.url("data/glasswort.txt"),
        "404",
    ]);
    assert!(!party.path().join("epochs").exists());
    // --offline fetches nothing: the file still missing is named.
    std::fs::write(party.path().join("c.jsonl"), lines_of("epoch1.jsonl", &[1])).unwrap();
    net.run_in(
        party.path(),
        None,
        &[
            "attribute",
            "--epoch",
            "1",
            "--out",
            "epochs/1",
            "--offline",
            "--log",
            "c.jsonl",
        ],
    )
    .failure(&[
        "lacks the file of 1 accepted contribution",
        "offline",
        &glasswort,
    ]);
    assert!(!party.path().join("epochs").exists());
    host.publish(
        "data/glasswort.txt",
        std::fs::read(net.path("data/glasswort.txt")).unwrap(),
    );

    // The outputs host answers 503 (after retries): an error naming the URI, not "unpublished".
    host.fail("outputs/c.jsonl", 503);
    let (run, secs_503) = timed(|| attribute("epochs/1"));
    let line = run.failure(&[&c, "503", "try again later"]);
    assert!(!party.path().join("epochs").exists(), "{line}");
    assert!(host.hits("outputs/c.jsonl") > 1, "retried");

    // Back up: the same command goes through (the corpus fetched so far is kept).
    host.publish("outputs/c.jsonl", lines_of("epoch1.jsonl", &[1]));
    let out = net
        .run_in(
            party.path(),
            None,
            &[
                "attribute",
                "--epoch",
                "1",
                "--out",
                "epochs/1",
                "--report-uri",
                &host.url("epochs/1/report.json"),
                "--json",
            ],
        )
        .success()
        .json();
    assert_eq!(out["unpublished"], 0, "{out}");
    assert_eq!(
        out["corpusFetched"], 1,
        "only the file that was missing: {out}"
    );
    std::fs::remove_dir_all(party.path().join("epochs")).unwrap();

    // A payment names a host that refuses connections: one line naming the URI, no folder.
    let unreachable = unreachable_url("outputs/2.jsonl");
    pay(
        &net,
        PAYER2,
        &lines_of("epoch1.jsonl", &[2]),
        "2.jsonl",
        Some(&unreachable),
    );
    let (run, secs_refused) = timed(|| attribute("epochs/1"));
    run.failure(&[&unreachable, "cannot be read now"]);
    assert!(!party.path().join("epochs").exists());
    println!("503 given up after {secs_503:.1}s, refused connection after {secs_refused:.1}s");
}

/// The independent verifier's story through a provider that caps `eth_getLogs` at 1,000 blocks and
/// 10,000 results, answers 5% of reads with HTTP 429 and drops the answer to one
/// `eth_sendRawTransaction`, on a chain whose history since the deployment is over 50,000 blocks
/// long: two epochs attributed by attestors holding only the deployment file (the second building
/// on the first's published report), then every epoch verified from chain data and URLs alone.
#[tokio::test]
async fn an_independent_verifier_through_a_hostile_provider_on_a_long_history() {
    let args = attestor_deploy_args(&ATTESTORS, 2, CHALLENGE_PERIOD);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut net = Devnet::start_hostile(&args, common::proxy::Hostility::default());
    net.extend_history(50_000).await;
    let host = PublicationHost::start();
    let started = std::time::Instant::now();
    setup(&net, &host).await;

    pay_published(&net, &host, PAYER, "epoch1.jsonl", &EPOCH1_LINES, "1.jsonl");
    let attestor = net.fresh_party();
    let (out, attribute_secs) = {
        let t = std::time::Instant::now();
        let out = attribute(&net, &host, attestor.path(), 1, &[]);
        (out, t.elapsed().as_secs_f64())
    };
    assert_eq!(out["unpublished"], 0, "{out}");
    settle(&net, attestor.path(), 1, true).await;
    pay_published(
        &net,
        &host,
        PAYER2,
        "epoch2.jsonl",
        &EPOCH2_LINES,
        "2.jsonl",
    );
    let attestor2 = net.fresh_party();
    let out = attribute(&net, &host, attestor2.path(), 2, &[]);
    assert_eq!(out["previous"], host.url("epochs/1/report.json").as_str());
    settle(&net, attestor2.path(), 2, true).await;

    let verifier = net.fresh_party();
    let (run, verify_secs) =
        timed(|| net.run_in(verifier.path(), None, &["epoch", "verify", "--json"]));
    let all = run.success().json();
    assert_eq!(all["match"], true, "{all}");
    assert_eq!(all["epochs"].as_array().unwrap().len(), 2, "{all}");
    let elapsed = started.elapsed().as_secs_f64();
    let stats = &net.proxy.as_ref().unwrap().stats;
    println!(
        "hostile provider, 50,000-block history: {stats}; attribute epoch 1 from URIs {attribute_secs:.1}s; verify of 2 epochs from URIs {verify_secs:.1}s; whole story {elapsed:.1}s"
    );
    assert!(stats.get(&stats.refused_ranges) > 0, "{stats}");
    assert!(stats.get(&stats.rate_limited) > 0, "{stats}");
    assert_eq!(stats.get(&stats.dropped_sends), 1, "{stats}");
}
