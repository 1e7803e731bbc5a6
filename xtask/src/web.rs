//! The contributor page (`web/`): `cargo xtask web` builds it and serves it for a deployment;
//! `cargo xtask web-test` runs its tests in headless Chromium against a local anvil on which a
//! demo-like scenario left accepted, unclaimed epochs whose reports the test serves.

use crate::{
    contracts, devchain,
    toolchain::{ensure_npm, npm_bin, run, step},
};
use alloy::{
    node_bindings::Anvil,
    primitives::{utils::parse_units, Address, U256},
};
use anyhow::{bail, ensure, Context, Result};
use datanet_client::{
    deploy,
    epoch::{sign_digest, write_epoch_dir, write_epoch_file, EpochSources},
    files, outputs,
    payments::{PayOptions, Payment},
    Client, DeployConfig, RpcConfig, Silent,
};
use serde_json::json;
use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Component, Path, PathBuf},
    process::Command,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

/// The browser the tests drive: Debian's `chromium` package.
const CHROMIUM: &str = "/usr/bin/chromium";

#[derive(clap::Args)]
pub struct WebArgs {
    /// The deployment file to show (`deployments/<chainId>.json`).
    #[arg(long)]
    deployment: PathBuf,
    /// RPC URL the page reads through (the browser must reach it).
    #[arg(long, env = "ETH_RPC_URL", default_value = "http://127.0.0.1:8545")]
    rpc_url: String,
    /// Gateway for `ipfs://` URIs, e.g. `https://ipfs.io` (`ipfs://CID/x` is read at `<gateway>/ipfs/CID/x`).
    #[arg(long)]
    gateway: Option<String>,
    /// Also serve this folder at `/ipfs/` and use this server as the gateway (`ipfs://CID/path` is
    /// read from `FOLDER/CID/path`): reports published as `ipfs://…` without an IPFS node.
    #[arg(long)]
    ipfs_root: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8088")]
    listen: String,
    /// Build the page with its config.json into this folder (to host it anywhere) and exit.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Builds the page into `out` (default `target/web/dist`): ABIs and enum names from the compiled
/// contracts, bundled by esbuild. Returns the folder.
pub fn build(root: &Path, out: Option<&Path>) -> Result<PathBuf> {
    ensure_npm(root)?;
    let work = root.join("target/web");
    std::fs::create_dir_all(&work)?;
    let compiled = contracts::compile(root)?;
    let mut enums = BTreeMap::new();
    let mut abis = serde_json::Map::new();
    for c in &compiled {
        abis.insert(c.name.clone(), serde_json::to_value(&c.abi)?);
        enums.extend(c.enums.clone());
    }
    let abi_file = work.join("abi.json");
    std::fs::write(
        &abi_file,
        serde_json::to_vec_pretty(&json!({ "contracts": abis, "enums": enums }))?,
    )?;
    let dist = out.map_or_else(|| work.join("dist"), Path::to_path_buf);
    run(
        Command::new("node")
            .arg(root.join("web/build.mjs"))
            .arg("--abi")
            .arg(&abi_file)
            .arg("--out")
            .arg(&dist)
            .current_dir(root),
        "node web/build.mjs",
    )?;
    Ok(dist)
}

/// `cargo xtask web`: builds the page, writes its config.json, and serves it (or just writes it).
pub fn serve(root: &Path, args: &WebArgs) -> Result<()> {
    let deployment: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&args.deployment)
            .with_context(|| format!("reading {}", args.deployment.display()))?,
    )
    .with_context(|| format!("{} is not JSON", args.deployment.display()))?;
    ensure!(
        deployment.get("chainId").is_some() && deployment.get("attributionPool").is_some(),
        "{} is not a deployment file (no chainId / attributionPool)",
        args.deployment.display()
    );
    let dist = build(root, args.out.as_deref())?;
    let origin = format!("http://{}", args.listen);
    let gateway = match (&args.gateway, &args.ipfs_root) {
        (Some(g), _) => Some(g.clone()),
        (None, Some(_)) => Some(origin.clone()),
        (None, None) => None,
    };
    let config = json!({ "deployment": deployment, "rpcUrl": args.rpc_url, "gateway": gateway });
    std::fs::write(
        dist.join("config.json"),
        serde_json::to_vec_pretty(&config)?,
    )?;
    if args.out.is_some() {
        println!(
            "page and config.json written to {}: host that folder anywhere",
            dist.display()
        );
        return Ok(());
    }
    let mut mounts = vec![("/".to_string(), dist)];
    if let Some(ipfs) = &args.ipfs_root {
        mounts.push(("/ipfs/".to_string(), ipfs.clone()));
    }
    let listener =
        TcpListener::bind(&args.listen).with_context(|| format!("listening on {}", args.listen))?;
    println!(
        "contributor page on {origin}/ (chain {}, RPC {}); Ctrl-C stops it",
        deployment["chainId"], args.rpc_url
    );
    serve_forever(listener, mounts);
    Ok(())
}

