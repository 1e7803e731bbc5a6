//! `cargo xtask bench`: every measured figure of the project in one run, printed as it comes, written
//! as JSON under `bench/` and summed up in `bench/REPORT.md` (see [`crate::report`]).
//!
//! Sections, each a function returning a serializable result:
//! - [`forge_gas`]: the committed forge gas rows (`.gas-snapshot`, `snapshots/datanet.json`);
//! - [`chain_gas`]: the same operations as real transactions on a fresh anvil (receipt gas);
//! - [`attribution_bench`]: the release `datanet-attribution` bench example (index MB/s,
//!   attribution outputs/s, reward tree build + dump);
//! - [`oz_tree`]: the same reward tree with `@openzeppelin/merkle-tree` (`scripts/oz-tree-bench.mjs`);
//! - [`contribute_throughput`]: `datanet contribute` beside a `cast send` loop.
//!
//! A section that fails is reported as failed; the others still run, and the task exits non-zero.
//! `--quick` uses small sizes and writes under `bench/quick/` so the full figures stay in place.

use crate::{
    devchain,
    report::{self, Machine, Report},
    toolchain::{cargo, npm_bin},
};
use alloy::{
    node_bindings::{Anvil, AnvilInstance},
    primitives::{keccak256, utils::parse_units, Address, B256, U256},
    providers::Provider,
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
};
use anyhow::{bail, ensure, Context, Result};
use datanet_client::{
    deploy,
    epoch::SignedEpoch,
    epoch::{sign_digest, EpochFile},
    files::{self, DataFile},
    payments::{PayOptions, Payment},
    session::DEFAULT_CONTRIBUTE_BATCH,
    Client, DeployConfig, Deployment, RpcConfig, Session, Silent,
};
use serde::{Deserialize, Serialize};
use std::{
    collections::{BTreeMap, BTreeSet},
    future::Future,
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

/// Runs of each fast method (the cast loop runs once: it takes minutes).
const REPEATS: usize = 3;

/// Options of `cargo xtask bench`. Defaults are the full sizes the goals are stated for.
#[derive(clap::Args, Clone, Debug)]
pub struct BenchArgs {
    /// Small sizes for a fast try (200 files, 10 MB corpus, 100,000 accounts); writes under
    /// bench/quick/ instead of bench/.
    #[arg(long)]
    pub quick: bool,
    /// Files contributed by each method of the throughput bench [default: 1000; quick: 200].
    #[arg(long)]
    pub files: Option<usize>,
    /// Megabytes of synthetic corpus for the attribution bench [default: 100; quick: 10].
    #[arg(long)]
    pub corpus_mb: Option<usize>,
    /// Model outputs (256 tokens each) attributed [default: 10000].
    #[arg(long)]
    pub outputs: Option<usize>,
    /// Accounts of the reward tree, Rust and @openzeppelin/merkle-tree [default: 1000000; quick: 100000].
    #[arg(long)]
    pub accounts: Option<usize>,
}

/// The sizes a run uses.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sizes {
    pub quick: bool,
    pub files: usize,
    pub corpus_mb: usize,
    pub outputs: usize,
    pub accounts: usize,
}

impl BenchArgs {
    fn sizes(&self) -> Sizes {
        let q = self.quick;
        Sizes {
            quick: q,
            files: self.files.unwrap_or(if q { 200 } else { 1_000 }),
            corpus_mb: self.corpus_mb.unwrap_or(if q { 10 } else { 100 }),
            outputs: self.outputs.unwrap_or(10_000),
            accounts: self.accounts.unwrap_or(if q { 100_000 } else { 1_000_000 }),
        }
    }
}

/// A section's result, or why it failed (kept as text for the report).
pub type Outcome<T> = std::result::Result<T, String>;

/// Runs every section, writes `bench/*.json` and `bench/REPORT.md` (or under `bench/quick/`).
pub async fn run(root: &Path, args: &BenchArgs) -> Result<()> {
    let sizes = args.sizes();
    ensure!(
        sizes.files > 0 && sizes.corpus_mb > 0 && sizes.outputs > 0 && sizes.accounts > 0,
        "--files, --corpus-mb, --outputs and --accounts must be positive"
    );
    let started = Instant::now();
    let dir = if sizes.quick {
        root.join("bench/quick")
    } else {
        root.join("bench")
    };
    let machine = Machine::probe(root);
    machine.print();
    println!(
        "sizes: {} files, {} MB corpus, {} outputs, {} accounts{}",
        sizes.files,
        sizes.corpus_mb,
        sizes.outputs,
        sizes.accounts,
        if sizes.quick { " (quick)" } else { "" }
    );
    write_json(&dir, "machine.json", &machine)?;

    let forge = section("forge gas rows", || async { forge_gas(root) }).await;
    if let Ok(f) = &forge {
        write_json(&dir, "forge-gas.json", f)?;
    }
    let chain = section("gas of real transactions on anvil", || chain_gas(root)).await;
    if let Ok(c) = &chain {
        c.print();
        write_json(&dir, "gas.json", c)?;
    }
    let attribution = section(
        "attribution engine and Rust reward tree (release)",
        || async { attribution_bench(root, &sizes) },
    )
    .await;
    if let Ok(a) = &attribution {
        a.print();
        write_json(&dir, "attribution.json", a)?;
    }
    let oz = section("reward tree with @openzeppelin/merkle-tree", || async {
        oz_tree(root, sizes.accounts)
    })
    .await;
    let tree = match (&attribution, oz) {
        (Ok(a), Ok(oz)) => {
            let t = TreeBench::new(a.reward_tree.clone(), oz);
            t.print();
            write_json(&dir, "reward-tree.json", &t)?;
            Ok(t)
        }
        (_, Err(e)) => Err(e),
        (Err(_), Ok(_)) => Err("the Rust tree did not run (attribution bench failed)".into()),
    };
    let throughput = section(
        "contribute throughput (datanet contribute vs cast send)",
        || contribute_throughput(root, sizes.files),
    )
    .await;
    if let Ok(t) = &throughput {
        t.print();
        write_json(&dir, "throughput.json", t)?;
    }

    let report = Report {
        machine,
        load_average_at_end: report::load_average(),
        sizes,
        seconds: started.elapsed().as_secs_f64(),
        forge,
        chain,
        attribution,
        tree,
        throughput,
    };
    let path = dir.join("REPORT.md");
    std::fs::write(&path, report.render())
        .with_context(|| format!("writing {}", path.display()))?;
    println!();
    report.print_summary();
    println!(
        "\nwrote {} and the JSON beside it ({:.0}s in all)",
        path.strip_prefix(root).unwrap_or(&path).display(),
        report.seconds
    );
    let failed = report.failed_sections();
    if !failed.is_empty() {
        bail!("bench sections failed: {}", failed.join(", "));
    }
    Ok(())
}

