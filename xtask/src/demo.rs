//! `cargo xtask demo`: the mission played by independent parties on a local chain.
//!
//! The demo itself only plays the world: it starts anvil and a local HTTP server (the publication
//! host, serving `target/demo/publish/`), builds the `datanet` binary, hands out test ETH like a
//! faucet, moves the chain's clock when the story needs time to pass, and checks the end result.
//! Every party is a folder `target/demo/<party>/` holding its own encrypted key (made with
//! `cast wallet new`, its password in a file beside it), a copy of `deployments/<chainId>.json`
//! and its own working files, and acts only by running `datanet` in that folder (the deployer also
//! sends tokens with `cast send`). What a party shows the others it publishes as a file under
//! `target/demo/publish/<party>/`, served at `http://127.0.0.1:PORT/<party>/…`; nothing else
//! crosses folders.
//!
//! The story: two datanets get data from three contributors (a duplicate refused, spam rejected, a
//! late note auto-accepted), a model is paid for its outputs in two epochs, three attestors each
//! recompute every epoch from the chain and the published files, sign (2 of 3 needed) and propose;
//! the guardian vetoes once, the epoch is signed again, accepted after the challenge period and
//! recomputed by a verifier who is none of the above; contributors claim with their wallet only,
//! the model owner withdraws its share. Exits non-zero if any on-chain balance disagrees with the
//! published reports.