/* STATIC SERVER */

/// Serves files under URL prefixes (longest prefix wins), GET and HEAD only, one thread per
/// connection. Paths with `..` or hidden components are refused.
fn serve_forever(listener: TcpListener, mounts: Vec<(String, PathBuf)>) {
    serve_until(listener, mounts, &AtomicBool::new(false));
}

fn serve_until(listener: TcpListener, mounts: Vec<(String, PathBuf)>, stop: &AtomicBool) {
    let mounts = Arc::new(mounts);
    for stream in listener.incoming().flatten() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let mounts = mounts.clone();
        std::thread::spawn(move || {
            let _ = handle(stream, &mounts);
        });
    }
}

/// The static server on a background thread (local publication host of the demo, page of the
/// browser tests); it stops when dropped.
pub struct StaticServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl StaticServer {
    /// Serves `mounts` (see [`serve_forever`]) on a free port of 127.0.0.1.
    pub fn start(mounts: Vec<(String, PathBuf)>) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || serve_until(listener, mounts, &flag));
        Ok(Self { addr, stop })
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn base(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn handle(mut stream: TcpStream, mounts: &[(String, PathBuf)]) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let (status, content_type, body) = if method != "GET" && method != "HEAD" {
        (
            "405 Method Not Allowed",
            "text/plain",
            b"GET only\n".to_vec(),
        )
    } else {
        match resolve(mounts, target.split(['?', '#']).next().unwrap_or("/")) {
            Some(path) => match std::fs::read(&path) {
                Ok(body) => ("200 OK", content_type(&path), body),
                Err(_) => ("404 Not Found", "text/plain", b"not found\n".to_vec()),
            },
            None => ("404 Not Found", "text/plain", b"not found\n".to_vec()),
        }
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

fn resolve(mounts: &[(String, PathBuf)], url_path: &str) -> Option<PathBuf> {
    let path = percent_decode(url_path)?;
    let (prefix, dir) = mounts
        .iter()
        .filter(|(prefix, _)| path.starts_with(prefix.as_str()))
        .max_by_key(|(prefix, _)| prefix.len())?;
    let rest = Path::new(&path[prefix.len()..]);
    if rest.components().any(|c| match c {
        Component::Normal(name) => name.to_string_lossy().starts_with('.'),
        _ => true,
    }) {
        return None;
    }
    let file = dir.join(rest);
    Some(if file.is_dir() {
        file.join("index.html")
    } else {
        file
    })
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/* BROWSER TESTS */

/// `cargo xtask web-test`: unit tests of the page's modules (node), then the browser scenario.
pub fn test(root: &Path) -> Result<()> {
    let dist = build(root, None)?;
    let mut unit_tests: Vec<PathBuf> = std::fs::read_dir(root.join("web/test"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    unit_tests.sort();
    run(
        Command::new("node")
            .arg("--test")
            .args(&unit_tests)
            .current_dir(root),
        "node --test web/test/*.test.mjs",
    )?;
    ensure_chromium()?;
    let work = root.join("target/web-test");
    let _ = std::fs::remove_dir_all(&work);
    let site = work.join("site");
    copy_dir(&dist, &site)?;

    let anvil = Anvil::new()
        .path(npm_bin(root, "anvil"))
        .try_spawn()
        .context("starting anvil from node_modules (run `cargo xtask setup`)")?;
    let started = Instant::now();
    let fixture = tokio::runtime::Runtime::new()?.block_on(scenario(root, &anvil, &site))?;
    println!(
        "    scenario on anvil {} ready in {:.1}s",
        anvil.endpoint(),
        started.elapsed().as_secs_f64()
    );
    let fixture_file = work.join("fixture.json");
    std::fs::write(&fixture_file, serde_json::to_vec_pretty(&fixture)?)?;

    let server = StaticServer::start(vec![("/".into(), site.clone())])?;
    let base = server.base();
    // The page's config.json, as `cargo xtask web` writes it; the test server is the IPFS gateway.
    let config = json!({ "deployment": fixture["deployment"], "rpcUrl": fixture["rpcUrl"], "gateway": base });
    std::fs::write(
        site.join("config.json"),
        serde_json::to_vec_pretty(&config)?,
    )?;
    run(
        Command::new("node")
            .arg(root.join("web/test/browser.mjs"))
            .arg(&fixture_file)
            .arg(&base)
            .env("CHROMIUM", CHROMIUM)
            .env("SCREENSHOTS", root.join("target/web-screenshots"))
            .current_dir(root),
        "node web/test/browser.mjs",
    )?;
    drop(server);
    drop(anvil);
    Ok(())
}

/// Makes sure Debian's chromium is installed, installing it with apt-get where missing.
fn ensure_chromium() -> Result<()> {
    if Path::new(CHROMIUM).exists() {
        return Ok(());
    }
    step("install chromium (apt-get)", || {
        let apt = |args: &[&str]| {
            Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status()
                .map(|s| s.success())
                .unwrap_or(false)
        };
        if !(apt(&["update", "-q"]) && apt(&["install", "-y", "-q", "chromium"])) {
            bail!(
                "{CHROMIUM} is missing and `apt-get install chromium` failed: the browser tests need \
                 Debian's chromium package (install it as root: apt-get update && apt-get install -y chromium)"
            );
        }
        ensure!(
            Path::new(CHROMIUM).exists(),
            "apt-get installed chromium but {CHROMIUM} is still missing"
        );
        Ok(())
    })
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/* SCENARIO */

const BOND: &str = "2";
const REVIEW_PERIOD: u32 = 86_400;
const CHALLENGE_PERIOD: u64 = 3_600;
const FUNDING: &str = "10000";

fn tokens(text: &str) -> Result<U256> {
    Ok(parse_units(text, 18)?.into())
}

/// A demo-like run that leaves alice with two accepted, unclaimed epochs, bob with one claim made
/// from the CLI library, carol with a rejected contribution; reports published under
/// `site/ipfs/epochs/N/report.json` as `ipfs://epochs/N/report.json`. Returns what the browser
/// test must find on the page, computed here from the engine's output.
async fn scenario(
    root: &Path,
    anvil: &alloy::node_bindings::AnvilInstance,
    site: &Path,
) -> Result<serde_json::Value> {
    let examples = root.join("examples");
    let url = anvil.endpoint();
    let keys = devchain::dev_keys(anvil);
    let deployer = Client::connect(&RpcConfig::new(url.clone()), Some(keys[0].clone())).await?;
    let deployment = deploy(
        &deployer,
        &DeployConfig {
            token: None,
            token_supply: tokens("1000000000")?,
            attestors: vec![keys[7].address(), keys[8].address(), keys[9].address()],
            threshold: 2,
            challenge_period: CHALLENGE_PERIOD,
            protocol_fee_bps: 500,
            treasury: Some(keys[6].address()),
            guardian: None,
            owner: None,
            min_commitment_age: 1,
            max_commitment_age: 86_400,
        },
    )
    .await?;
    let session = |i: usize| devchain::session(&url, &keys[i], &deployment);
    let curator = session(0).await?;
    let people = [
        ("alice", session(1).await?),
        ("bob", session(2).await?),
        ("carol", session(3).await?),
    ];
    let model_owner = session(4).await?;
    let payer = session(5).await?;
    for who in people.iter().map(|(_, s)| s).chain([&payer]) {
        curator
            .transfer(who.client.sender()?, tokens(FUNDING)?)
            .await?;
    }

    let bond = tokens(BOND)?;
    let (field_guide, _) = curator
        .create_datanet("ipfs://datanet/field-guide", bond, REVIEW_PERIOD)
        .await?;
    let (repair_notes, _) = curator
        .create_datanet("ipfs://datanet/repair-notes", bond, REVIEW_PERIOD)
        .await?;
    let roster: serde_json::Value =
        serde_json::from_slice(&std::fs::read(examples.join("contributors.json"))?)?;
    let corpus = root.join("target/web-test/corpus");
    std::fs::create_dir_all(&corpus)?;
    let mut accepted = Vec::new();
    let mut contributions: BTreeMap<&str, usize> = BTreeMap::new();
    for (name, who) in &people {
        let list: Vec<PathBuf> = roster[*name]
            .as_array()
            .context("examples/contributors.json lists each contributor's files")?
            .iter()
            .filter_map(|p| p.as_str().map(|p| examples.join(p)))
            .collect();
        for (datanet, folder) in [
            (field_guide, "datanets/field-guide"),
            (repair_notes, "datanets/repair-notes"),
        ] {
            let paths: Vec<PathBuf> = list
                .iter()
                .filter(|p| p.starts_with(examples.join(folder)))
                .cloned()
                .collect();
            if paths.is_empty() {
                continue;
            }
            let data = files::collect(&paths)?;
            let done = who
                .contribute(datanet, &data, |f| uri(&examples, f), 100, &Silent)
                .await?;
            accepted.extend(done.files.iter().map(|r| r.contribution_id));
            *contributions.entry(name).or_default() += done.files.len();
            for p in &paths {
                std::fs::copy(p, corpus.join(p.file_name().context("file name")?))?;
            }
        }
    }
    let spam = files::collect(&[examples.join("extra/spam.txt")])?;
    let spam_id = people[2]
        .1
        .contribute(field_guide, &spam, |f| uri(&examples, f), 1, &Silent)
        .await?
        .files[0]
        .contribution_id;
    *contributions.entry("carol").or_default() += 1;
    curator.review(&accepted, true).await?;
    curator.review(&[spam_id], false).await?;
    let (model_id, _) = model_owner
        .register_model(
            "ipfs://model/wetland-and-bike-helper",
            &[field_guide, repair_notes],
            2_000,
        )
        .await?;

    let epochs_dir = root.join("target/web-test/epochs");
    let mut epochs = Vec::new();
    let mut per_epoch: BTreeMap<Address, Vec<serde_json::Value>> = BTreeMap::new();
    let mut last_cumulative = BTreeMap::new();
    for (epoch, log) in [(1u64, "outputs/epoch1.jsonl"), (2, "outputs/epoch2.jsonl")] {
        let log = examples.join(log);
        let payments = outputs::read(&log)?
            .iter()
            .map(|o| {
                Ok(Payment {
                    amount: tokens(
                        o.amount
                            .as_deref()
                            .context("demo outputs name their amount")?,
                    )?,
                    inference_id: o.inference_id,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let options = PayOptions {
            batch_size: 50,
            pay_again: false,
            outputs_uri: String::new(),
        };
        payer.pay(model_id, &payments, &options, &Silent).await?;
        let dir = epochs_dir.join(epoch.to_string());
        let previous = (epoch > 1).then(|| epochs_dir.join((epoch - 1).to_string()));
        let report_uri = format!("ipfs://epochs/{epoch}/report.json");
        let mut computed = curator
            .compute_epoch(&EpochSources {
                epoch,
                to_block: None,
                from_block: None,
                min_span: 8,
                corpus_dir: &corpus,
                log: &log,
                previous: previous.as_deref(),
                report_uri: report_uri.clone(),
                nonce: None,
            })
            .await?;
        write_epoch_dir(&dir, &computed)?;
        let digest = curator.epoch_digest(&computed.file).await?;
        for key in &keys[7..9] {
            computed.file.signatures.push(sign_digest(key, digest)?);
        }
        write_epoch_file(&dir, &computed.file)?;
        payer.propose_epoch(&computed.file, &[]).await?;
        devchain::advance(&curator, CHALLENGE_PERIOD + 1).await?;
        payer.accept_epoch().await?;

        let published = site.join(format!("ipfs/epochs/{epoch}"));
        std::fs::create_dir_all(&published)?;
        std::fs::write(published.join("report.json"), &computed.report_bytes)?;
        let report = &computed.outcome.report;
        for (_, who) in &people {
            let account = who.client.sender()?;
            let credited: u64 = report
                .inferences
                .iter()
                .flat_map(|i| &i.credits)
                .filter(|c| c.contributor == account)
                .map(|c| c.credit)
                .sum();
            let earned = report
                .accounts
                .iter()
                .find(|a| a.account == account)
                .map_or(U256::ZERO, |a| a.epoch_amount);
            per_epoch.entry(account).or_default().push(json!({
                "epoch": epoch, "credited": credited.to_string(), "earned": earned.to_string(),
            }));
        }
        last_cumulative = computed.outcome.cumulative.clone();
        epochs.push(json!({ "epoch": epoch, "reportUri": report_uri, "rewardsRoot": computed.file.signed.rewardsRoot }));
        if epoch == 1 {
            // bob claims epoch 1 from the library: the page must count it as claimed.
            let bob = &people[1].1;
            let tree = datanet_client::epoch::read_tree(&dir)?;
            let account = bob.client.sender()?;
            if let Some(amount) = tree.amount_of(account) {
                bob.claim(account, amount, tree.get_proof_for(account)?)
                    .await?;
            }
        }
    }

    let mut accounts = serde_json::Map::new();
    let mut expected = serde_json::Map::new();
    for (name, who) in &people {
        let account = who.client.sender()?;
        accounts.insert((*name).into(), json!(account));
        expected.insert(
            account.to_string(),
            json!({
                "cumulative": last_cumulative.get(&account).copied().unwrap_or_default().to_string(),
                "claimed": who.claimed(account).await?.to_string(),
                "balance": who.balance(account).await?.to_string(),
                "contributions": contributions.get(name).copied().unwrap_or_default(),
                "perEpoch": per_epoch.get(&account).cloned().unwrap_or_default(),
            }),
        );
    }
    accounts.insert("guardian".into(), json!(keys[0].address()));
    accounts.insert("nobody".into(), json!(keys[6].address()));
    Ok(json!({
        "rpcUrl": url,
        "chainId": deployment.chain_id,
        "deployment": deployment,
        "accounts": accounts,
        "epochs": epochs,
        "expected": expected,
        "rejected": spam_id,
    }))
}

fn uri(examples: &Path, file: &files::DataFile) -> String {
    format!(
        "ipfs://examples/{}",
        file.path
            .strip_prefix(examples)
            .unwrap_or(&file.path)
            .display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_refuses_escapes_and_hidden_files() {
        let mounts = vec![
            ("/".to_string(), PathBuf::from("/srv/page")),
            ("/ipfs/".to_string(), PathBuf::from("/srv/reports")),
        ];
        assert_eq!(
            resolve(&mounts, "/app.js"),
            Some(PathBuf::from("/srv/page/app.js"))
        );
        assert_eq!(
            resolve(&mounts, "/ipfs/epochs/1/report.json"),
            Some(PathBuf::from("/srv/reports/epochs/1/report.json"))
        );
        assert_eq!(resolve(&mounts, "/../etc/passwd"), None);
        assert_eq!(resolve(&mounts, "/ipfs/%2e%2e/secret"), None);
        assert_eq!(resolve(&mounts, "/.git/config"), None);
        assert_eq!(resolve(&mounts, "/%zz"), None);
    }
}