/// Runs one section with a header and its duration; a failure becomes the section's text.
async fn section<T, F, Fut>(name: &str, f: F) -> Outcome<T>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    println!("\n==> {name}");
    let started = Instant::now();
    let out = f().await.map_err(|e| format!("{e:#}"));
    match &out {
        Ok(_) => println!("    {name}: {:.1}s", started.elapsed().as_secs_f64()),
        Err(e) => println!(
            "    {name}: FAILED after {:.1}s: {e}",
            started.elapsed().as_secs_f64()
        ),
    }
    out
}

/// Writes `<dir>/<name>` (pretty JSON, trailing newline).
pub fn write_json(dir: &Path, name: &str, value: &impl Serialize) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/* FORGE GAS ROWS */

/// The committed forge figures: per-call gas (`snapshots/datanet.json`, from
/// `vm.snapshotGasLastCall`, without the 21,000 base and calldata) and per-test gas (`.gas-snapshot`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ForgeGas {
    /// `snapshots/datanet.json`: call name → gas of the call alone.
    pub calls: BTreeMap<String, u64>,
    /// `.gas-snapshot`: `Contract:test()` → gas of the whole test function.
    pub tests: BTreeMap<String, u64>,
}

impl ForgeGas {
    /// The `.gas-snapshot` row of test `test_<call>()`.
    pub fn test(&self, call: &str) -> Option<u64> {
        let suffix = format!(":test_{call}()");
        self.tests
            .iter()
            .find(|(name, _)| name.ends_with(&suffix))
            .map(|(_, gas)| *gas)
    }
}

/// Reads `.gas-snapshot` and `snapshots/datanet.json` (as committed; `forge snapshot` refreshes them).
pub fn forge_gas(root: &Path) -> Result<ForgeGas> {
    let path = root.join("snapshots/datanet.json");
    let raw: BTreeMap<String, serde_json::Value> = serde_json::from_slice(
        &std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?,
    )
    .with_context(|| format!("parsing {}", path.display()))?;
    let mut calls = BTreeMap::new();
    for (name, value) in raw {
        let gas = match &value {
            serde_json::Value::String(s) => s.parse().ok(),
            other => other.as_u64(),
        };
        calls.insert(
            name.clone(),
            gas.with_context(|| format!("{}: {name} is not a gas figure", path.display()))?,
        );
    }
    let path = root.join(".gas-snapshot");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut tests = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        // `Contract:test_name() (gas: 12345)`; fuzz rows read `(runs: …, μ: …, ~: …)` and are skipped.
        if let Some((name, rest)) = line.split_once(" (gas: ") {
            if let Ok(gas) = rest.trim_end_matches(')').trim().parse() {
                tests.insert(name.trim().to_string(), gas);
            }
        }
    }
    println!(
        "    {} calls in snapshots/datanet.json, {} tests in .gas-snapshot",
        calls.len(),
        tests.len()
    );
    Ok(ForgeGas { calls, tests })
}

/* GAS OF REAL TRANSACTIONS */

/// The URI of the forge gas tests' contributions (so the calldata matches theirs).
const FORGE_URI: &str = "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
/// Accounts of the claim trees (the forge fixture's: depth-10 proofs).
const TREE_ACCOUNTS: u64 = 1_024;
/// The forge fixture's report hash preimage and URI.
const REPORT_URI: &str = "ipfs://report";
const CHALLENGE_PERIOD: u64 = 86_400;

/// One measured transaction, from its receipt.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TxGas {
    /// The forge call name it corresponds to (`snapshots/datanet.json`), or a name of its own.
    pub key: String,
    pub call: String,
    pub tx: B256,
    /// `gasUsed` of the receipt: 21,000 base + calldata + execution.
    pub gas_used: u64,
    /// Items (contributions, payments) in the transaction.
    pub items: u64,
    pub calldata_bytes: usize,
    /// 4 gas per zero byte, 16 per non-zero byte (EIP-2028).
    pub calldata_gas: u64,
    /// `gasUsed − 21,000 − calldata`: comparable with forge's per-call figure.
    pub execution_gas: u64,
}

impl TxGas {
    pub fn per_item(&self) -> u64 {
        self.gas_used / self.items.max(1)
    }
}

/// The protocol's calls as transactions on anvil, in the forge gas tests' steady state.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainGas {
    pub node: String,
    /// The node's hardfork (anvil's default), which sets calldata and access costs.
    pub hardfork: String,
    pub transactions: Vec<TxGas>,
}

impl ChainGas {
    pub fn get(&self, key: &str) -> Option<&TxGas> {
        self.transactions.iter().find(|t| t.key == key)
    }

    fn print(&self) {
        println!(
            "\n{:<44} {:>6} {:>10} {:>9} {:>10} {:>10}",
            "transaction on anvil", "items", "gasUsed", "calldata", "execution", "gas/item"
        );
        for t in &self.transactions {
            println!(
                "{:<44} {:>6} {:>10} {:>9} {:>10} {:>10}",
                t.call,
                t.items,
                t.gas_used,
                t.calldata_gas,
                t.execution_gas,
                t.per_item()
            );
        }
    }
}

