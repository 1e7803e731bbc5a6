//! The fixture every integration test starts from: a fresh anvil (the project's npm Foundry build),
//! the contracts deployed by `datanet deploy`, and helpers to drive the real `datanet` binary and to
//! read the chain through the client library.

// Each test file uses its own subset of these helpers.
#![allow(dead_code)]

pub mod proxy;
pub mod publish;

use alloy::{
    hex,
    node_bindings::{Anvil, AnvilInstance},
    primitives::{utils::parse_units, Address, B256, U256},
    providers::Provider,
    signers::local::PrivateKeySigner,
};
use datanet_client::{Client, Deployment, RpcConfig, Session};
use serde_json::Value;
use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};
use tempfile::TempDir;

/// The repository's `examples/` folder (sample datanet files and paid outputs).
pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ has a parent")
        .join("examples")
}

/// Anvil's default dev account `i` (its standard mnemonic), known before anvil starts.
pub fn dev_address(i: usize) -> Address {
    use alloy::signers::local::{coins_bip39::English, MnemonicBuilder};
    MnemonicBuilder::<English>::default()
        .phrase("test test test test test test test test test test test junk")
        .index(i as u32)
        .unwrap()
        .build()
        .unwrap()
        .address()
}

/// `datanet deploy` arguments naming dev accounts `attestors`, a threshold and a challenge period.
pub fn attestor_deploy_args(
    attestors: &[usize],
    threshold: u8,
    challenge_period: u64,
) -> Vec<String> {
    let mut args = Vec::new();
    for &i in attestors {
        args.extend(["--attestor".to_string(), dev_address(i).to_string()]);
    }
    args.extend([
        "--threshold".to_string(),
        threshold.to_string(),
        "--challenge-period".to_string(),
        challenge_period.to_string(),
    ]);
    args
}

/// The project's anvil, installed by `npm ci` at the repository root.
pub fn anvil_path() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ has a parent")
        .to_path_buf();
    let path = root.join("node_modules/.bin/anvil");
    assert!(
        path.exists(),
        "{} is missing: run `npm ci` (or `cargo xtask setup`) at the repository root first",
        path.display()
    );
    path
}

/// `n` whole tokens (18 decimals) in base units.
pub fn tokens(n: &str) -> U256 {
    parse_units(n, 18).expect("token amount").into()
}

/// A running chain with Datanet deployed, and a working folder holding `deployments/`.
pub struct Devnet {
    pub anvil: AnvilInstance,
    pub dir: TempDir,
    /// The hostile provider commands talk through, if any.
    pub proxy: Option<proxy::HostileProxy>,
}

impl Devnet {
    /// Spawns anvil on a free port and deploys with `datanet deploy` as account 0.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Like [`Devnet::start`], with extra anvil arguments.
    pub fn start_with(anvil_args: &[&str]) -> Self {
        Self::start_deploying(anvil_args, &[])
    }

    /// Like [`Devnet::start_with`], with extra `datanet deploy` arguments (attestors, threshold, …).
    pub fn start_deploying(anvil_args: &[&str], deploy_args: &[&str]) -> Self {
        Self::start_full(anvil_args, deploy_args, None)
    }

    /// Like [`Devnet::start_deploying`], with every command (deploy included) talking to anvil
    /// through a [`proxy::HostileProxy`].
    pub fn start_hostile(deploy_args: &[&str], hostility: proxy::Hostility) -> Self {
        Self::start_full(&[], deploy_args, Some(hostility))
    }

    /// Deployed by `datanet deploy` with dev accounts `attestors`, a threshold and a challenge
    /// period (see [`attestor_deploy_args`]), through a hostile proxy if `hostility` is given.
    pub fn start_with_attestors(
        attestors: &[usize],
        threshold: u8,
        challenge_period: u64,
        hostility: Option<proxy::Hostility>,
    ) -> Self {
        let args = attestor_deploy_args(attestors, threshold, challenge_period);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Self::start_full(&[], &args, hostility)
    }