use crate::{devchain, toolchain::npm_bin, web::StaticServer};
use alloy::{
    node_bindings::Anvil,
    primitives::{utils::format_units, Address, B256, U256},
    providers::Provider,
};
use anyhow::{bail, ensure, Context, Result};
use datanet_client::{
    publication::{FetchConfig, Fetcher},
    rewards::{published_epoch, PublishedEpoch},
    Client, RpcConfig, Session,
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::{
    collections::BTreeMap,
    io::{Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

const BOND: &str = "2";
const REVIEW_PERIOD: u64 = 86_400;
const CHALLENGE_PERIOD: u64 = 3_600;
/// Tokens the deployer sends each contributor and the payer (18 decimals).
const FUNDING: &str = "10000";
const FUNDING_BASE_UNITS: &str = "10000000000000000000000";
/// Test ETH the faucet gives every party: 100 ETH in wei.
const FAUCET_WEI: &str = "0x56bc75e2d63100000";
const CONTRIBUTORS: [&str; 3] = ["alice", "bob", "carol"];
const ATTESTORS: [&str; 3] = ["attestor-a", "attestor-b", "attestor-c"];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Roster {
    alice: Vec<String>,
    bob: Vec<String>,
    carol: Vec<String>,
    carol_duplicate: String,
}

/// One party: its folder, and its address when it holds a key.
#[derive(Clone)]
struct Party {
    name: &'static str,
    dir: PathBuf,
    address: Option<Address>,
}

impl Party {
    fn address(&self) -> Result<Address> {
        self.address
            .with_context(|| format!("{} holds no key", self.name))
    }
}

/// What the demo plays itself: the chain, the publication host, the binaries, the clock.
struct World {
    root: PathBuf,
    work: PathBuf,
    publish: PathBuf,
    /// `http://127.0.0.1:PORT/`: the publication host.
    host: String,
    rpc: String,
    datanet: PathBuf,
    cast: PathBuf,
    started: Instant,
    /// In the order they appear in the story.
    parties: Vec<Party>,
}

struct Step(Instant);

/// Prints a step's title with the time since the demo started; its duration when dropped.
fn step(started: Instant, title: &str) -> Step {
    println!("\n==> [{:>5.1}s] {title}", started.elapsed().as_secs_f64());
    Step(Instant::now())
}

impl World {
    fn step(&self, title: &str) -> Step {
        step(self.started, title)
    }

    fn party(&self, name: &str) -> Result<&Party> {
        self.parties
            .iter()
            .find(|p| p.name == name)
            .with_context(|| format!("no party {name}"))
    }

    fn url(&self, party: &str, path: &str) -> String {
        format!("{}{party}/{path}", self.host)
    }

    /// Runs `program args` as `party`: in its folder, with nothing from the caller's environment
    /// but PATH, its folder as HOME and the chain's RPC URL.
    async fn exec(
        &self,
        party: &Party,
        program: &Path,
        args: &[String],
        envs: &[(&str, String)],
    ) -> Result<std::process::Output> {
        let mut cmd = tokio::process::Command::new(program);
        cmd.current_dir(&party.dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &party.dir)
            .env("ETH_RPC_URL", &self.rpc)
            .envs(envs.iter().map(|(k, v)| (*k, v)))
            .args(args)
            .stdin(Stdio::null())
            .kill_on_drop(true);
        cmd.output()
            .await
            .with_context(|| format!("starting {}", program.display()))
    }

    /// `datanet ARGS --json` as `party` (with its keystore when it has one); its JSON output.
    async fn datanet(&self, party: &Party, args: &[&str]) -> Result<Value> {
        show(party.name, "datanet", args);
        let output = self.run_datanet(party, args).await?;
        if !output.status.success() {
            bail!(
                "{}: `datanet {}` failed ({}): {}",
                party.name,
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        serde_json::from_slice(&output.stdout).with_context(|| {
            format!(
                "{}: `datanet {}` printed no JSON: {}",
                party.name,
                args.join(" "),
                String::from_utf8_lossy(&output.stdout)
            )
        })
    }

    /// `datanet ARGS` as `party`, which the story expects to be refused; the one-line error.
    async fn datanet_refused(&self, party: &Party, args: &[&str]) -> Result<String> {
        show(party.name, "datanet", args);
        let output = self.run_datanet(party, args).await?;
        ensure!(
            output.status.code() == Some(1),
            "{}: `datanet {}` was expected to be refused, but exited with {}",
            party.name,
            args.join(" "),
            output.status
        );
        Ok(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }

    async fn run_datanet(&self, party: &Party, args: &[&str]) -> Result<std::process::Output> {
        let mut full: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        full.push("--json".into());
        if party.address.is_some() {
            full.extend(wallet_args());
        }
        self.exec(party, &self.datanet, &full, &[]).await
    }

    /// `party` publishes its file `path` (relative to its folder): a copy under
    /// `publish/<party>/path`, served at the returned URL.
    fn publish(&self, party: &Party, path: &str) -> Result<String> {
        let to = self.publish.join(party.name).join(path);
        std::fs::create_dir_all(to.parent().context("published path without a folder")?)?;
        std::fs::copy(party.dir.join(path), &to)
            .with_context(|| format!("{} publishing {path}", party.name))?;
        Ok(self.url(party.name, path))
    }

    /// `party` downloads `url` from the publication host into its file `path`; the bytes.
    fn download(&self, party: &Party, url: &str, path: &str) -> Result<Vec<u8>> {
        let bytes = http_get(url)?;
        let to = party.dir.join(path);
        std::fs::create_dir_all(to.parent().context("download path without a folder")?)?;
        std::fs::write(&to, &bytes)?;
        Ok(bytes)
    }
}

impl Drop for Step {
    fn drop(&mut self) {
        println!("    ({:.1}s)", self.0.elapsed().as_secs_f64());
    }
}

fn wallet_args() -> [String; 4] {
    [
        "--keystore".into(),
        "keystore".into(),
        "--password-file".into(),
        "password".into(),
    ]
}

/// Prints a party's command, long lists of files or ids shortened.
fn show(party: &str, program: &str, args: &[&str]) {
    let listy = |a: &str| a.contains('/') || (a.starts_with("0x") && a.len() == 66);
    let mut shown: Vec<String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let run = args[i..].iter().take_while(|a| listy(a)).count();
        if run >= 4 {
            shown.push(format!("{} … ({run} in all)", short(args[i])));
            i += run;
        } else {
            shown.push(short(args[i]));
            i += 1;
        }
    }
    println!("    {party:>11} $ {program} {}", shown.join(" "));
}

fn short(arg: &str) -> String {
    let hex = arg.starts_with("0x") && arg[2..].chars().all(|c| c.is_ascii_hexdigit());
    if hex && arg.len() >= 42 {
        format!("{}…{}", &arg[..6], &arg[arg.len() - 4..])
    } else {
        arg.to_string()
    }
}

fn fmt(value: U256) -> String {
    let text = format_units(value, 18).unwrap_or_else(|_| value.to_string());
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() {
        "0".into()
    } else {
        text.into()
    }
}

/// An amount cut to 4 decimals, for tables.
fn fmt4(value: U256) -> String {
    let full = fmt(value);
    match full.split_once('.') {
        Some((int, frac)) if frac.len() > 4 => format!("{int}.{}", &frac[..4]),
        _ => full,
    }
}

fn fmt_change(after: U256, before: U256) -> String {
    if after >= before {
        format!("+{}", fmt4(after - before))
    } else {
        format!("-{}", fmt4(before - after))
    }
}

fn u256(value: &Value) -> Result<U256> {
    value
        .as_str()
        .context("an amount in base units (a decimal string)")?
        .parse()
        .with_context(|| format!("{value} is not an amount"))
}

fn b256(value: &Value) -> Result<B256> {
    value
        .as_str()
        .context("a 0x hash")?
        .parse()
        .with_context(|| format!("{value} is not a hash"))
}

fn verdict(ok: &Value) -> &'static str {
    if *ok == true {
        "ok"
    } else {
        "MISMATCH"
    }
}

fn number(value: &Value) -> Result<u64> {
    value
        .as_u64()
        .with_context(|| format!("{value} is not a number"))
}

/// GET from the publication host (plain HTTP/1.1, the server closes each connection).
fn http_get(url: &str) -> Result<Vec<u8>> {
    let rest = url
        .strip_prefix("http://")
        .with_context(|| format!("{url}: not an http:// URL"))?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = TcpStream::connect(authority).with_context(|| format!("GET {url}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .with_context(|| format!("GET {url}: no HTTP response"))?;
    let head = String::from_utf8_lossy(&response[..split]);
    let status = head.lines().next().unwrap_or_default();
    ensure!(status.contains(" 200 "), "GET {url}: {status}");
    Ok(response[split + 4..].to_vec())
}

/// The `cargo build` artifacts: builds `datanet` (debug, as `cargo test` does) and returns its path,
/// wherever the target directory is (CARGO_TARGET_DIR is honoured).
fn build_datanet(root: &Path) -> Result<PathBuf> {
    let output = crate::toolchain::cargo()
        .args([
            "build",
            "--quiet",
            "-p",
            "datanet-cli",
            "--bin",
            "datanet",
            "--message-format=json-diagnostic-rendered-ansi",
        ])
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo build -p datanet-cli")?;
    let messages: Vec<Value> = output
        .stdout
        .split(|b| *b == b'\n')
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect();
    if !output.status.success() {
        for m in &messages {
            if let Some(text) = m["message"]["rendered"].as_str() {
                eprint!("{text}");
            }
        }
        bail!("`cargo build -p datanet-cli` failed");
    }
    for message in messages {
        if message["reason"] == "compiler-artifact" && message["target"]["name"] == "datanet" {
            if let Some(path) = message["executable"].as_str() {
                return Ok(PathBuf::from(path));
            }
        }
    }
    bail!("`cargo build -p datanet-cli` named no datanet executable")
}

/// Runs the story; `root` is the repository (examples/ and node_modules/ live there).
pub async fn run(root: &Path) -> Result<()> {
    let started = Instant::now();
    let work = root.join("target/demo");
    if work.exists() {
        std::fs::remove_dir_all(&work)
            .with_context(|| format!("removing the last run's {}", work.display()))?;
    }
    let publish = work.join("publish");
    std::fs::create_dir_all(&publish)?;

    let s = step(
        started,
        "the world: the datanet binary, anvil, a publication host",
    );
    let datanet = build_datanet(root)?;
    let anvil = Anvil::new()
        .path(npm_bin(root, "anvil"))
        .try_spawn()
        .context("starting anvil from node_modules (run `cargo xtask setup`)")?;
    let server = StaticServer::start(vec![("/".into(), publish.clone())])?;
    let mut world = World {
        root: root.to_path_buf(),
        work,
        publish,
        host: server.base(),
        rpc: anvil.endpoint(),
        datanet,
        cast: npm_bin(root, "cast"),
        started,
        parties: Vec::new(),
    };
    println!("    binary      {}", world.datanet.display());
    println!(
        "    chain       anvil on {} (chain {}); it stops when the demo ends",
        world.rpc,
        anvil.chain_id()
    );
    println!(
        "    publication {} serves {} (each party publishes under its own name)",
        world.host,
        world.publish.display()
    );
    drop(s);
    let result = story(&mut world).await;
    drop(server);
    drop(anvil);
    let ok = result?;
    println!(
        "\ndemo finished in {:.1}s; every party's folder is in {}",
        started.elapsed().as_secs_f64(),
        world.work.display()
    );
    if !ok {
        bail!("on-chain balances disagree with the published reports");
    }
    Ok(())
}

/// Makes every party's folder and key (`cast wallet new`, a random password in a file), and tops
/// each key up with test ETH.
async fn make_parties(world: &mut World) -> Result<()> {
    let keyed = [
        "deployer",
        "guardian",
        "treasury",
        "curator",
        "alice",
        "bob",
        "carol",
        "model-owner",
        "payer",
        "attestor-a",
        "attestor-b",
        "attestor-c",
    ];
    let mut parties = Vec::new();
    let mut passwords = Vec::new();
    for name in keyed {
        let party = Party {
            name,
            dir: world.work.join(name),
            address: None,
        };
        std::fs::create_dir_all(&party.dir)?;
        let password = B256::random().to_string();
        std::fs::write(party.dir.join("password"), &password)?;
        parties.push(party);
        passwords.push([("CAST_PASSWORD", password)]);
    }
    let args: Vec<String> = ["wallet", "new", ".", "keystore", "--json"]
        .map(String::from)
        .into();
    let outputs = join_all(
        parties
            .iter()
            .zip(&passwords)
            .map(|(party, env)| world.exec(party, &world.cast, &args, env))
            .collect(),
    )
    .await;
    let client = Client::connect(&RpcConfig::new(world.rpc.clone()), None).await?;
    for (mut party, output) in parties.into_iter().zip(outputs) {
        let output = output?;
        ensure!(
            output.status.success(),
            "{}: `cast wallet new` failed: {}",
            party.name,
            String::from_utf8_lossy(&output.stderr).trim()
        );
        let made: Value = serde_json::from_slice(&output.stdout)?;
        let address: Address = made[0]["address"]
            .as_str()
            .context("cast wallet new printed no address")?
            .parse()?;
        client
            .provider()
            .raw_request::<_, Value>("anvil_setBalance".into(), (address, FAUCET_WEI))
            .await?;
        party.address = Some(address);
        world.parties.push(party);
    }
    let verifier = Party {
        name: "verifier",
        dir: world.work.join("verifier"),
        address: None,
    };
    std::fs::create_dir_all(&verifier.dir)?;
    world.parties.push(verifier);
    Ok(())
}

async fn story(world: &mut World) -> Result<bool> {
    let s = world.step("every party makes its own key (cast wallet new) and gets test ETH");
    make_parties(world).await?;
    for p in &world.parties {
        match p.address {
            Some(a) => println!("    {:>11}  {a}  {}", p.name, p.dir.display()),
            None => println!("    {:>11}  (no key)  {}", p.name, p.dir.display()),
        }
    }
    drop(s);
    let world = &*world;

    let s = world.step(
        "the deployer deploys: 3 attestors (2 signatures needed), 1 h challenge period, a guardian, a treasury",
    );
    let chain = deploy(world).await?;
    drop(s);

    let s = world.step("the curator creates two datanets (bond 2 DATA, review period 1 day)");
    let datanets = create_datanets(world).await?;
    drop(s);

    contributions(world, &datanets).await?;

    let s = world.step(
        "the curator lists its datanets' pending contributions and reviews: spam rejected (bond to the treasury), the late note left unreviewed",
    );
    review(world, &datanets).await?;
    drop(s);

    let s = world.step("a day passes; bob finalizes carol's unreviewed late note: auto-accepted");
    devchain::advance(&chain, REVIEW_PERIOD + 1).await?;
    let bob = world.party("bob")?;
    let (_, repair_notes) = datanets.get(1).context("the story has two datanets")?;
    let late = pending(world, bob, *repair_notes)
        .await?
        .iter()
        .find(|e| {
            e["uri"]
                .as_str()
                .is_some_and(|u| u.ends_with("late-note.txt"))
        })
        .and_then(|e| e["contributionId"].as_str())
        .context("carol's late note is pending in the repair-notes datanet")?
        .to_string();
    world.datanet(bob, &["finalize", &late]).await?;
    drop(s);

    let s = world.step("the model owner registers a model on both datanets (owner share 20%)");
    let model = register_model(world, &datanets).await?;
    drop(s);

    let mut claimed_run: BTreeMap<&str, U256> = BTreeMap::new();
    for epoch in [1u64, 2] {
        let s = world.step(&format!(
            "epoch {epoch}: the app pays for the model's outputs and publishes them"
        ));
        pay(world, epoch, &model).await?;
        drop(s);

        // Epoch 1: attestor-a leads, b and c sign too. Epoch 2: attestor-a is away; b leads and c
        // signs: 2 of 3 are enough.
        let (leader, others): (&'static str, &[&'static str]) = if epoch == 1 {
            ("attestor-a", &["attestor-b", "attestor-c"])
        } else {
            ("attestor-b", &["attestor-c"])
        };
        let s = world.step(&format!(
            "epoch {epoch}: {leader} computes it from chain and URIs and publishes it; {} recompute, compare and sign; {leader} proposes",
            others.join(" and ")
        ));
        let (signers, proposal) = attest_and_propose(world, epoch, leader, others).await?;
        println!("    proposed with the signatures of {}", signers.join(", "));
        if epoch == 1 {
            let vetoed = world
                .datanet(world.party("guardian")?, &["epoch", "veto"])
                .await?;
            println!(
                "    the guardian vetoed epoch {}; the signed proposal is dead",
                vetoed["epoch"]
            );
            let proposal: Vec<&str> = proposal.iter().map(String::as_str).collect();
            let line = world
                .datanet_refused(world.party(leader)?, &proposal)
                .await?;
            println!("    replaying it with the same signatures is refused: {line}");
            let (signers, _) = attest_and_propose(world, epoch, leader, others).await?;
            println!(
                "    recomputed under the new proposal nonce and proposed again with the signatures of {}",
                signers.join(", ")
            );
        }
        drop(s);

        let s = world.step(&format!(
            "epoch {epoch}: the challenge period passes; alice accepts (anyone may); the verifier recomputes it"
        ));
        let alice = world.party("alice")?;
        let line = world.datanet_refused(alice, &["epoch", "accept"]).await?;
        println!("    accepting early is refused: {line}");
        devchain::advance(&chain, CHALLENGE_PERIOD + 1).await?;
        world.datanet(alice, &["epoch", "accept"]).await?;
        verify(world, epoch).await?;
        drop(s);

        let s = world.step(&format!(
            "epoch {epoch}: contributors claim with their wallet and the deployment file only"
        ));
        let (a, b, c) = tokio::join!(
            claim(world, "alice"),
            claim(world, "bob"),
            claim(world, "carol")
        );
        for (name, got) in [("alice", a?), ("bob", b?), ("carol", c?)] {
            *claimed_run.entry(name).or_default() += got;
        }
        drop(s);
    }

    let s = world.step("the model owner withdraws its credited share");
    let owner = world.party("model-owner")?;
    let credit = chain.owner_credit(owner.address()?).await?;
    let before = chain.balance(owner.address()?).await?;
    let out = world.datanet(owner, &["model", "withdraw-share"]).await?;
    let withdrawn = u256(&out["amount"])?;
    let after = chain.balance(owner.address()?).await?;
    ensure!(
        withdrawn == credit && after - before == credit,
        "the model owner withdrew {} of a {} credit",
        fmt(withdrawn),
        fmt(credit)
    );
    println!("    withdrew {} DATA", fmt(withdrawn));
    drop(s);

    let s = world.step("the verifier recomputes every epoch once more, from chain and URIs");
    let verifier = world.party("verifier")?;
    let all = world.datanet(verifier, &["epoch", "verify"]).await?;
    for e in all["epochs"]
        .as_array()
        .context("verify lists the epochs")?
    {
        println!(
            "    epoch {}: {}, root {}, total {}, report {}",
            e["epoch"],
            e["onChain"].as_str().unwrap_or("?"),
            verdict(&e["rootOk"]),
            verdict(&e["totalOk"]),
            verdict(&e["reportOk"])
        );
    }
    ensure!(
        all["match"] == true,
        "the verifier's recomputation differs: {all}"
    );
    drop(s);

    let s = world.step("the world checks on-chain balances against the published reports");
    let ok = reconcile(world, &chain, &claimed_run).await?;
    drop(s);
    Ok(ok)
}

/// The deployer deploys, every other party gets a copy of the deployment file, and the deployer
/// sends tokens to the contributors and the payer. Returns the world's read-only view of the chain
/// (for its clock and the final checks).
async fn deploy(world: &World) -> Result<Session> {
    let deployer = world.party("deployer")?;
    let address = |name| -> Result<String> { Ok(world.party(name)?.address()?.to_string()) };
    let mut args: Vec<String> = vec!["deploy".into()];
    for a in ATTESTORS {
        args.extend(["--attestor".into(), address(a)?]);
    }
    args.extend(
        [
            "--threshold",
            "2",
            "--challenge-period",
            "1h",
            "--min-commitment-age",
            "1",
            "--max-commitment-age",
            "1d",
            "--protocol-fee-bps",
            "500",
        ]
        .map(String::from),
    );
    args.extend(["--guardian".into(), address("guardian")?]);
    args.extend(["--treasury".into(), address("treasury")?]);
    let deployed = world
        .datanet(
            deployer,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )
        .await?;
    let file = format!("deployments/{}.json", number(&deployed["chainId"])?);
    println!(
        "    token {}  registry {}  pool {}",
        deployed["token"].as_str().unwrap_or("?"),
        deployed["datanetRegistry"].as_str().unwrap_or("?"),
        deployed["attributionPool"].as_str().unwrap_or("?")
    );
    for party in world.parties.iter().filter(|q| q.name != deployer.name) {
        std::fs::create_dir_all(party.dir.join("deployments"))?;
        std::fs::copy(deployer.dir.join(&file), party.dir.join(&file))?;
    }
    println!("    every party gets a copy of {file}: the one file they share");

    let token = deployed["token"]
        .as_str()
        .context("the deployment names its token")?;
    for name in ["alice", "bob", "carol", "payer"] {
        let mut args: Vec<String> = vec![
            "send".into(),
            token.into(),
            "transfer(address,uint256)".into(),
            address(name)?,
            FUNDING_BASE_UNITS.into(),
        ];
        show(
            deployer.name,
            "cast",
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        args.extend(wallet_args());
        let output = world.exec(deployer, &world.cast, &args, &[]).await?;
        ensure!(
            output.status.success(),
            "deployer: `cast send` of tokens to {name} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    println!("    {FUNDING} DATA each to alice, bob, carol and the payer");
    Ok(Session::open(
        Client::connect(&RpcConfig::new(world.rpc.clone()), None).await?,
        &deployer.dir.join("deployments"),
    )
    .await?)
}

/// The curator publishes a description of each datanet and creates it. Returns (folder under
/// examples/datanets/, datanet id).
async fn create_datanets(world: &World) -> Result<Vec<(&'static str, u64)>> {
    let curator = world.party("curator")?;
    let mut datanets = Vec::new();
    for (slug, title) in [
        ("field-guide", "Coastal wetland field guide"),
        ("repair-notes", "Bicycle repair notes"),
    ] {
        let path = format!("{slug}.json");
        std::fs::write(
            curator.dir.join(&path),
            serde_json::to_vec_pretty(&json!({ "name": title }))?,
        )?;
        let metadata = world.publish(curator, &path)?;
        let out = world
            .datanet(
                curator,
                &[
                    "datanet",
                    "create",
                    "--metadata-uri",
                    &metadata,
                    "--bond",
                    BOND,
                    "--review-period",
                    "1d",
                ],
            )
            .await?;
        let id = number(&out["datanetId"])?;
        println!("    datanet {id}: {title}");
        datanets.push((slug, id));
    }
    Ok(datanets)
}

/// The contributors' two steps: all three at once, then carol's field-guide files with a copy of
/// alice's file (refused: alice committed first) and spam.
async fn contributions(world: &World, datanets: &[(&'static str, u64)]) -> Result<()> {
    let roster: Roster = serde_json::from_slice(
        &std::fs::read(world.root.join("examples/contributors.json"))
            .context("reading examples/contributors.json")?,
    )
    .context("examples/contributors.json")?;
    let datanet_of = |path: &str| {
        datanets
            .iter()
            .find(|(slug, _)| path.starts_with(&format!("datanets/{slug}/")))
            .map(|(_, id)| *id)
    };
    let [(_, field_guide), (_, repair_notes)] = datanets else {
        bail!("the story has two datanets");
    };
    let carol_in = |datanet: u64| -> Vec<String> {
        roster
            .carol
            .iter()
            .filter(|f| datanet_of(f) == Some(datanet))
            .cloned()
            .collect()
    };

    let s = world.step(
        "contributors publish their files and contribute them (commit, wait, reveal), all at once",
    );
    let mut carol_repair = carol_in(*repair_notes);
    carol_repair.push("extra/late-note.txt".into());
    let (alice, bob, carol) = tokio::join!(
        contribute(world, "alice", *field_guide, &roster.alice),
        contribute(world, "bob", *repair_notes, &roster.bob),
        contribute(world, "carol", *repair_notes, &carol_repair),
    );
    for (name, files) in [("alice", alice?), ("bob", bob?), ("carol", carol?)] {
        println!("    {name:<5} registered {files} file(s)");
    }
    drop(s);

    let s =
        world.step("carol contributes her field-guide files, a copy of alice's file and spam.txt");
    let mut carol_field = carol_in(*field_guide);
    carol_field.push(roster.carol_duplicate.clone());
    carol_field.push("extra/spam.txt".into());
    let registered = contribute(world, "carol", *field_guide, &carol_field).await?;
    let listing = listing_of(world, "carol")?;
    let copy = listing
        .iter()
        .find(|e| {
            e["datanetId"] == *field_guide && e["file"] == local_path(&roster.carol_duplicate)
        })
        .context("carol's listing names her copy")?;
    ensure!(
        copy["outcome"] != "registered",
        "the registry took carol's exact copy of alice's file"
    );
    println!(
        "    carol registered {registered}; her copy of {}: {} (alice committed to it first)",
        roster.carol_duplicate,
        copy["outcome"].as_str().unwrap_or("?")
    );
    drop(s);
    Ok(())
}

/// `datanet datanet contributions DATANET --json` as `party`: the datanet's pending contributions,
/// found on chain.
async fn pending(world: &World, party: &Party, datanet: u64) -> Result<Vec<Value>> {
    let id = datanet.to_string();
    let listed = world
        .datanet(party, &["datanet", "contributions", &id])
        .await?;
    serde_json::from_value(listed).context("`datanet datanet contributions` prints an array")
}

/// The curator lists each datanet's pending contributions from the chain and reviews them by their
/// URIs: spam rejected, the late note left for later, the rest accepted.
async fn review(world: &World, datanets: &[(&'static str, u64)]) -> Result<()> {
    let curator = world.party("curator")?;
    let mut accept = Vec::new();
    let mut reject = Vec::new();
    for (_, datanet) in datanets {
        for e in pending(world, curator, *datanet).await? {
            let id = e["contributionId"].as_str().context("an id")?.to_string();
            let uri = e["uri"].as_str().unwrap_or_default();
            if uri.ends_with("spam.txt") {
                reject.push(id);
            } else if !uri.ends_with("late-note.txt") {
                accept.push(id);
            }
        }
    }
    for (ids, verdict) in [(&accept, "--accept"), (&reject, "--reject")] {
        let mut args = vec!["review"];
        args.extend(ids.iter().map(String::as_str));
        args.push(verdict);
        world.datanet(curator, &args).await?;
    }
    println!(
        "    accepted {}, rejected {} (spam)",
        accept.len(),
        reject.len()
    );
    Ok(())
}

/// The model owner publishes its model's description and registers it on both datanets.
async fn register_model(world: &World, datanets: &[(&'static str, u64)]) -> Result<String> {
    let owner = world.party("model-owner")?;
    std::fs::write(
        owner.dir.join("model.json"),
        serde_json::to_vec_pretty(&json!({ "name": "wetland-and-bike-helper" }))?,
    )?;
    let metadata = world.publish(owner, "model.json")?;
    let ids: Vec<String> = datanets.iter().map(|(_, id)| id.to_string()).collect();
    let mut args = vec!["model", "register", "--metadata-uri", &metadata];
    for id in &ids {
        args.extend(["--datanet", id]);
    }
    args.extend(["--owner-share-bps", "2000"]);
    let out = world.datanet(owner, &args).await?;
    let model = number(&out["modelId"])?.to_string();
    println!("    model {model}");
    Ok(model)
}

/// The payer publishes the epoch's outputs and pays for them, naming where they are published.
async fn pay(world: &World, epoch: u64, model: &str) -> Result<()> {
    let payer = world.party("payer")?;
    let outputs = format!("outputs/epoch{epoch}.jsonl");
    std::fs::create_dir_all(payer.dir.join("outputs"))?;
    std::fs::copy(
        world.root.join("examples").join(&outputs),
        payer.dir.join(&outputs),
    )?;
    let outputs_uri = world.publish(payer, &outputs)?;
    let paid = world
        .datanet(
            payer,
            &[
                "pay",
                model,
                &outputs,
                "--outputs-uri",
                &outputs_uri,
                "--batch-size",
                "50",
            ],
        )
        .await?;
    println!(
        "    {} outputs paid, {} DATA",
        paid["paid"],
        fmt(u256(&paid["total"])?)
    );
    Ok(())
}

/// A contributor's file from examples/ as it keeps it: `data/<path without datanets/>`.
fn local_path(example: &str) -> String {
    format!(
        "data/{}",
        example.strip_prefix("datanets/").unwrap_or(example)
    )
}

/// What the contributor registered so far (its own `contributions.json`, kept in its folder).
fn listing_of(world: &World, name: &str) -> Result<Vec<Value>> {
    let path = world.party(name)?.dir.join("contributions.json");
    if !path.exists() {
        return Ok(Vec::new());
    }
    Ok(serde_json::from_slice(&std::fs::read(path)?)?)
}

/// `name` takes its files from examples/, publishes them, contributes them to `datanet` with its
/// publication base as `--uri-prefix`, and keeps the outcome in its `contributions.json` (curators
/// find the contributions on chain). Returns how many were registered.
async fn contribute(world: &World, name: &str, datanet: u64, files: &[String]) -> Result<usize> {
    let party = world.party(name)?;
    let mut paths = Vec::new();
    for f in files {
        let path = local_path(f);
        let to = party.dir.join(&path);
        std::fs::create_dir_all(to.parent().context("a file in a folder")?)?;
        std::fs::copy(world.root.join("examples").join(f), &to)
            .with_context(|| format!("examples/{f}"))?;
        world.publish(party, &path)?;
        paths.push(path);
    }
    let prefix = world.url(name, "");
    let id = datanet.to_string();
    let mut args = vec!["contribute", id.as_str()];
    args.extend(paths.iter().map(String::as_str));
    args.extend(["--uri-prefix", &prefix, "--batch-size", "100"]);
    let out = world.datanet(party, &args).await?;
    let mut listing = listing_of(world, name)?;
    let mut registered = 0;
    for f in out["files"]
        .as_array()
        .context("contribute lists its files")?
    {
        let mut entry = f.clone();
        entry["datanetId"] = json!(datanet);
        registered += usize::from(f["outcome"] == "registered");
        listing.push(entry);
    }
    std::fs::write(
        party.dir.join("contributions.json"),
        serde_json::to_vec_pretty(&listing)?,
    )?;
    Ok(registered)
}

/// `datanet attribute` for `epoch` as `name`: payments and contributions from the chain, outputs
/// from their OutputsPublished URIs, the corpus fetched by its URIs into the attestor's `corpus/`
/// (kept for later epochs); the report's URI and, for the leader's peers, its end block given.
/// Returns the command's JSON.
async fn attribute(
    world: &World,
    name: &str,
    epoch: u64,
    report_uri: &str,
    to_block: Option<u64>,
) -> Result<Value> {
    let n = epoch.to_string();
    let out = format!("epochs/{epoch}");
    let to = to_block.map(|b| b.to_string());
    let mut args = vec![
        "attribute",
        "--epoch",
        &n,
        "--corpus",
        "corpus",
        "--out",
        &out,
        "--report-uri",
        report_uri,
    ];
    if let Some(to) = &to {
        args.extend(["--to-block", to]);
    }
    world.datanet(world.party(name)?, &args).await
}

/// The signed fields and blocks of an epoch.json, without its signatures.
fn signed_part(bytes: &[u8]) -> Result<Value> {
    let mut file: Value = serde_json::from_slice(bytes)?;
    file.as_object_mut()
        .context("epoch.json is an object")?
        .remove("signatures");
    Ok(file)
}

/// One round of an epoch: the leader computes, publishes epoch.json and report.json and signs;
/// every other attestor recomputes the same block range, compares with what the leader published,
/// signs and publishes its signature; the leader proposes with the signatures. Returns the signers
/// and the `datanet` arguments of the proposal.
async fn attest_and_propose(
    world: &World,
    epoch: u64,
    leader: &'static str,
    others: &[&'static str],
) -> Result<(Vec<String>, Vec<String>)> {
    let dir = format!("epochs/{epoch}");
    let report_uri = world.url(leader, &format!("{dir}/report.json"));
    let lead = world.party(leader)?;
    let computed = attribute(world, leader, epoch, &report_uri, None).await?;
    println!(
        "    {leader}: {} paid outputs, {} DATA allocated this epoch, {} left in the pool; root {}",
        computed["inferences"],
        fmt(u256(&computed["epochAllocated"])?),
        fmt(u256(&computed["unallocated"])?),
        computed["rewardsRoot"].as_str().unwrap_or("?")
    );
    world.publish(lead, &format!("{dir}/report.json"))?;
    let published = world.publish(lead, &format!("{dir}/epoch.json"))?;
    world.datanet(lead, &["epoch", "sign", &dir]).await?;

    let peer = |name: &'static str| {
        let published = published.clone();
        let report_uri = report_uri.clone();
        let dir = dir.clone();
        async move {
            let party = world.party(name)?;
            let theirs =
                world.download(party, &published, &format!("inbox/{leader}-epoch.json"))?;
            let to_block = number(&serde_json::from_slice::<Value>(&theirs)?["toBlock"])?;
            attribute(world, name, epoch, &report_uri, Some(to_block)).await?;
            let ours = std::fs::read(party.dir.join(&dir).join("epoch.json"))?;
            ensure!(
                signed_part(&ours)? == signed_part(&theirs)?,
                "{name} disagrees with {leader}'s epoch {epoch}"
            );
            let report =
                world.download(party, &report_uri, &format!("inbox/{leader}-report.json"))?;
            ensure!(
                report == std::fs::read(party.dir.join(&dir).join("report.json"))?,
                "{name} computed another report than the one {leader} published"
            );
            let signed = world.datanet(party, &["epoch", "sign", &dir]).await?;
            let path = format!("{dir}/signature.json");
            std::fs::write(party.dir.join(&path), serde_json::to_vec_pretty(&signed)?)?;
            world.publish(party, &path)
        }
    };
    let mut signature_urls = Vec::new();
    // Peers work at the same time, each in its own folder.
    let results = join_all(others.iter().map(|name| peer(name)).collect()).await;
    for r in results {
        signature_urls.push(r?);
    }
    let mut args = vec!["epoch".to_string(), "propose".into(), dir.clone()];
    for (name, url) in others.iter().zip(&signature_urls) {
        let bytes = world.download(lead, url, &format!("inbox/{name}-signature.json"))?;
        let signed: Value = serde_json::from_slice(&bytes)?;
        args.push("--signature".into());
        args.push(
            signed["signature"]
                .as_str()
                .context("a published signature")?
                .to_string(),
        );
    }
    let proposed = world
        .datanet(lead, &args.iter().map(String::as_str).collect::<Vec<_>>())
        .await?;
    let mut signers = Vec::new();
    for signer in proposed["signers"]
        .as_array()
        .context("propose names its signers")?
    {
        let signer: Address = signer.as_str().context("a signer")?.parse()?;
        let party = world.parties.iter().find(|p| p.address == Some(signer));
        signers.push(party.map_or(signer.to_string(), |p| p.name.to_string()));
    }
    signers.sort();
    Ok((signers, args))
}

/// Awaits futures together (the demo's parties act at the same time).
async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (f, out) in futures.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *out = Some(v),
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// The verifier, with nothing but the deployment file, recomputes `epoch` from the chain and the
/// published files (report, outputs, corpus) and compares it with the chain.
async fn verify(world: &World, epoch: u64) -> Result<()> {
    let verifier = world.party("verifier")?;
    let n = epoch.to_string();
    let out = world
        .datanet(verifier, &["epoch", "verify", "--epoch", &n])
        .await?;
    ensure!(
        out["match"] == true,
        "the verifier's recomputation of epoch {epoch} differs: {out}"
    );
    println!(
        "    verified: epoch {epoch} recomputed from chain and URIs equals the chain ({})",
        out["onChain"].as_str().unwrap_or("?")
    );
    Ok(())
}

/// A contributor looks at its rewards from the published report and claims what is claimable.
async fn claim(world: &World, name: &'static str) -> Result<U256> {
    let party = world.party(name)?;
    let shown = world.datanet(party, &["rewards", "show"]).await?;
    let claimable = u256(&shown["claimable"])?;
    if claimable.is_zero() {
        println!("    {name:<5} has nothing to claim");
        return Ok(U256::ZERO);
    }
    let claimed = world.datanet(party, &["rewards", "claim"]).await?;
    let received = u256(&claimed["received"])?;
    println!(
        "    {name:<5} claimed {:>10} DATA (cumulative {}) from {}",
        fmt(received),
        fmt(u256(&claimed["cumulative"])?),
        claimed["reportURI"].as_str().unwrap_or("?")
    );
    Ok(received)
}

/// Prints the tables and checks every balance against the published reports; whether all agree.
async fn reconcile(
    world: &World,
    chain: &Session,
    claimed_run: &BTreeMap<&str, U256>,
) -> Result<bool> {
    let mut ok = true;
    let mut check = |what: String, expected: U256, actual: U256| {
        let agree = expected == actual;
        ok &= agree;
        println!(
            "    [{}] {what}: reports {} / chain {}",
            if agree { "ok" } else { "MISMATCH" },
            fmt(expected),
            fmt(actual)
        );
    };
    let fetcher = Fetcher::new(FetchConfig::default())?;
    let mut reports: Vec<PublishedEpoch> = Vec::new();
    for epoch in [1, 2] {
        reports.push(published_epoch(chain, &fetcher, epoch).await?);
    }
    let last = reports.last().context("two epochs")?;
    let funding: U256 = FUNDING_BASE_UNITS.parse()?;
    let bond = chain.token().await?.parse(BOND)?;

    println!(
        "\n    {:<6} {:>10} {:>8} {:>8} {:>16} {:>10} {:>10} {:>14}",
        "who",
        "registered",
        "accepted",
        "rejected",
        "credited tokens",
        "earned",
        "claimed",
        "balance change"
    );
    let mut rejected_bonds = U256::ZERO;
    let mut rows = Vec::new();
    for name in CONTRIBUTORS {
        let account = world.party(name)?.address()?;
        let listing = listing_of(world, name)?;
        let ids: Vec<B256> = listing
            .iter()
            .filter(|e| e["outcome"] == "registered")
            .map(|e| b256(&e["contributionId"]))
            .collect::<Result<_>>()?;
        let records = chain.contributions(&ids).await?;
        let accepted = records
            .iter()
            .filter(|r| r.status == datanet_client::session::Status::Accepted)
            .count();
        let rejected = records
            .iter()
            .filter(|r| r.status == datanet_client::session::Status::Rejected)
            .count();
        let credited: u64 = reports
            .iter()
            .flat_map(|r| &r.report.inferences)
            .flat_map(|i| &i.credits)
            .filter(|c| c.contributor == account)
            .map(|c| c.credit)
            .sum();
        let earned = last.tree.amount_of(account).unwrap_or_default();
        let claimed = chain.claimed(account).await?;
        let balance = chain.balance(account).await?;
        println!(
            "    {name:<6} {:>10} {accepted:>8} {rejected:>8} {credited:>16} {:>10} {:>10} {:>14}",
            ids.len(),
            fmt4(earned),
            fmt4(claimed),
            fmt_change(balance, funding)
        );
        let lost = bond * U256::from(rejected);
        rejected_bonds += lost;
        rows.push((name, earned, claimed, balance, lost));
    }
    println!();
    for (name, earned, claimed, balance, lost) in rows {
        check(
            format!("{name} claimed = cumulative in the epoch-2 report"),
            earned,
            claimed,
        );
        check(
            format!("{name} claims received this run"),
            earned,
            claimed_run.get(name).copied().unwrap_or_default(),
        );
        check(
            format!("{name} balance = funding − rejected bonds + claims"),
            funding - lost + earned,
            balance,
        );
    }

    let pool = chain.pool();
    let (mut paid, mut fees, mut owner_shares, mut pool_share) =
        (U256::ZERO, U256::ZERO, U256::ZERO, U256::ZERO);
    let latest = chain.client.latest_block().await?;
    let logs = chain
        .client
        .events::<datanet_bindings::AttributionPool::InferencePaid>(
            alloy::rpc::types::Filter::new().address(chain.deployment.attribution_pool),
            chain.deployment.deployment_block,
            latest,
        )
        .await?;
    for (e, _) in &logs {
        paid += e.amount;
        fees += e.protocolFee;
        owner_shares += e.ownerShare;
        pool_share += e.contributorShare;
    }
    let allocated: U256 = reports.iter().map(|r| r.report.totals.allocated).sum();
    let unallocated: U256 = reports.iter().map(|r| r.report.totals.unallocated).sum();
    println!("\n    fee split over {} paid outputs", logs.len());
    for (what, value) in [
        ("paid by the app", paid),
        ("protocol fee (treasury)", fees),
        ("model owner share", owner_shares),
        ("contributors' pool", pool_share),
        ("  allocated to contributors", allocated),
        ("  unallocated (kept)", unallocated),
    ] {
        println!("    {what:<28} {:>12}", fmt4(value));
    }
    println!();
    let claims: U256 = claimed_run.values().copied().sum();
    check(
        "split adds up (fee + owner + pool = paid)".into(),
        paid,
        fees + owner_shares + pool_share,
    );
    check(
        "allocated + unallocated = contributors' pool".into(),
        pool_share,
        allocated + unallocated,
    );
    check(
        "treasury = protocol fees + rejected bonds".into(),
        fees + rejected_bonds,
        chain.balance(world.party("treasury")?.address()?).await?,
    );
    let owner = world.party("model-owner")?.address()?;
    check(
        "model owner withdrew its owner shares".into(),
        owner_shares,
        chain.balance(owner).await?,
    );
    check(
        "model owner credit left".into(),
        U256::ZERO,
        chain.owner_credit(owner).await?,
    );
    check(
        "pool total allocated = cumulative in the last report".into(),
        last.report.totals.cumulative_allocated,
        pool.totalAllocated().call().await?,
    );
    check(
        "pool total claimed = sum of claims".into(),
        claims,
        pool.totalClaimed().call().await?,
    );
    check(
        "registry holds no bonds (nothing pending)".into(),
        U256::ZERO,
        chain
            .token_contract()
            .balanceOf(chain.deployment.datanet_registry)
            .call()
            .await?,
    );
    check(
        "pool balance = pool share − claims".into(),
        pool_share - claims,
        chain.balance(chain.deployment.attribution_pool).await?,
    );
    Ok(ok)
}