/// Deploys on a fresh anvil with the forge fixture's settings (five attestors, three signing, 5% fee,
/// owner share 20%) and sends each measured call as a transaction, after the same warm-up the forge
/// tests make (a bond already held, the fee recipients already paid, an account already holding tokens).
pub async fn chain_gas(root: &Path) -> Result<ChainGas> {
    let anvil_path = npm_bin(root, "anvil");
    let node = version_of(&anvil_path)?;
    let anvil = Anvil::new()
        .path(&anvil_path)
        .try_spawn()
        .context("starting anvil from node_modules (run `cargo xtask setup`)")?;
    let url = anvil.endpoint();
    let keys = devchain::dev_keys(&anvil);
    ensure!(
        keys.len() >= 10,
        "anvil gave {} accounts, 10 needed",
        keys.len()
    );
    let deployer = Client::connect(&RpcConfig::new(url.clone()), Some(keys[0].clone())).await?;
    let hardfork = deployer
        .provider()
        .raw_request::<_, serde_json::Value>("anvil_nodeInfo".into(), ())
        .await
        .ok()
        .and_then(|info| info["hardFork"].as_str().map(str::to_string))
        .unwrap_or_else(|| "unknown".into());
    let attestors = keys[5..10].to_vec();
    let deployment = deploy(
        &deployer,
        &DeployConfig {
            attestors: attestors.iter().map(|k| k.address()).collect(),
            threshold: 3,
            challenge_period: CHALLENGE_PERIOD,
            protocol_fee_bps: 500,
            // A devnet's commitment ages (1 s to 1 day), as `datanet devnet` deploys.
            ..DeployConfig::devnet(tokens("1000000000")?)
        },
    )
    .await?;
    let session = |i: usize| devchain::session(&url, &keys[i], &deployment);
    let owner = session(0).await?;
    let (alice, bob, payer, model_owner) = (
        session(1).await?,
        session(2).await?,
        session(3).await?,
        session(4).await?,
    );
    let mut gas = Gas {
        session: &owner,
        out: Vec::new(),
    };

    // The fixture: a bonded datanet (10 tokens, 3 days) and a free one; funded, approving accounts.
    let (bonded, _) = owner
        .create_datanet("ipfs://datanet", tokens("10")?, 3 * 86_400)
        .await?;
    let (free, _) = owner
        .create_datanet("ipfs://datanet", U256::ZERO, 3 * 86_400)
        .await?;
    for (who, amount) in [(&alice, "1000"), (&bob, "1000"), (&payer, "1000000")] {
        let account = who.client.sender()?;
        send(
            &owner,
            "transfer",
            owner.token_contract().transfer(account, tokens(amount)?),
        )
        .await?;
        for spender in [deployment.datanet_registry, deployment.attribution_pool] {
            send(
                who,
                "approve",
                who.token_contract().approve(spender, U256::MAX),
            )
            .await?;
        }
    }
    // Steady state: the registry already holds a bond.
    commit_reveal(&bob, bonded, &synthetic("earlier", 1), Reveal::One).await?;

    println!("    commit, revealOne, reveal (1 and a batch of 100) …");
    let (c, r) = commit_reveal(&alice, free, &synthetic("file", 1), Reveal::One).await?;
    gas.record("commit", "commit", 1, &c).await?;
    gas.record("revealOne_withoutBond", "revealOne (no bond)", 1, &r)
        .await?;
    let (_, r) = commit_reveal(&alice, free, &synthetic("single", 1), Reveal::Batch).await?;
    gas.record("reveal_1_withoutBond", "reveal (1, no bond)", 1, &r)
        .await?;
    let (_, r) = commit_reveal(&alice, bonded, &synthetic("file", 1), Reveal::Batch).await?;
    gas.record("reveal_1_withBond", "reveal (1, bond 10 tokens)", 1, &r)
        .await?;
    let (batch_datanet, _) = owner
        .create_datanet("ipfs://datanet", U256::ZERO, 3 * 86_400)
        .await?;
    let (_, r) = commit_reveal(
        &alice,
        batch_datanet,
        &synthetic("batch", 100),
        Reveal::Batch,
    )
    .await?;
    gas.record("reveal_100_withoutBond", "reveal (100, no bond)", 100, &r)
        .await?;

    println!("    registerModel, payForInference, payForInferences …");
    let (model, _) = model_owner
        .register_model("ipfs://model", &[bonded], 2_000)
        .await?;
    // Steady state: treasury, owner credit and contributors' pool already non-zero. 5,000 tokens
    // leave the contributors 3,800, enough for both claim trees below (1,024 and 2,048 tokens).
    send(
        &payer,
        "payForInference",
        payer.pool().payForInference(
            U256::from(model),
            tokens("5000")?,
            keccak256("warm-up"),
            String::new(),
        ),
    )
    .await?;
    let r = send(
        &payer,
        "payForInference",
        payer.pool().payForInference(
            U256::from(model),
            tokens("1")?,
            keccak256("output"),
            String::new(),
        ),
    )
    .await?;
    gas.record("payForInference", "payForInference", 1, &r)
        .await?;
    let payments: Vec<Payment> = (0..20u64)
        .map(|i| Payment {
            amount: U256::from(10u64.pow(18) + i),
            inference_id: keccak256([b"output".as_slice(), &i.to_be_bytes()].concat()),
        })
        .collect();
    let options = PayOptions {
        batch_size: 20,
        ..Default::default()
    };
    let receipts = payer
        .pay(model, &payments, &options, &Silent)
        .await?
        .receipts;
    ensure!(
        receipts.len() == 1,
        "20 payments took {} transactions",
        receipts.len()
    );
    gas.record(
        "payForInferences_20",
        "payForInferences (20)",
        20,
        &receipts[0],
    )
    .await?;

    // Epoch 1: the fixture's 1,024-account tree (depth-10 proofs), signed by 3 of the 5 attestors.
    println!("    proposeEpoch, acceptEpoch, claims on a {TREE_ACCOUNTS}-account tree …");
    let accounts: Vec<Address> = (0..TREE_ACCOUNTS)
        .map(|i| Address::left_padding_from(&(0x10_0000 + i).to_be_bytes()))
        .collect();
    let tree1 = ClaimTree::new(&accounts, 1);
    let r = publish(&owner, &attestors[..3], 1, &tree1).await?;
    gas.record(
        "proposeEpoch_3of5Signatures",
        "proposeEpoch (3 of 5 signatures)",
        1,
        &r.0,
    )
    .await?;
    gas.record("acceptEpoch", "acceptEpoch", 1, &r.1).await?;
    // accounts[1] already holds tokens; accounts[0] holds none.
    send(
        &owner,
        "transfer",
        owner.token_contract().transfer(accounts[1], tokens("1")?),
    )
    .await?;
    let (_, r) = owner
        .claim(accounts[0], tree1.amounts[0], tree1.proof(0))
        .await?;
    gas.record(
        "claim_first_newHolder_depth10",
        "claim, first (new holder, depth 10)",
        1,
        &r,
    )
    .await?;
    let (_, r) = owner
        .claim(accounts[1], tree1.amounts[1], tree1.proof(1))
        .await?;
    gas.record(
        "claim_first_existingHolder_depth10",
        "claim, first (existing holder, depth 10)",
        1,
        &r,
    )
    .await?;

    // Epoch 2: every amount doubled; accounts[0] claims again.
    let tree2 = ClaimTree::new(&accounts, 2);
    publish(&owner, &attestors[2..], 2, &tree2).await?;
    let (_, r) = owner
        .claim(accounts[0], tree2.amounts[0], tree2.proof(0))
        .await?;
    gas.record(
        "claim_repeat_secondEpoch_depth10",
        "claim, repeat (second epoch, depth 10)",
        1,
        &r,
    )
    .await?;

    let transactions = gas.out;
    drop(anvil);
    Ok(ChainGas {
        node,
        hardfork,
        transactions,
    })
}

