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
//! - a host that cannot be read now (503, no answer, refused connection) never stops an epoch: the
//!   attestor leaves the source out and lists it, verifiers leave out the same sources and say
//!   which are available now, and a listed source that is no source of the epoch exits 3;
//! - what still stops an attestor (a relative --report-uri, a corpus file that is definitively
//!   gone, an IPFS gateway that refuses connections) is one error line, and no folder is written.

mod common;

use alloy::primitives::{keccak256, B256, U256};
use common::{
    b256, examples,
    publish::{unreachable_url, PublicationHost},
    tokens, u256, Devnet, Run,
};
use datanet_attribution::{AttributionReport, SkippedSource, SourceKind};
use serde_json::Value;
use std::{collections::BTreeMap, path::Path};
use tempfile::TempDir;

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
    Devnet::start_with_attestors(&ATTESTORS, 2, CHALLENGE_PERIOD, None)
}

/// Alice and Carol publish their files on `host` under `data/` and contribute them to datanet 1
/// with those URLs; the owner accepts them; model 1 is registered on datanet 1; the payers are
/// funded. Returns each file's contribution id.
async fn setup(net: &Devnet, host: &PublicationHost) -> BTreeMap<String, B256> {
    let data = net.copy_examples("data", ALICE_FILES.into_iter().chain(CAROL_FILES));
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
    net.accept(OWNER, ids.values().copied());
    assert_eq!(net.register_model(MODEL_OWNER, 1), 1);
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

/// `datanet attribute --epoch N --out OUT --report-uri URI EXTRA...` in `folder`, from chain data
/// and URIs alone.
fn run_attribute(
    net: &Devnet,
    folder: &Path,
    epoch: u64,
    out: &str,
    report_uri: &str,
    extra: &[&str],
) -> Run {
    let n = epoch.to_string();
    let mut args = vec![
        "attribute",
        "--epoch",
        &n,
        "--out",
        out,
        "--report-uri",
        report_uri,
    ];
    args.extend_from_slice(extra);
    net.run_in(folder, None, &args)
}

/// Where epoch N's report is published on `host`.
fn report_uri(host: &PublicationHost, epoch: u64) -> String {
    host.url(&format!("epochs/{epoch}/report.json"))
}

/// Publishes `folder/epochs/N/report.json` on `host` at [`report_uri`].
fn publish_report(host: &PublicationHost, folder: &Path, epoch: u64) {
    let path = format!("epochs/{epoch}/report.json");
    host.publish(&path, std::fs::read(folder.join(&path)).unwrap());
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
    let extra = [&["--json"], extra].concat();
    let summary = run_attribute(net, folder, epoch, &out, &report_uri(host, epoch), &extra)
        .success()
        .json();
    publish_report(host, folder, epoch);
    summary
}

/// `args` followed by [`FAST`].
fn fast<'a>(args: &[&'a str]) -> Vec<&'a str> {
    [args, &FAST[..]].concat()
}