    fn start_full(
        anvil_args: &[&str],
        deploy_args: &[&str],
        hostility: Option<proxy::Hostility>,
    ) -> Self {
        let devnet = Self::launch(anvil_args, hostility);
        let mut deploy = vec!["deploy"];
        if !deploy_args.contains(&"--min-commitment-age") {
            // Reveals one second after the commit: tests do not wait a minute per contribution.
            deploy.extend(["--min-commitment-age", "1"]);
        }
        deploy.extend_from_slice(deploy_args);
        devnet.run_as(0, &deploy).success();
        devnet
    }

    /// Anvil (and the hostile proxy, if asked) without a deployment yet.
    pub fn launch(anvil_args: &[&str], hostility: Option<proxy::Hostility>) -> Self {
        let anvil = Anvil::new()
            .path(anvil_path())
            .args(anvil_args.iter().copied())
            .timeout(60_000)
            .try_spawn()
            .expect("anvil starts");
        let dir = tempfile::tempdir().expect("temp dir");
        let proxy = hostility.map(|h| proxy::HostileProxy::start(&anvil.endpoint(), h));
        Self { anvil, dir, proxy }
    }

    /// Appends `blocks` empty blocks to the chain without mining them: dumps anvil's state, extends
    /// its block list (each header hashed and linked to its parent, as anvil does), and restarts
    /// anvil from it (the proxy, if any, follows). Anvil mines an empty block in a time that grows
    /// with the chain's length — 50,000 blocks take half an hour on these machines; this takes
    /// seconds.
    pub async fn extend_history(&mut self, blocks: u64) {
        use std::io::Read;
        let dump = self.rpc("anvil_dumpState", ()).await;
        let gz = hex::decode(dump.as_str().expect("hex state")).expect("hex state");
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(gz.as_slice())
            .read_to_end(&mut json)
            .expect("gzipped state");
        let mut state: Value = serde_json::from_slice(&json).expect("state JSON");
        let list = state["blocks"].as_array_mut().expect("blocks");
        let last = list
            .iter()
            .max_by_key(|b| quantity(&b["header"]["number"]))
            .expect("a block")
            .clone();
        let mut parent: alloy::consensus::Header =
            serde_json::from_value(last["header"].clone()).expect("a header");
        let mut parent_hash = parent.hash_slow();
        for _ in 0..blocks {
            let mut header = parent.clone();
            header.parent_hash = parent_hash;
            header.number += 1;
            header.timestamp += 1;
            header.gas_used = 0;
            header.logs_bloom = Default::default();
            header.transactions_root = alloy::consensus::constants::EMPTY_ROOT_HASH;
            header.receipts_root = alloy::consensus::constants::EMPTY_ROOT_HASH;
            parent_hash = header.hash_slow();
            list.push(serde_json::json!({
                "header": header,
                "transactions": [],
                "ommers": [],
                "withdrawals": last["withdrawals"],
            }));
            parent = header;
        }
        state["best_block_number"] = serde_json::json!(parent.number);
        state["block"]["number"] = serde_json::json!(format!("{:#x}", parent.number));
        state["block"]["timestamp"] = serde_json::json!(format!("{:#x}", parent.timestamp));
        let file = self.path("history-state.json");
        std::fs::write(&file, serde_json::to_vec(&state).unwrap()).unwrap();
        let anvil = Anvil::new()
            .path(anvil_path())
            .arg("--load-state")
            .arg(&file)
            .timeout(120_000)
            .try_spawn()
            .expect("anvil restarts from the extended state");
        self.anvil = anvil;
        if let Some(proxy) = &self.proxy {
            proxy.set_upstream(&self.anvil.endpoint());
        }
        let height = self.rpc("eth_blockNumber", ()).await;
        assert_eq!(quantity(&height), parent.number, "anvil loaded the history");
    }