/// Collects [`TxGas`] rows, reading each transaction's calldata from the node.
struct Gas<'a> {
    session: &'a Session,
    out: Vec<TxGas>,
}

impl Gas<'_> {
    async fn record(
        &mut self,
        key: &str,
        call: &str,
        items: u64,
        receipt: &TransactionReceipt,
    ) -> Result<()> {
        let tx: serde_json::Value = self
            .session
            .client
            .provider()
            .raw_request(
                "eth_getTransactionByHash".into(),
                (receipt.transaction_hash,),
            )
            .await
            .context("reading a transaction")?;
        let input = tx["input"]
            .as_str()
            .with_context(|| format!("transaction {} has no input", receipt.transaction_hash))?;
        let bytes = alloy::hex::decode(input).context("transaction input is not hex")?;
        let calldata_gas: u64 = bytes.iter().map(|b| if *b == 0 { 4 } else { 16 }).sum();
        self.out.push(TxGas {
            key: key.to_string(),
            call: call.to_string(),
            tx: receipt.transaction_hash,
            gas_used: receipt.gas_used,
            items,
            calldata_bytes: bytes.len(),
            calldata_gas,
            execution_gas: receipt.gas_used.saturating_sub(21_000 + calldata_gas),
        });
        Ok(())
    }
}

/// `n` distinct synthetic files (hashes only: the chain never sees the data).
fn synthetic(tag: &str, n: u64) -> Vec<DataFile> {
    (0..n)
        .map(|i| DataFile {
            path: PathBuf::from(format!("{tag}-{i}")),
            content_hash: keccak256([tag.as_bytes(), &i.to_be_bytes()].concat()),
        })
        .collect()
}

/// Which registry function reveals a batch.
#[derive(Clone, Copy, PartialEq)]
enum Reveal {
    /// `revealOne`, for a one-item batch (what `datanet contribute` sends for a single file).
    One,
    /// `reveal`, with the items as an array.
    Batch,
}

/// Commits `files` as one batch, waits the minimum age, reveals it with `how`; returns both
/// receipts.
async fn commit_reveal(
    session: &Session,
    datanet: u64,
    files: &[DataFile],
    how: Reveal,
) -> Result<(TransactionReceipt, TransactionReceipt)> {
    let uri = |_: &DataFile| FORGE_URI.to_string();
    let (_, batches) = session
        .plan_contribution(datanet, files, &uri, files.len().max(1))
        .await?;
    let batch = batches.first().context("nothing to contribute")?;
    let info = session.datanet(datanet).await?;
    let sender = session.client.sender()?;
    let bond = info.bond * U256::from(batch.items.len());
    if !bond.is_zero() {
        session
            .ensure_balance_and_allowance(
                sender,
                session.deployment.datanet_registry,
                bond,
                "bonds",
            )
            .await?;
    }
    let registry = session.registry();
    let commit = send(session, "commit", registry.commit(batch.commitment)).await?;
    let at = session.committed_at(&[batch.commitment]).await?[0];
    session.wait_revealable(at, &Silent).await?;
    let reveal = match (how, batch.items.as_slice()) {
        (Reveal::One, [item]) => {
            send(
                session,
                "revealOne",
                registry.revealOne(
                    U256::from(datanet),
                    item.content_hash,
                    item.uri.clone(),
                    batch.salt,
                ),
            )
            .await?
        }
        _ => {
            send(
                session,
                "reveal",
                registry.reveal(U256::from(datanet), batch.inputs(), batch.salt),
            )
            .await?
        }
    };
    Ok((commit, reveal))
}

/// Sends a bindings call and waits for its receipt (failing on a revert).
async fn send<N>(
    session: &Session,
    name: &str,
    call: alloy::contract::CallBuilder<&alloy::providers::DynProvider, std::marker::PhantomData<N>>,
) -> Result<TransactionReceipt>
where
    N: alloy::sol_types::SolCall,
{
    Ok(session
        .client
        .send(name, call.into_transaction_request())
        .await?)
}

async fn receipt(session: &Session, tx: B256) -> Result<TransactionReceipt> {
    session
        .client
        .provider()
        .get_transaction_receipt(tx)
        .await
        .context("reading a receipt")?
        .with_context(|| format!("no receipt for {tx}"))
}

/// Proposes `tree` as epoch `epoch` with `signers`' signatures, waits out the challenge period and
/// accepts it; returns both receipts.
async fn publish(
    session: &Session,
    signers: &[PrivateKeySigner],
    epoch: u64,
    tree: &ClaimTree,
) -> Result<(TransactionReceipt, TransactionReceipt)> {
    let total = tree.amounts.iter().fold(U256::ZERO, |a, b| a + b);
    let mut file = EpochFile {
        signed: SignedEpoch {
            epoch,
            nonce: session.proposal_nonce().await?,
            rewardsRoot: tree.root(),
            totalAllocated: total,
            reportHash: keccak256("report"),
            reportURI: REPORT_URI.into(),
        },
        chain_id: session.client.chain_id(),
        pool: session.deployment.attribution_pool,
        from_block: 0,
        to_block: 0,
        min_span: 8,
        signatures: Vec::new(),
    };
    let digest = file.digest();
    for signer in signers {
        file.signatures.push(sign_digest(signer, digest)?);
    }
    let (_, proposed) = session.propose_epoch(&file, &[]).await?;
    devchain::advance(session, CHALLENGE_PERIOD + 1).await?;
    let (_, root, accepted) = session.accept_epoch().await?;
    ensure!(root == tree.root(), "the pool accepted another root");
    Ok((proposed, accepted))
}

/// The forge fixture's reward tree, as @openzeppelin/merkle-tree lays it out: account `i` is owed
/// `scale × (10^18 + i)`; leaves `keccak256(keccak256(abi.encode(account, amount)))` sorted
/// ascending, the `k`-th at `nodes[2n − 2 − k]`, node `i` = hash of the sorted pair of its children.
struct ClaimTree {
    amounts: Vec<U256>,
    nodes: Vec<B256>,
    /// Node index of each account's leaf.
    position: Vec<usize>,
}