/// Epoch 2, by another attestor without epoch 1's folder: the second payer pays for
/// [`EPOCH2_LINES`], and the epoch builds on epoch 1's report published at its on-chain URI.
/// Returns the attestor's folder and the JSON summary.
fn epoch2_by_another_attestor(net: &Devnet, host: &PublicationHost) -> (TempDir, Value) {
    pay_published(net, host, PAYER2, "epoch2.jsonl", &EPOCH2_LINES, "2.jsonl");
    let attestor2 = net.fresh_party();
    let out = attribute(net, host, attestor2.path(), 2, &[]);
    assert_eq!(out["previous"], report_uri(host, 1).as_str(), "{out}");
    (attestor2, out)
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

/// The attestors doctor `folder/epochs/N`: `report` replaces its report, the epoch file signs its
/// hash (and what `sign` changes besides), and it is published on `host`.
fn doctor_epoch(
    host: &PublicationHost,
    folder: &Path,
    epoch: u64,
    report: &AttributionReport,
    sign: impl FnOnce(&mut datanet_client::epoch::EpochFile),
) {
    let dir = folder.join(format!("epochs/{epoch}"));
    let bytes = report.to_canonical_json();
    std::fs::write(dir.join("report.json"), &bytes).unwrap();
    let mut file = datanet_client::epoch::read_epoch_file(&dir).unwrap();
    sign(&mut file);
    file.signed.reportHash = keccak256(&bytes);
    datanet_client::epoch::write_epoch_file(&dir, &file).unwrap();
    publish_report(host, folder, epoch);
}

fn report_in(folder: &Path, epoch: u64) -> (Vec<u8>, AttributionReport) {
    let bytes = std::fs::read(folder.join(format!("epochs/{epoch}/report.json"))).unwrap();
    let report = AttributionReport::from_json(&bytes).unwrap();
    (bytes, report)
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
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
    let report1 = report_uri(&host, 1);
    let (run, attribute_secs) =
        timed(|| run_attribute(&net, attestor.path(), 1, "epochs/1", &report1, &[]));
    let text = run.success().stdout;
    assert!(text.contains(&outputs1), "{text}");
    assert!(text.contains("fetched by URI"), "{text}");
    publish_report(&host, attestor.path(), 1);
    for name in ids.keys() {
        assert_eq!(host.hits(&format!("data/{name}")), 1, "{name} fetched once");
    }
    assert_eq!(host.hits("outputs/1.jsonl"), 1);
    // The corpus folder now holds the files, named by hash; a re-run fetches nothing.
    let cached = std::fs::read_dir(attestor.path().join("corpus"))
        .unwrap()
        .count();
    assert_eq!(cached, ids.len());
    let again = run_attribute(&net, attestor.path(), 1, "again/1", &report1, &["--json"])
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
            &report1,
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
    let (attestor2, out) = epoch2_by_another_attestor(&net, &host);
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
    let (_, mut report) = report_in(attestor.path(), 3);
    let one = U256::from(1);
    report.accounts[0].epoch_amount += one;
    report.accounts[0].cumulative_amount += one;
    report.totals.allocated += one;
    report.totals.unallocated -= one;
    report.totals.cumulative_allocated += one;
    let tree = datanet_client::publication::report_tree(&report).unwrap();
    report.rewards_root = Some(tree.root());
    std::fs::write(
        attestor.path().join("epochs/3/tree.json"),
        tree.to_json_pretty(),
    )
    .unwrap();
    doctor_epoch(&host, attestor.path(), 3, &report, |file| {
        file.signed.rewardsRoot = tree.root();
        file.signed.totalAllocated = report.totals.cumulative_allocated;
    });
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
        let out = run_attribute(
            &net,
            party.path(),
            1,
            "epochs/1",
            &report_uri(&host, 1),
            &["--to-block", &to_block, "--json"],
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
async fn what_still_stops_an_attestor_is_one_error_line_and_writes_no_epoch() {
    let net = start();
    let host = PublicationHost::start();
    let ids = setup(&net, &host).await;
    pay_published(&net, &host, PAYER, "epoch1.jsonl", &[1], "c.jsonl");
    let party = net.fresh_party();
    let report1 = report_uri(&host, 1);
    let attribute =
        |extra: &[&str]| run_attribute(&net, party.path(), 1, "epochs/1", &report1, extra);

    // The report's URI is signed and goes on chain: it must be absolute, and is required.
    for relative in ["report.json", "epochs/1/report.json", "/srv/report.json"] {
        run_attribute(&net, party.path(), 1, "epochs/1", relative, &[]).failure(&[
            "--report-uri",
            relative,
            "not an absolute URI",
            "https://",
        ]);
    }
    let run = net.run_in(
        party.path(),
        None,
        &["attribute", "--epoch", "1", "--out", "epochs/1"],
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("--report-uri"), "{}", run.stderr);
    assert!(!party.path().join("epochs").exists());

    // A corpus file its contributor took down (404) is the contributor's answer, not the
    // attestor's problem: it is left out (listed with the reason), and the epoch computes.
    host.remove("data/glasswort.txt");
    let glasswort = ids["glasswort.txt"].to_string();
    let gone = run_attribute(&net, party.path(), 1, "gone/1", &report1, &["--json"]).success();
    assert!(
        gone.stderr.contains(&glasswort) || gone.stderr.contains("glasswort"),
        "{}",
        gone.stderr
    );
    let skipped = gone.json()["skippedSources"].clone();
    assert_eq!(skipped.as_array().map(Vec::len), Some(1), "{skipped}");
    assert_eq!(skipped[0]["kind"], "contribution", "{skipped}");
    assert_eq!(
        skipped[0]["contributionId"].as_str().map(str::to_lowercase),
        Some(glasswort.to_lowercase())
    );
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("404"),
        "{skipped}"
    );
    std::fs::remove_dir_all(party.path().join("gone")).unwrap();
    assert!(!party.path().join("epochs").exists());
    // --offline fetches nothing: the file still missing is named.
    std::fs::write(party.path().join("c.jsonl"), lines_of("epoch1.jsonl", &[1])).unwrap();
    attribute(&["--offline", "--log", "c.jsonl"]).failure(&[
        "lacks the file of 1 accepted contribution",
        "offline",
        &glasswort,
    ]);
    assert!(!party.path().join("epochs").exists());
    host.publish(
        "data/glasswort.txt",
        std::fs::read(net.path("data/glasswort.txt")).unwrap(),
    );

    // Outputs at an ipfs:// URI, and an IPFS gateway that refuses connections: the attestor's
    // own setup, not the publisher's answer, so an error naming it rather than a skipped source.
    let ipfs = "ipfs://QmOutputsOfPayer2/2.jsonl";
    let log2 = lines_of("epoch1.jsonl", &[2]);
    pay(&net, PAYER2, &log2, "2.jsonl", Some(ipfs));
    let no_gateway = unreachable_url("ipfs/");
    let (run, secs_gateway) =
        timed(|| attribute(&["--gateway", &no_gateway, "--fetch-retries", "1"]));
    run.failure(&[ipfs, "gateway cannot be reached", "--gateway"]);
    assert!(!party.path().join("epochs").exists());

    // A working gateway: the epoch computes (the corpus fetched so far was kept).
    host.publish("ipfs/QmOutputsOfPayer2/2.jsonl", log2);
    let out = attribute(&["--gateway", &host.url("ipfs/"), "--json"])
        .success()
        .json();
    assert_eq!(out["unpublished"], 0, "{out}");
    assert_eq!(
        out["corpusFetched"], 1,
        "only the file that was missing: {out}"
    );
    assert_eq!(out["skippedSources"], serde_json::json!([]), "{out}");
    println!("gateway refusing connections given up after {secs_gateway:.1}s");
}

/// A payer naming many outputs files on one host that never answers costs the attestor two
/// timeouts, not one per file: after two of the host's URIs failed in transit, its others are
/// left out at once, with that reason. One slow path on a shared host does not cut the host off
/// (see `a_host_that_cannot_be_read_now_never_stops_an_epoch`, whose hanging file sits on the
/// host that serves everything else).
#[tokio::test]
async fn a_host_that_never_answers_costs_two_timeouts_not_one_per_uri() {
    let net = start();
    let host = PublicationHost::start();
    setup(&net, &host).await;
    pay_published(&net, &host, PAYER, "epoch1.jsonl", &EPOCH1_LINES, "1.jsonl");
    let blackhole = PublicationHost::start();
    // More URIs than outputs files are fetched at a time (4): whatever the timing, the sixth
    // starts only after two have failed.
    const DUST: usize = 8;
    let uris: Vec<String> = (0..DUST)
        .map(|i| {
            let path = format!("dust/{i}.jsonl");
            blackhole.hang(&path);
            blackhole.url(&path)
        })
        .collect();
    for (i, uri) in uris.iter().enumerate() {
        let text = format!("Dust {i}: an answer whose host never answers.");
        pay(
            &net,
            PAYER2,
            &dust_line(&text),
            &format!("dust{i}.jsonl"),
            Some(uri),
        );
    }
    let attestor = net.fresh_party();
    let report1 = report_uri(&host, 1);
    let out = run_attribute(
        &net,
        attestor.path(),
        1,
        "epochs/1",
        &report1,
        &fast(&["--json"]),
    )
    .success()
    .json();
    let skipped = skipped_of(&out["skippedSources"]);
    assert_eq!(skipped.len(), DUST, "{out}");
    let timed_out = skipped
        .iter()
        .filter(|s| s.3 == "timed out after 2 attempt(s)")
        .count();
    let cut_off = skipped
        .iter()
        .filter(|s| s.3 == "host did not answer earlier (timed out after 2 attempt(s))")
        .count();
    // Outputs files are fetched a few at a time: those in flight when the host reached two
    // failures time out on their own; the rest are not tried.
    assert!(
        (2..=5).contains(&timed_out) && timed_out + cut_off == DUST,
        "{skipped:?}"
    );
    assert_eq!(out["unpublished"], DUST, "the dust outputs: {out}");
    assert_eq!(out["inferences"], EPOCH1_LINES.len(), "{out}");
}

/// One `{"output": text, "amount": "0.000000000000000001"}` line: a payment of one base unit.
fn dust_line(text: &str) -> String {
    format!(
        "{}\n",
        serde_json::json!({"output": text, "amount": "0.000000000000000001"})
    )
}

/// The `skippedSources` of a JSON summary or report as (uri, kind, contributionId, reason).
fn skipped_of(value: &Value) -> Vec<(String, String, Option<String>, String)> {
    let mut out: Vec<_> = value
        .as_array()
        .unwrap_or_else(|| panic!("a list: {value}"))
        .iter()
        .map(|s| {
            (
                s["uri"].as_str().unwrap().to_string(),
                s["kind"].as_str().unwrap().to_string(),
                s["contributionId"].as_str().map(str::to_string),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Patience of the attestors and verifiers below with a failing host: two attempts of at most one
/// second each.
const FAST: [&str; 4] = ["--fetch-retries", "1", "--fetch-timeout", "1"];

/// Nobody can stop the epochs with a host that cannot be read now. The attack: dust payments
/// naming outputs on hosts that answer 503 forever, never answer, or refuse connections; an
/// accepted contribution whose file is taken down (503). The attestor leaves each such source out,
/// lists it in the report and warns; the epoch settles as usual; verifiers leave out the same
/// sources (so the honest report verifies while the hosts are down, and when they are back), say
/// which are available now, and refuse a listed source that is no source of the epoch (exit 3).
#[tokio::test]
async fn a_host_that_cannot_be_read_now_never_stops_an_epoch() {
    let net = start();
    let host = PublicationHost::start();
    let ids = setup(&net, &host).await;

    // ---- (a) Epoch 1: honest payments, and an adversary's dust payments naming outputs at a
    // host that answers 503, one that never answers and one that refuses connections.
    pay_published(&net, &host, PAYER, "epoch1.jsonl", &EPOCH1_LINES, "1.jsonl");
    let (dust503, dust_hang, dust_refused) = (
        host.url("outputs/dust-503.jsonl"),
        host.url("outputs/dust-hang.jsonl"),
        unreachable_url("outputs/dust-refused.jsonl"),
    );
    host.fail("outputs/dust-503.jsonl", 503);
    host.hang("outputs/dust-hang.jsonl");
    let dust_texts = [
        "Dust: an answer whose file answers 503.",
        "Dust: an answer whose host never answers.",
        "Dust: an answer whose host refuses connections.",
    ];
    for (i, (text, uri)) in dust_texts
        .iter()
        .zip([&dust503, &dust_hang, &dust_refused])
        .enumerate()
    {
        pay(
            &net,
            PAYER2,
            &dust_line(text),
            &format!("dust{i}.jsonl"),
            Some(uri),
        );
    }
    let attestor = net.fresh_party();
    let report1 = report_uri(&host, 1);
    let (run, attribute_secs) = timed(|| {
        run_attribute(
            &net,
            attestor.path(),
            1,
            "epochs/1",
            &report1,
            &fast(&["--json"]),
        )
    });
    let run = run.success();
    let out = run.json();
    let expected = {
        let mut e = vec![
            (
                dust503.clone(),
                "outputs".to_string(),
                None,
                "HTTP 503 after 2 attempt(s)".to_string(),
            ),
            (
                dust_hang.clone(),
                "outputs".into(),
                None,
                "timed out after 2 attempt(s)".into(),
            ),
            (
                dust_refused.clone(),
                "outputs".into(),
                None,
                "connection refused after 2 attempt(s)".into(),
            ),
        ];
        e.sort();
        e
    };
    assert_eq!(skipped_of(&out["skippedSources"]), expected, "{out}");
    assert_eq!(out["unpublished"], 3, "the dust outputs: {out}");
    assert_eq!(out["inferences"], EPOCH1_LINES.len(), "{out}");
    // One warning line per skipped source, on stderr.
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(warnings.len(), 3, "{}", run.stderr);
    for (uri, _, _, reason) in &expected {
        assert!(
            warnings.iter().any(|w| w.starts_with("warning:")
                && w.contains(uri.as_str())
                && w.contains(reason.as_str())),
            "{uri}: {}",
            run.stderr
        );
    }
    let (_, report) = report_in(attestor.path(), 1);
    assert_eq!(report.skipped_sources.len(), 3);
    assert!(
        report.skipped_sources.windows(2).all(|w| w[0] < w[1]),
        "sorted"
    );
    publish_report(&host, attestor.path(), 1);
    // The attestors check the folder (leaving out what it left out), sign, propose, accept.
    let text = net
        .run_in(
            attestor.path(),
            None,
            &fast(&["epoch", "verify", "epochs/1"]),
        )
        .success()
        .stdout;
    assert_eq!(text.matches("still unavailable").count(), 3, "{text}");
    settle(&net, attestor.path(), 1, true).await;

    // A verifier from a fresh folder, the hosts still down: the epoch verifies.
    let verifier = net.fresh_party();
    let verify1 = fast(&["epoch", "verify", "--epoch", "1", "--json"]);
    let (run, verify_down_secs) = timed(|| net.run_in(verifier.path(), None, &verify1));
    let v = run.success().json();
    assert_eq!(v["match"], true, "{v}");
    assert_eq!(v["skippedOk"], true, "{v}");
    let skipped = v["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 3, "{v}");
    for s in skipped {
        assert_eq!(s["ofThisEpoch"], true, "{s}");
        assert_eq!(s["availableNow"], false, "{s}");
    }
    assert_eq!(
        v["inputs"]["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["skipped"].is_string())
            .count(),
        3,
        "left out, not even fetched: {v}"
    );

    // ---- (b) The 503 and the black hole are back (with the outputs paid for): the same report
    // still verifies, and the verification says they are available now.
    host.publish("outputs/dust-503.jsonl", dust_line(dust_texts[0]));
    host.publish("outputs/dust-hang.jsonl", dust_line(dust_texts[1]));
    let text = net
        .run_in(
            verifier.path(),
            None,
            &fast(&["epoch", "verify", "--epoch", "1"]),
        )
        .success()
        .stdout;
    for uri in [&dust503, &dust_hang] {
        assert!(
            text.contains(&format!("available now: {uri}")),
            "{uri}: {text}"
        );
    }
    assert!(
        text.contains(&format!(
            "still unavailable (connection refused after 2 attempt(s)): {dust_refused}"
        )),
        "{text}"
    );
    let v = net.run_in(verifier.path(), None, &verify1).success().json();
    let available: Vec<bool> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["availableNow"].as_bool().unwrap())
        .collect();
    assert_eq!(available.iter().filter(|a| **a).count(), 2, "{v}");

    // ---- (d) Epoch 2: an accepted contribution's file is taken down (503) and an output quoting
    // it is paid. An attestor without a copy leaves the contribution out.
    let glasswort_text = std::fs::read_to_string(net.path("data/glasswort.txt")).unwrap();
    let quote: Vec<&str> = glasswort_text.split_whitespace().take(40).collect();
    let log2 = format!(
        "{}\n",
        serde_json::json!({"output": format!("About samphire: {}", quote.join(" ")), "amount": "4"})
    );
    host.publish("outputs/2.jsonl", log2.clone());
    pay(
        &net,
        PAYER,
        &log2,
        "2.jsonl",
        Some(&host.url("outputs/2.jsonl")),
    );
    host.fail("data/glasswort.txt", 503);
    let glasswort = ids["glasswort.txt"];
    let glasswort_uri = host.url("data/glasswort.txt");
    let attestor2 = net.fresh_party();
    let report2 = report_uri(&host, 2);
    let run = run_attribute(
        &net,
        attestor2.path(),
        2,
        "epochs/2",
        &report2,
        &fast(&["--json"]),
    )
    .success();
    let out2 = run.json();
    assert_eq!(
        skipped_of(&out2["skippedSources"]),
        [(
            glasswort_uri.clone(),
            "contribution".to_string(),
            Some(glasswort.to_string()),
            "HTTP 503 after 2 attempt(s)".to_string()
        )],
        "{out2}"
    );
    let warning = run.stderr.trim();
    assert!(
        warning.starts_with("warning:")
            && warning.contains(&glasswort.to_string())
            && warning.contains(&glasswort_uri)
            && warning.lines().count() == 1,
        "{warning}"
    );
    let (_, report) = report_in(attestor2.path(), 2);
    let credited = |r: &AttributionReport| {
        r.inferences
            .iter()
            .flat_map(|i| &i.credits)
            .any(|c| c.contribution_id == glasswort)
    };
    assert!(!credited(&report), "left out: it earns nothing this epoch");
    publish_report(&host, attestor2.path(), 2);
    // The verifier holds glasswort from epoch 1 in its corpus folder: computing the epoch itself
    // it would credit it — so verifying, it must leave it out as the report says.
    let to_block = out2["toBlock"].as_u64().unwrap().to_string();
    let own = run_attribute(
        &net,
        verifier.path(),
        2,
        "mine/epochs/2",
        &report2,
        &fast(&["--to-block", &to_block, "--json"]),
    )
    .success()
    .json();
    assert_eq!(own["skippedSources"], serde_json::json!([]), "{own}");
    assert_ne!(own["reportHash"], out2["reportHash"]);
    assert!(credited(&report_in(&verifier.path().join("mine"), 2).1));
    settle(&net, attestor2.path(), 2, true).await;
    let verify2 = fast(&["epoch", "verify", "--epoch", "2", "--json"]);
    let v = net.run_in(verifier.path(), None, &verify2).success().json();
    assert_eq!(v["match"], true, "{v}");
    let s = &v["skipped"][0];
    assert_eq!(s["contributionId"], glasswort.to_string().as_str(), "{v}");
    assert_eq!(s["availableNow"], true, "{v}");
    assert!(
        s["finding"].as_str().unwrap().contains("corpus folder"),
        "{v}"
    );
    // A verifier without a copy, glasswort still down: epoch 2 (which left it out) verifies;
    // epoch 1 (which used it) cannot be verified now — an error, not a verdict.
    let verifier2 = net.fresh_party();
    let v = net
        .run_in(verifier2.path(), None, &verify2)
        .success()
        .json();
    assert_eq!(v["match"], true, "{v}");
    assert_eq!(v["skipped"][0]["availableNow"], false, "{v}");
    let run = net.run_in(verifier2.path(), None, &verify1);
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    run.failure(&[&glasswort.to_string(), "503", "try again later"]);
    host.publish("data/glasswort.txt", glasswort_text);

    // ---- (c) Epoch 3: the attestors sign a report listing skipped sources that are no source of
    // the epoch (an outputs URI no payment names, a contribution that does not exist) and
    // propose it.
    pay_published(&net, &host, PAYER, "epoch2.jsonl", &[6, 8], "3.jsonl");
    attribute(&net, &host, attestor.path(), 3, &FAST);
    let (_, mut report) = report_in(attestor.path(), 3);
    assert!(report.skipped_sources.is_empty());
    let invented = host.url("outputs/never-paid.jsonl");
    let ghost = B256::repeat_byte(0xab);
    report.set_skipped_sources(vec![
        SkippedSource {
            uri: invented.clone(),
            kind: SourceKind::Outputs,
            contribution_id: None,
            reason: "HTTP 503 after 2 attempt(s)".into(),
        },
        SkippedSource {
            uri: host.url("data/eelgrass.txt"),
            kind: SourceKind::Contribution,
            contribution_id: Some(ghost),
            reason: "HTTP 503 after 2 attempt(s)".into(),
        },
    ]);
    doctor_epoch(&host, attestor.path(), 3, &report, |_| {});
    settle(&net, attestor.path(), 3, false).await;
    let mut verify3 = fast(&["epoch", "verify", "--epoch", "3"]);
    let run = net.run_in(verifier.path(), None, &verify3);
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    let line = run.failure(&[
        "epoch 3 does not verify",
        "skipped sources",
        &invented,
        "report hash",
    ]);
    assert!(!line.contains("rewards root"), "{line}");
    assert!(
        run.stdout
            .contains(&format!("no accepted contribution {ghost}")),
        "{}",
        run.stdout
    );
    verify3.push("--json");
    let run = net.run_in(verifier.path(), None, &verify3);
    assert_eq!(run.code, Some(3));
    let v = run.json();
    assert_eq!(
        (v["rootOk"].clone(), v["totalOk"].clone()),
        (true.into(), true.into()),
        "{v}"
    );
    assert_eq!(
        (v["reportOk"].clone(), v["skippedOk"].clone()),
        (false.into(), false.into()),
        "{v}"
    );
    let not_of_epoch: Vec<&Value> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["ofThisEpoch"] == false)
        .collect();
    assert_eq!(not_of_epoch.len(), 2, "{v}");
    // The attestors' own folder says so too.
    let run = net.run_in(
        attestor.path(),
        None,
        &fast(&["epoch", "verify", "epochs/3"]),
    );
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    run.failure(&["skipped sources", &invented]);

    // Every epoch as a table: 1 and 2 verify, with what is available now; 3 does not.
    let run = net.run_in(verifier.path(), None, &fast(&["epoch", "verify"]));
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("3 (2 available now)"), "{}", run.stdout);
    assert!(run.stdout.contains("1 (1 available now)"), "{}", run.stdout);
    assert!(
        run.stdout.contains("2 (2 NOT OF THIS EPOCH)"),
        "{}",
        run.stdout
    );
    run.failure(&["epoch 3 does not verify"]);
    println!(
        "attribute with 3 unreachable outputs hosts: {attribute_secs:.1}s; verify with them down: {verify_down_secs:.1}s"
    );
}

/// The independent verifier's story through a provider that caps `eth_getLogs` at 1,000 blocks and
/// 10,000 results, answers 5% of reads with HTTP 429 and drops the answer to one
/// `eth_sendRawTransaction`, on a chain whose history since the deployment is over 50,000 blocks
/// long: two epochs attributed by attestors holding only the deployment file (the second building
/// on the first's published report), every epoch verified from chain data and URLs alone, and each
/// contributor's claim from a folder holding only its key and the deployment file.
#[tokio::test]
async fn an_independent_verifier_through_a_hostile_provider_on_a_long_history() {
    let mut net = Devnet::start_with_attestors(
        &ATTESTORS,
        2,
        CHALLENGE_PERIOD,
        Some(common::proxy::Hostility::default()),
    );
    net.extend_history(50_000).await;
    let host = PublicationHost::start();
    let started = std::time::Instant::now();
    setup(&net, &host).await;

    pay_published(&net, &host, PAYER, "epoch1.jsonl", &EPOCH1_LINES, "1.jsonl");
    let attestor = net.fresh_party();
    let (out, attribute_secs) = timed(|| attribute(&net, &host, attestor.path(), 1, &[]));
    assert_eq!(out["unpublished"], 0, "{out}");
    settle(&net, attestor.path(), 1, true).await;
    let (attestor2, _) = epoch2_by_another_attestor(&net, &host);
    settle(&net, attestor2.path(), 2, true).await;

    let verifier = net.fresh_party();
    let (run, verify_secs) =
        timed(|| net.run_in(verifier.path(), None, &["epoch", "verify", "--json"]));
    let all = run.success().json();
    assert_eq!(all["match"], true, "{all}");
    assert_eq!(all["epochs"].as_array().unwrap().len(), 2, "{all}");

    // Each contributor claims from a folder of its own holding only the deployment file: the tree
    // is rebuilt from the report at epoch 2's on-chain reportURI, through the same provider.
    for who in [ALICE, CAROL] {
        let wallet = net.fresh_party();
        let before = net.balance(net.address(who)).await;
        let claimed = net
            .run_in(wallet.path(), Some(who), &["rewards", "claim", "--json"])
            .success()
            .json();
        let received = u256(&claimed["received"]);
        assert!(received > U256::ZERO, "{claimed}");
        assert_eq!(net.balance(net.address(who)).await, before + received);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let stats = &net.proxy.as_ref().unwrap().stats;
    println!(
        "hostile provider, 50,000-block history: {stats}; attribute epoch 1 from URIs {attribute_secs:.1}s; verify of 2 epochs from URIs {verify_secs:.1}s; whole story {elapsed:.1}s"
    );
    assert!(stats.get(&stats.refused_ranges) > 0, "{stats}");
    assert!(stats.get(&stats.rate_limited) > 0, "{stats}");
    assert_eq!(stats.get(&stats.dropped_sends), 1, "{stats}");
}