    /// `deployments/<chainId>.json` as `datanet deploy` wrote it.
    pub fn deployment(&self) -> Deployment {
        Deployment::load_for_chain(&self.path("deployments"), self.chain_id())
            .expect("deployment file")
    }

    /// The URL commands use: the hostile proxy's when the devnet has one, else anvil's.
    pub fn url(&self) -> String {
        match &self.proxy {
            Some(proxy) => proxy.url(),
            None => self.anvil.endpoint(),
        }
    }

    /// Anvil itself, for the test's own reads and setup.
    pub fn direct_url(&self) -> String {
        self.anvil.endpoint()
    }

    pub fn chain_id(&self) -> u64 {
        self.anvil.chain_id()
    }

    /// Anvil's dev key `i`, hex, for `--private-key`. Never printed.
    pub fn key(&self, i: usize) -> String {
        format!("0x{}", hex::encode(self.anvil.keys()[i].to_bytes()))
    }

    pub fn signer(&self, i: usize) -> PrivateKeySigner {
        PrivateKeySigner::from(self.anvil.keys()[i].clone())
    }

    pub fn address(&self, i: usize) -> Address {
        self.anvil.addresses()[i]
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// `datanet` in the working folder, with an environment that cannot leak the caller's settings.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_datanet"));
        cmd.current_dir(self.dir.path())
            .env_remove("ETH_RPC_URL")
            .env_remove("ETH_KEYSTORE")
            .env_remove("ETH_PASSWORD")
            .env_remove("DATANET_DEPLOYMENTS")
            .env("HOME", self.dir.path())
            // Where the tests' contributors "published" their files.
            .env("DATANET_URI_PREFIX", "https://contributor.example/data/")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs `datanet ARGS --rpc-url URL` without a wallet.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = self.command();
        cmd.args(args).args(["--rpc-url", &self.url()]);
        Run::of(args, cmd.output().expect("datanet runs"))
    }

    /// Runs `datanet ARGS --rpc-url URL --private-key <anvil key i>`.
    pub fn run_as(&self, i: usize, args: &[&str]) -> Run {
        let mut cmd = self.command();
        cmd.args(args)
            .args(["--rpc-url", &self.url()])
            .args(["--private-key", &self.key(i)]);
        Run::of(args, cmd.output().expect("datanet runs"))
    }

    /// Runs `datanet ARGS` exactly as given (no RPC or wallet flags added).
    pub fn run_raw(&self, args: &[&str]) -> Run {
        let mut cmd = self.command();
        cmd.args(args);
        Run::of(args, cmd.output().expect("datanet runs"))
    }