impl ClaimTree {
    fn new(accounts: &[Address], scale: u64) -> Self {
        let n = accounts.len();
        let amounts: Vec<U256> = (0..n as u64)
            .map(|i| U256::from(scale) * (U256::from(10u64.pow(18)) + U256::from(i)))
            .collect();
        let mut leaves: Vec<(B256, usize)> = accounts
            .iter()
            .zip(&amounts)
            .enumerate()
            .map(|(i, (account, amount))| {
                let mut encoded = [0u8; 64];
                encoded[12..32].copy_from_slice(account.as_slice());
                encoded[32..].copy_from_slice(&amount.to_be_bytes::<32>());
                (keccak256(keccak256(encoded)), i)
            })
            .collect();
        leaves.sort();
        let mut nodes = vec![B256::ZERO; 2 * n - 1];
        let mut position = vec![0; n];
        for (k, (hash, i)) in leaves.into_iter().enumerate() {
            nodes[2 * n - 2 - k] = hash;
            position[i] = 2 * n - 2 - k;
        }
        for i in (0..n - 1).rev() {
            nodes[i] = pair_hash(&nodes[2 * i + 1], &nodes[2 * i + 2]);
        }
        Self {
            amounts,
            nodes,
            position,
        }
    }

    fn root(&self) -> B256 {
        self.nodes[0]
    }

    /// Siblings from account `i`'s leaf up to the root.
    fn proof(&self, i: usize) -> Vec<B256> {
        let mut proof = Vec::new();
        let mut j = self.position[i];
        while j > 0 {
            proof.push(self.nodes[if j % 2 == 1 { j + 1 } else { j - 1 }]);
            j = (j - 1) / 2;
        }
        proof
    }
}

fn pair_hash(a: &B256, b: &B256) -> B256 {
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    keccak256([x.as_slice(), y.as_slice()].concat())
}

fn tokens(text: &str) -> Result<U256> {
    Ok(parse_units(text, 18)?.into())
}

/* ATTRIBUTION ENGINE AND REWARD TREE */

/// Goals of the attribution and tree benches.
pub const GOAL_OUTPUTS: f64 = 10_000.0;
pub const GOAL_OUTPUTS_SECONDS: f64 = 5.0;
pub const GOAL_TREE_ACCOUNTS: f64 = 1_000_000.0;
pub const GOAL_TREE_SECONDS: f64 = 2.0;
pub const GOAL_TREE_SPEEDUP: f64 = 50.0;

/// `corpus` of the example's JSON.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CorpusRun {
    pub bytes: u64,
    pub documents: u64,
    pub tokens: u64,
    pub vocabulary: u64,
    pub build_seconds: f64,
    pub mb_per_second: f64,
    pub window_filter_seconds: Option<f64>,
}

/// `attribution` of the example's JSON.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributionRun {
    pub outputs: u64,
    pub tokens: u64,
    pub min_span: u64,
    pub window_filter: bool,
    pub seconds: f64,
    pub outputs_per_second: f64,
    pub spans: u64,
    pub attributed_outputs: u64,
}

/// A reward tree build + `JSON.stringify(tree.dump())`, from either implementation.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TreeRun {
    pub accounts: u64,
    pub build_seconds: f64,
    pub dump_seconds: f64,
    pub seconds: f64,
    pub dump_bytes: u64,
    pub dump_keccak: String,
    pub root: String,
}

/// The release attribution bench example's figures.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributionBench {
    pub command: String,
    pub corpus: CorpusRun,
    pub attribution: AttributionRun,
    pub reward_tree: TreeRun,
}

impl AttributionBench {
    /// ≥ 10,000 outputs in ≤ 5 s, i.e. at least 2,000 outputs/s.
    pub fn meets_goal(&self) -> bool {
        self.attribution.outputs_per_second >= GOAL_OUTPUTS / GOAL_OUTPUTS_SECONDS
    }

    fn print(&self) {
        let (c, a) = (&self.corpus, &self.attribution);
        println!(
            "    index: {:.1} MB in {:.2}s = {:.1} MB/s ({} documents, {} tokens); window filter {:.2}s",
            c.bytes as f64 / 1e6,
            c.build_seconds,
            c.mb_per_second,
            c.documents,
            c.tokens,
            c.window_filter_seconds.unwrap_or(0.0)
        );
        println!(
            "    attribution: {} outputs of 256 tokens in {:.2}s = {:.0} outputs/s (goal ≥ {:.0} in ≤ {:.0}s: {})",
            a.outputs,
            a.seconds,
            a.outputs_per_second,
            GOAL_OUTPUTS,
            GOAL_OUTPUTS_SECONDS,
            report::verdict(self.meets_goal())
        );
    }
}

/// Builds the attribution bench example in release and runs it with `--json`.
pub fn attribution_bench(root: &Path, sizes: &Sizes) -> Result<AttributionBench> {
    let exe = build_release(
        root,
        &["-p", "datanet-attribution", "--example", "bench"],
        "bench",
    )?;
    let args = [
        "--json".to_string(),
        "--corpus-mb".into(),
        sizes.corpus_mb.to_string(),
        "--outputs".into(),
        sizes.outputs.to_string(),
        "--accounts".into(),
        sizes.accounts.to_string(),
    ];
    println!("    running the example: bench {}", args.join(" "));
    let out = Command::new(&exe)
        .args(&args)
        .current_dir(root)
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("running {}", exe.display()))?;
    ensure!(
        out.status.success(),
        "the attribution bench example failed ({})",
        out.status
    );
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Printed {
        corpus: CorpusRun,
        attribution: AttributionRun,
        reward_tree: TreeRun,
    }
    let printed: Printed = serde_json::from_slice(&out.stdout)
        .context("the attribution bench example did not print the expected JSON")?;
    Ok(AttributionBench {
        command: format!(
            "cargo run --release -p datanet-attribution --example bench -- {}",
            args.join(" ")
        ),
        corpus: printed.corpus,
        attribution: printed.attribution,
        reward_tree: printed.reward_tree,
    })
}