    /// A folder for an independent party: it holds this chain's deployment file and nothing else.
    pub fn fresh_party(&self) -> TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let deployments = dir.path().join("deployments");
        std::fs::create_dir_all(&deployments).expect("mkdir");
        let name = format!("{}.json", self.chain_id());
        std::fs::copy(
            self.path("deployments").join(&name),
            deployments.join(&name),
        )
        .expect("copy the deployment file");
        dir
    }

    /// Runs `datanet ARGS --rpc-url URL [--private-key <anvil key i>]` in `folder` (e.g. a
    /// [`Devnet::fresh_party`]), with `HOME` there too.
    pub fn run_in(&self, folder: &Path, key: Option<usize>, args: &[&str]) -> Run {
        let mut cmd = self.command();
        cmd.current_dir(folder)
            .env("HOME", folder)
            .env_remove("DATANET_IPFS_GATEWAY")
            .args(args)
            .args(["--rpc-url", &self.url()]);
        if let Some(i) = key {
            cmd.args(["--private-key", &self.key(i)]);
        }
        Run::of(args, cmd.output().expect("datanet runs"))
    }

    /// A library client signing as account `i`, talking to anvil directly.
    pub async fn client(&self, i: usize) -> Client {
        Client::connect(&RpcConfig::new(self.direct_url()), Some(self.signer(i)))
            .await
            .expect("connect")
    }

    /// A library session signing as account `i`.
    pub async fn session(&self, i: usize) -> Session {
        Session::open(self.client(i).await, &self.path("deployments"))
            .await
            .expect("session")
    }

    /// Token balance of `account`.
    pub async fn balance(&self, account: Address) -> U256 {
        self.session(0)
            .await
            .balance(account)
            .await
            .expect("balanceOf")
    }

    pub async fn datanet_count(&self) -> u64 {
        self.session(0)
            .await
            .datanet_count()
            .await
            .expect("datanetCount")
    }

    /// What a failed command must leave untouched: the block height (no transaction mined), the
    /// datanet and model counts, and the token balances of the first accounts and the contracts.
    pub async fn snapshot(&self) -> Snapshot {
        let session = self.session(0).await;
        let deployment = self.deployment();
        let mut balances = Vec::new();
        for account in self.anvil.addresses().iter().take(6) {
            balances.push(session.balance(*account).await.expect("balanceOf"));
        }
        Snapshot {
            block: session
                .client
                .provider()
                .get_block_number()
                .await
                .expect("block number"),
            datanets: session.datanet_count().await.expect("datanetCount"),
            models: session
                .models()
                .modelCount()
                .call()
                .await
                .expect("modelCount"),
            balances,
            registry: session
                .balance(deployment.datanet_registry)
                .await
                .expect("balanceOf"),
            pool: session
                .balance(deployment.attribution_pool)
                .await
                .expect("balanceOf"),
        }
    }

    /// Sends `amount` tokens from the deployer (who holds the supply) to account `to`.
    pub async fn fund(&self, to: usize, amount: U256) {
        let session = self.session(0).await;
        session
            .transfer(self.address(to), amount)
            .await
            .expect("transfer mined");
    }

    /// Moves the chain's clock forward and mines a block.
    pub async fn increase_time(&self, seconds: u64) {
        let provider = self.session(0).await.client.provider().clone();
        let _: Value = provider
            .raw_request("evm_increaseTime".into(), (seconds,))
            .await
            .expect("evm_increaseTime");
        let _: Value = provider
            .raw_request("evm_mine".into(), ())
            .await
            .expect("evm_mine");
    }

    /// Any raw JSON-RPC call to the node.
    pub async fn rpc<P: serde::Serialize + Clone + Send + Sync + Unpin + std::fmt::Debug>(
        &self,
        method: &'static str,
        params: P,
    ) -> Value {
        let provider = self.session(0).await.client.provider().clone();
        provider
            .raw_request(method.into(), params)
            .await
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    /// Writes `n` small distinct text files under `folder` and returns the folder.
    pub fn write_files(&self, folder: &str, n: usize) -> PathBuf {
        let dir = self.path(folder);
        std::fs::create_dir_all(&dir).expect("mkdir");
        for i in 0..n {
            std::fs::write(
                dir.join(format!("{i:04}.txt")),
                format!("{folder} sample {i}: the quick brown fox jumps over the lazy dog\n"),
            )
            .expect("write file");
        }
        dir
    }

    /// Creates a datanet as account `owner` and returns its id.
    pub fn create_datanet(&self, owner: usize, bond: &str, review_period: &str) -> u64 {
        let out = self
            .run_as(
                owner,
                &[
                    "datanet",
                    "create",
                    "--metadata-uri",
                    "ipfs://datanet",
                    "--bond",
                    bond,
                    "--review-period",
                    review_period,
                    "--json",
                ],
            )
            .success();
        out.json()["datanetId"].as_u64().expect("datanetId")
    }

    /// Copies the `examples/datanets/field-guide` files `names` into `folder` of the working
    /// folder (created if need be) and returns its path.
    pub fn copy_examples<'a>(
        &self,
        folder: &str,
        names: impl IntoIterator<Item = &'a str>,
    ) -> PathBuf {
        let dir = self.path(folder);
        std::fs::create_dir_all(&dir).unwrap();
        for name in names {
            std::fs::copy(
                examples().join("datanets/field-guide").join(name),
                dir.join(name),
            )
            .unwrap();
        }
        dir
    }

    /// Curator `curator` accepts the contributions `ids` in one `review --accept`.
    pub fn accept(&self, curator: usize, ids: impl IntoIterator<Item = B256>) {
        let mut args = vec!["review".to_string()];
        args.extend(ids.into_iter().map(|id| id.to_string()));
        args.extend(["--accept".to_string(), "--json".to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.run_as(curator, &args).success().json();
        assert_eq!(out["accepted"], true, "{out}");
    }

    /// Registers a model on `datanet` as account `owner` and returns its id.
    pub fn register_model(&self, owner: usize, datanet: u64) -> u64 {
        let datanet = datanet.to_string();
        let out = self
            .run_as(
                owner,
                &[
                    "model",
                    "register",
                    "--metadata-uri",
                    "ipfs://field-guide-model",
                    "--datanet",
                    &datanet,
                    "--json",
                ],
            )
            .success();
        out.json()["modelId"].as_u64().expect("modelId")
    }
}

/// A JSON-RPC quantity ("0x…" or a number).
pub fn quantity(value: &Value) -> u64 {
    match value {
        Value::String(hex) => u64::from_str_radix(hex.trim_start_matches("0x"), 16).expect("hex"),
        other => other.as_u64().expect("a quantity"),
    }
}

/// Contribution id as `contribute --json` prints it.
pub fn b256(value: &Value) -> B256 {
    value
        .as_str()
        .expect("hex string")
        .parse()
        .expect("32-byte hex")
}

/// An address from a JSON string.
pub fn address(value: &Value) -> Address {
    value
        .as_str()
        .expect("address string")
        .parse()
        .expect("address")
}

/// A `U256` from a JSON decimal string.
pub fn u256(value: &Value) -> U256 {
    value
        .as_str()
        .expect("decimal string")
        .parse()
        .expect("decimal U256")
}

/// Chain state a failed command must not change (see [`Devnet::snapshot`]).
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub block: u64,
    pub datanets: u64,
    pub models: U256,
    pub balances: Vec<U256>,
    pub registry: U256,
    pub pool: U256,
}

/// What one run of `datanet` printed and how it exited.
pub struct Run {
    /// The arguments, for failure messages (the appended `--private-key` is never part of it).
    pub what: String,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn of(args: &[&str], output: Output) -> Self {
        Self {
            what: format!("datanet {}", args.join(" ")),
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Asserts exit status 0.
    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(
            self.code,
            Some(0),
            "`{}` failed:\nstderr: {}\nstdout: {}",
            self.what,
            self.stderr,
            self.stdout
        );
        self
    }

    /// Stdout as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("`{}` did not print JSON ({e}):\n{}", self.what, self.stdout)
        })
    }

    /// Asserts a non-zero exit with ONE stderr line containing every word of `words`
    /// (case-insensitive); returns that line.
    #[track_caller]
    pub fn failure(&self, words: &[&str]) -> String {
        assert!(
            matches!(self.code, Some(code) if code != 0),
            "`{}` should fail but exited {:?}:\nstdout: {}\nstderr: {}",
            self.what,
            self.code,
            self.stdout,
            self.stderr
        );
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert_eq!(
            lines.len(),
            1,
            "`{}` should print one error line, printed:\n{}",
            self.what,
            self.stderr
        );
        let line = lines[0].to_string();
        let lower = line.to_lowercase();
        for word in words {
            assert!(
                lower.contains(&word.to_lowercase()),
                "`{}`: error line lacks {word:?}:\n{line}",
                self.what
            );
        }
        line
    }
}