/// `node scripts/oz-tree-bench.mjs --accounts N`.
pub fn oz_tree(root: &Path, accounts: usize) -> Result<TreeRun> {
    println!(
        "    node scripts/oz-tree-bench.mjs --accounts {accounts} (about 2 minutes at 1,000,000) …"
    );
    let out = Command::new("node")
        .arg(root.join("scripts/oz-tree-bench.mjs"))
        .args(["--accounts", &accounts.to_string()])
        .current_dir(root)
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running node (is Node.js installed?)")?;
    ensure!(
        out.status.success(),
        "scripts/oz-tree-bench.mjs failed ({})",
        out.status
    );
    let run: TreeRun = serde_json::from_slice(&out.stdout)
        .context("scripts/oz-tree-bench.mjs did not print the expected JSON")?;
    println!(
        "    @openzeppelin/merkle-tree: {} accounts in {:.2}s (build {:.2}s, dump {:.2}s)",
        run.accounts, run.seconds, run.build_seconds, run.dump_seconds
    );
    Ok(run)
}

/// The Rust reward tree beside @openzeppelin/merkle-tree, same values.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TreeBench {
    pub accounts: u64,
    pub rust: TreeRun,
    pub openzeppelin: TreeRun,
    pub same_root: bool,
    /// The dumps are byte-identical (same keccak256).
    pub same_dump: bool,
    /// OpenZeppelin seconds / Rust seconds (build + dump).
    pub speedup: f64,
    /// 2 s at 1,000,000 accounts, scaled linearly to `accounts`.
    pub goal_seconds: f64,
    pub goal_speedup: f64,
}

impl TreeBench {
    fn new(rust: TreeRun, openzeppelin: TreeRun) -> Self {
        let accounts = rust.accounts;
        Self {
            same_root: rust.root.eq_ignore_ascii_case(&openzeppelin.root)
                && rust.accounts == openzeppelin.accounts,
            same_dump: rust
                .dump_keccak
                .eq_ignore_ascii_case(&openzeppelin.dump_keccak),
            speedup: openzeppelin.seconds / rust.seconds,
            goal_seconds: GOAL_TREE_SECONDS * accounts as f64 / GOAL_TREE_ACCOUNTS,
            goal_speedup: GOAL_TREE_SPEEDUP,
            accounts,
            rust,
            openzeppelin,
        }
    }

    pub fn meets_seconds(&self) -> bool {
        self.same_root && self.rust.seconds <= self.goal_seconds
    }

    pub fn meets_speedup(&self) -> bool {
        self.same_root && self.speedup >= self.goal_speedup
    }

    fn print(&self) {
        println!(
            "    Rust {:.3}s vs OpenZeppelin {:.2}s for {} accounts: {:.0}× ; same root {}, same dump {}",
            self.rust.seconds,
            self.openzeppelin.seconds,
            self.accounts,
            self.speedup,
            self.same_root,
            self.same_dump
        );
        println!(
            "    goal ≤ {:.2}s: {}; goal ≥ {:.0}×: {}",
            self.goal_seconds,
            report::verdict(self.meets_seconds()),
            self.goal_speedup,
            report::verdict(self.meets_speedup())
        );
    }
}

/* CONTRIBUTE THROUGHPUT */

/// Contributions per second of the release `datanet contribute` binary, of the library's
/// `Session::contribute` in this process, and of a `cast send` loop calling `contribute` once per file.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContributeThroughput {
    pub files: usize,
    pub node: String,
    /// The cast binary of the loop (the native one, not npm's Node launcher, which adds ~90 ms a call).
    pub cast: String,
    pub cpus: usize,
    pub unix_time: u64,
    /// `datanet contribute DATANET FOLDER` (release build), timed from process start to exit.
    pub datanet_contribute: Measure,
    /// `Session::contribute` called in-process (hashing the files included).
    pub library_contribute: Measure,
    /// One `cast send … "contribute(uint256,bytes32,string)"` per file, each waiting for its receipt.
    pub cast_send_loop: Measure,
    /// `datanet contribute` contributions/s divided by the cast loop's.
    pub speedup_vs_cast: f64,
    pub goal_per_second: f64,
    pub goal_speedup: f64,
}

/// One method's run.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Measure {
    pub method: String,
    pub contributions: usize,
    /// Median of the runs.
    pub seconds: f64,
    pub samples_seconds: Vec<f64>,
    pub per_second: f64,
    pub transactions: usize,
    pub contributions_per_transaction: usize,
    /// Gas of the contribution transactions (from their receipts) divided by the contributions.
    pub gas_per_contribution: u64,
}

impl ContributeThroughput {
    fn print(&self) {
        println!(
            "\ncontribute throughput: {} distinct files per method, {}, automine, {} CPUs",
            self.files, self.node, self.cpus
        );
        println!(
            "{:<38} {:>13} {:>9} {:>10} {:>6} {:>9} {:>10}",
            "method", "contributions", "seconds", "contrib/s", "txs", "per tx", "gas/contr"
        );
        for m in [
            &self.datanet_contribute,
            &self.library_contribute,
            &self.cast_send_loop,
        ] {
            println!(
                "{:<38} {:>13} {:>9.3} {:>10.1} {:>6} {:>9} {:>10}",
                m.method,
                m.contributions,
                m.seconds,
                m.per_second,
                m.transactions,
                m.contributions_per_transaction,
                m.gas_per_contribution
            );
        }
        let verdict = report::verdict;
        println!(
            "datanet contribute: {:.0} contributions/s (goal ≥ {:.0}: {}); {:.1}× the cast loop (goal ≥ {:.0}×: {})",
            self.datanet_contribute.per_second,
            self.goal_per_second,
            verdict(self.datanet_contribute.per_second >= self.goal_per_second),
            self.speedup_vs_cast,
            self.goal_speedup,
            verdict(self.speedup_vs_cast >= self.goal_speedup),
        );
    }
}

/// Starts anvil, deploys, and contributes `n` files three ways into three fresh datanets (no bond).
pub async fn contribute_throughput(root: &Path, n: usize) -> Result<ContributeThroughput> {
    ensure!(n > 0, "--files must be at least 1");
    let datanet_bin = build_release(root, &["-p", "datanet-cli", "--bin", "datanet"], "datanet")?;
    let cast = native_tool(root, "cast");
    let anvil_path = npm_bin(root, "anvil");
    ensure!(
        cast.exists() && anvil_path.exists(),
        "{} or {} is missing: run `cargo xtask setup`",
        cast.display(),
        anvil_path.display()
    );
    let node = version_of(&anvil_path)?;
    let anvil = Anvil::new()
        .path(&anvil_path)
        .try_spawn()
        .context("starting anvil from node_modules (run `cargo xtask setup`)")?;
    let work = std::env::temp_dir().join(format!("datanet-bench-{}", std::process::id()));
    let result = measure_all(&anvil, &datanet_bin, &cast, &work, n, node)
        .await
        .map(|mut report| {
            report.cast = cast
                .strip_prefix(root)
                .unwrap_or(&cast)
                .display()
                .to_string();
            report
        });
    let _ = std::fs::remove_dir_all(&work);
    result
}

async fn measure_all(
    anvil: &AnvilInstance,
    datanet_bin: &Path,
    cast: &Path,
    work: &Path,
    n: usize,
    node: String,
) -> Result<ContributeThroughput> {
    let url = anvil.endpoint();
    // Anvil dev keys, passed to the child processes (never printed). Each method signs with its own
    // account: the library's nonce cache must not see another process's transactions.
    let key = |i: usize| format!("0x{}", alloy::hex::encode(anvil.keys()[i].to_bytes()));
    let (cli_key, cast_key) = (key(1), key(2));
    let signer = PrivateKeySigner::from(anvil.keys()[0].clone());
    let client = Client::connect(&RpcConfig::new(url.clone()), Some(signer)).await?;
    let supply: U256 = parse_units("1000000000", 18)?.into();
    let deployment = deploy(
        &client,
        &DeployConfig {
            challenge_period: 3_600,
            protocol_fee_bps: 500,
            ..DeployConfig::devnet(supply)
        },
    )
    .await?;
    let deployments = work.join("deployments");
    deployment.save(&deployments, true)?;
    let session = Session::new(client, deployment.clone());

    let data = work.join("files");
    std::fs::create_dir_all(&data)?;
    for i in 0..n {
        std::fs::write(
            data.join(format!("{i:05}.txt")),
            format!("bench sample {i}: a short distinct line of contributed text\n"),
        )?;
    }
    println!(
        "anvil on {url}; {n} files in {}; datanet binary {}",
        data.display(),
        datanet_bin.display()
    );

    // 1. The release binary, end to end; 2. the library, in this process. Each run is a fraction of
    // a second, so each is repeated into a fresh datanet and the median kept.
    let mut cli_samples = Vec::new();
    let mut lib_samples = Vec::new();
    let (mut cli_tx_gas, mut lib_tx_gas) = ((Vec::new(), 0), (Vec::new(), 0));
    let mut collected = Vec::new();
    for round in 1..=REPEATS {
        let (cli_datanet, _) = session
            .create_datanet("ipfs://bench-cli", U256::ZERO, 86_400)
            .await?;
        println!("datanet contribute, run {round} of {REPEATS} …");
        let started = Instant::now();
        // Run from the work folder: a contribution's URI is the publication base joined with the
        // file's path relative to it (`https://bench.example/files/…`).
        let output = Command::new(datanet_bin)
            .current_dir(work)
            .arg("contribute")
            .arg(cli_datanet.to_string())
            .arg("files")
            .args(["--uri-prefix", "https://bench.example/"])
            .args(["--json", "--rpc-url", &url, "--private-key", &cli_key])
            .arg("--deployments")
            .arg(&deployments)
            .output()
            .context("running datanet contribute")?;
        cli_samples.push(started.elapsed().as_secs_f64());
        if !output.status.success() {
            bail!(
                "datanet contribute failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
        let registered = report["files"]
            .as_array()
            .context("datanet contribute --json lists its files")?
            .iter()
            .filter(|r| r["outcome"] == "registered")
            .count();
        ensure!(
            registered == n,
            "datanet contribute registered {registered} of {n} files"
        );
        cli_tx_gas = contribution_gas(&session, &deployment, cli_datanet, n).await?;

        let (lib_datanet, _) = session
            .create_datanet("ipfs://bench-lib", U256::ZERO, 86_400)
            .await?;
        println!("Session::contribute, run {round} of {REPEATS} …");
        let started = Instant::now();
        collected = files::collect(std::slice::from_ref(&data))?;
        let report = session
            .contribute(
                lib_datanet,
                &collected,
                |f| f.path.display().to_string(),
                DEFAULT_CONTRIBUTE_BATCH,
                &Silent,
            )
            .await?;
        lib_samples.push(started.elapsed().as_secs_f64());
        let registered = report
            .files
            .iter()
            .filter(|r| r.outcome == "registered")
            .count();
        ensure!(
            registered == n,
            "Session::contribute registered {registered} of {n} files"
        );
        lib_tx_gas = contribution_gas(&session, &deployment, lib_datanet, n).await?;
    }
    let ((cli_txs, cli_gas), (lib_txs, lib_gas)) = (
        (cli_tx_gas.0.len(), cli_tx_gas.1),
        (lib_tx_gas.0.len(), lib_tx_gas.1),
    );

    // 3. The cast loop, as a shell script would do commit → reveal: one commit per file (its own
    // salt), then, once the minimum age has passed, one reveal per file.
    let (cast_datanet, _) = session
        .create_datanet("ipfs://bench-cast", U256::ZERO, 86_400)
        .await?;
    let registry = deployment.datanet_registry.to_string();
    let datanet_arg = cast_datanet.to_string();
    let cast_address = PrivateKeySigner::from(anvil.keys()[2].clone()).address();
    println!("cast send loop ({} transactions) …", 2 * n);
    let cast_send = |signature: &str, args: &[String]| -> Result<u64> {
        let out = Command::new(cast)
            .args([
                "send",
                "--json",
                "--rpc-url",
                &url,
                "--private-key",
                &cast_key,
            ])
            .arg(&registry)
            .arg(signature)
            .args(args)
            .output()
            .context("running cast send")?;
        if !out.status.success() {
            bail!(
                "cast send failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        let receipt: serde_json::Value = serde_json::from_slice(&out.stdout)
            .context("cast send --json did not print a receipt")?;
        ensure!(
            receipt["status"] == "0x1",
            "cast send: transaction reverted"
        );
        quantity(&receipt["gasUsed"])
    };
    let started = Instant::now();
    let mut cast_gas_total = 0u64;
    let mut salts = Vec::with_capacity(collected.len());
    for (i, file) in collected.iter().enumerate() {
        let content_hash = keccak256(std::fs::read(&file.path)?);
        let salt = keccak256(format!("cast salt {i}"));
        let commitment = datanet_client::contribute::commitment(
            cast_address,
            cast_datanet,
            &[content_hash],
            salt,
        );
        cast_gas_total += cast_send("commit(bytes32)", &[commitment.to_string()])?;
        salts.push((content_hash, salt));
    }
    let min_age = session.commitment_ages().await?.0;
    std::thread::sleep(std::time::Duration::from_secs(min_age + 1));
    for (file, (content_hash, salt)) in collected.iter().zip(&salts) {
        cast_gas_total += cast_send(
            "reveal(uint256,(bytes32,string)[],bytes32)",
            &[
                datanet_arg.clone(),
                format!("[({content_hash},{})]", file.path.display()),
                salt.to_string(),
            ],
        )?;
    }
    let cast_seconds = started.elapsed().as_secs_f64();
    let (cast_txs, cast_gas) = contribution_gas(&session, &deployment, cast_datanet, n).await?;
    let cast_txs = cast_txs.len();
    ensure!(
        cast_gas == cast_gas_total / n as u64,
        "cast receipts ({} gas per contribution) and chain receipts ({cast_gas}) disagree",
        cast_gas_total / n as u64
    );

    let measure = |method: &str, samples: Vec<f64>, txs: usize, gas: u64| {
        let seconds = median(&samples);
        Measure {
            method: method.to_string(),
            contributions: n,
            seconds,
            samples_seconds: samples,
            per_second: n as f64 / seconds,
            transactions: txs,
            contributions_per_transaction: n.div_ceil(txs),
            gas_per_contribution: gas,
        }
    };
    let datanet_contribute = measure(
        "datanet contribute (release binary)",
        cli_samples,
        cli_txs,
        cli_gas,
    );
    let cast_send_loop = measure(
        "cast send loop (contribute)",
        vec![cast_seconds],
        cast_txs,
        cast_gas,
    );
    Ok(ContributeThroughput {
        files: n,
        node,
        cast: String::new(),
        cpus: std::thread::available_parallelism().map_or(1, |p| p.get()),
        unix_time: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        speedup_vs_cast: datanet_contribute.per_second / cast_send_loop.per_second,
        library_contribute: measure(
            "Session::contribute (library)",
            lib_samples,
            lib_txs,
            lib_gas,
        ),
        datanet_contribute,
        cast_send_loop,
        goal_per_second: 1_000.0,
        goal_speedup: 50.0,
    })
}

/// The transactions that registered datanet `datanet`'s contributions — each reveal (from its
/// `Contributed` events) and the commit of its commitment — and their gas per contribution (from
/// their receipts).
async fn contribution_gas(
    session: &Session,
    deployment: &Deployment,
    datanet: u64,
    expected: usize,
) -> Result<(Vec<B256>, u64)> {
    use datanet_bindings::DatanetRegistry::{Committed, Contributed, Revealed};
    let latest = session.client.latest_block().await?;
    let from = deployment.deployment_block;
    let by_datanet = alloy::rpc::types::Filter::new()
        .address(deployment.datanet_registry)
        .topic2(U256::from(datanet));
    let events = session
        .client
        .events::<Contributed>(by_datanet, from, latest)
        .await
        .context("reading Contributed events")?;
    ensure!(
        events.len() == expected,
        "datanet {datanet} has {} Contributed events, expected {expected}",
        events.len()
    );
    // The reveals are the transactions of the datanet's Contributed events; their Revealed events
    // name the commitments.
    let reveal_txs: BTreeSet<B256> = events
        .iter()
        .filter_map(|(_, log)| log.transaction_hash)
        .collect();
    let reveals = session
        .client
        .events::<Revealed>(
            alloy::rpc::types::Filter::new().address(deployment.datanet_registry),
            from,
            latest,
        )
        .await
        .context("reading Revealed events")?;
    let commitments: BTreeSet<B256> = reveals
        .iter()
        .filter(|(_, log)| {
            log.transaction_hash
                .is_some_and(|tx| reveal_txs.contains(&tx))
        })
        .map(|(e, _)| e.commitment)
        .collect();
    let commits = session
        .client
        .events::<Committed>(
            alloy::rpc::types::Filter::new()
                .address(deployment.datanet_registry)
                .topic1(commitments.into_iter().collect::<Vec<_>>()),
            from,
            latest,
        )
        .await
        .context("reading Committed events")?;
    let txs: BTreeSet<B256> = events
        .iter()
        .chain(std::iter::empty())
        .filter_map(|(_, log)| log.transaction_hash)
        .chain(commits.iter().filter_map(|(_, log)| log.transaction_hash))
        .collect();
    let mut gas = 0u64;
    for tx in &txs {
        gas += receipt(session, *tx).await?.gas_used;
    }
    Ok((txs.into_iter().collect(), gas / expected as u64))
}

/// `cargo build --release ARGS` and the executable cargo reports for target `name`.
fn build_release(root: &Path, args: &[&str], name: &str) -> Result<PathBuf> {
    println!("    cargo build --release {} …", args.join(" "));
    let output = cargo()
        .arg("build")
        .arg("--release")
        .args(args)
        .arg("--message-format=json-render-diagnostics")
        .current_dir(root)
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running cargo build --release")?;
    ensure!(
        output.status.success(),
        "cargo build --release {} failed",
        args.join(" ")
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .with_context(|| format!("cargo did not report the {name} executable"))
}

/// The platform binary npm installed for a Foundry tool (`@foundry-rs/<tool>-<platform>/bin/<tool>`),
/// else the `node_modules/.bin` launcher.
fn native_tool(root: &Path, tool: &str) -> PathBuf {
    let scope = root.join("node_modules/@foundry-rs");
    std::fs::read_dir(&scope)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok())
        .filter(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .starts_with(&format!("{tool}-"))
        })
        .map(|entry| entry.path().join("bin").join(tool))
        .find(|path| path.is_file())
        .unwrap_or_else(|| npm_bin(root, tool))
}

fn version_of(binary: &Path) -> Result<String> {
    let out = Command::new(binary)
        .arg("--version")
        .output()
        .with_context(|| format!("running {} --version", binary.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.lines().next().unwrap_or("unknown").trim().to_string())
}

fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

/// A JSON-RPC quantity ("0x…" or a number).
fn quantity(value: &serde_json::Value) -> Result<u64> {
    match value {
        serde_json::Value::String(hex) => u64::from_str_radix(hex.trim_start_matches("0x"), 16)
            .with_context(|| format!("{hex:?} is not a hex quantity")),
        other => other
            .as_u64()
            .with_context(|| format!("{other} is not a quantity")),
    }
}
