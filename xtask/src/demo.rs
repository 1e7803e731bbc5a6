//! `cargo xtask demo`: the whole mission on a local anvil this task starts and stops. Two datanets
//! get data from three contributors (a duplicate refused, spam rejected, a late note auto-accepted),
//! a model is paid for its outputs, two epochs are attributed, signed by 2 of 3 attestors, proposed,
//! accepted after the challenge period, verified, and claimed. Exits non-zero if any on-chain balance
//! disagrees with the reports.

use crate::{devchain, toolchain::npm_bin};
use alloy::{
    node_bindings::Anvil,
    primitives::{utils::parse_units, Address, B256, U256},
    signers::local::PrivateKeySigner,
};
use anyhow::{bail, ensure, Context, Result};
use datanet_client::{
    deploy,
    epoch::{read_tree, sign_digest, write_epoch_dir, write_epoch_file, EpochSources},
    files::{self, DataFile},
    outputs,
    payments::{PayOptions, Payment},
    Client, DeployConfig, RpcConfig, Session, Silent,
};
use serde::Deserialize;
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::Instant,
};

const BOND: &str = "2";
const REVIEW_PERIOD: u32 = 86_400;
const CHALLENGE_PERIOD: u64 = 3_600;
const FUNDING: &str = "10000";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Contributors {
    alice: Vec<PathBuf>,
    bob: Vec<PathBuf>,
    carol: Vec<PathBuf>,
    carol_duplicate: PathBuf,
}

/// Everyone in the story, as sessions signing with anvil's test accounts.
struct Cast {
    curator: Session,
    contributors: Vec<(&'static str, Session)>,
    model_owner: Session,
    payer: Session,
    treasury: Address,
    attestors: Vec<PrivateKeySigner>,
}

struct Step(Instant);

fn step(title: &str) -> Step {
    println!("\n==> {title}");
    Step(Instant::now())
}

impl Drop for Step {
    fn drop(&mut self) {
        println!("    ({:.1}s)", self.0.elapsed().as_secs_f64());
    }
}

fn tokens(text: &str) -> Result<U256> {
    Ok(parse_units(text, 18)?.into())
}

fn fmt(value: U256) -> String {
    let text =
        alloy::primitives::utils::format_units(value, 18).unwrap_or_else(|_| value.to_string());
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() {
        "0".into()
    } else {
        text.into()
    }
}

/// Runs the scenario; `root` is the repository (examples/ and node_modules/ live there).
pub async fn run(root: &Path) -> Result<()> {
    let started = Instant::now();
    let examples = root.join("examples");
    let work = root.join("target/demo");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;

    let anvil = Anvil::new()
        .path(npm_bin(root, "anvil"))
        .try_spawn()
        .context("starting anvil from node_modules (run `cargo xtask setup`)")?;
    println!(
        "anvil on {} (chain {}); it stops when the demo ends",
        anvil.endpoint(),
        anvil.chain_id()
    );
    let url = anvil.endpoint();
    let keys = devchain::dev_keys(&anvil);

    // Deploy: 3 attestors with threshold 2, a separate treasury, the curator as guardian.
    let s = step("deploy the contracts through the bindings");
    let deployer = Client::connect(&RpcConfig::new(url.clone()), Some(keys[0].clone())).await?;
    let config = DeployConfig {
        attestors: vec![keys[7].address(), keys[8].address(), keys[9].address()],
        threshold: 2,
        challenge_period: CHALLENGE_PERIOD,
        treasury: Some(keys[6].address()),
        ..DeployConfig::devnet(tokens("1000000000")?)
    };
    let deployment = deploy(&deployer, &config).await?;
    deployment.save(&work.join("deployments"), true)?;
    println!(
        "    token {}  registry {}  pool {}",
        deployment.token, deployment.datanet_registry, deployment.attribution_pool
    );
    let session_for = |i: usize| devchain::session(&url, &keys[i], &deployment);
    let cast = Cast {
        curator: session_for(0).await?,
        contributors: vec![
            ("alice", session_for(1).await?),
            ("bob", session_for(2).await?),
            ("carol", session_for(3).await?),
        ],
        model_owner: session_for(4).await?,
        payer: session_for(5).await?,
        treasury: keys[6].address(),
        attestors: keys[7..10].to_vec(),
    };
    let funding = tokens(FUNDING)?;
    for (_, who) in &cast.contributors {
        transfer(&cast.curator, who.client.sender()?, funding).await?;
    }
    transfer(&cast.curator, cast.payer.client.sender()?, funding).await?;
    drop(s);

    let s = step("create two datanets (bond 2 tokens, review period 1 day)");
    let bond = tokens(BOND)?;
    let (field_guide, _) = cast
        .curator
        .create_datanet("ipfs://datanet/field-guide", bond, REVIEW_PERIOD)
        .await?;
    let (repair_notes, _) = cast
        .curator
        .create_datanet("ipfs://datanet/repair-notes", bond, REVIEW_PERIOD)
        .await?;
    println!("    datanet {field_guide}: coastal wetland field guide; datanet {repair_notes}: bicycle repair notes");
    drop(s);

    let s = step("three contributors submit their files");
    let roster: Contributors =
        serde_json::from_slice(&std::fs::read(examples.join("contributors.json"))?)
            .context("reading examples/contributors.json")?;
    let datanet_of = |path: &Path| {
        if path.starts_with("datanets/field-guide") {
            field_guide
        } else {
            repair_notes
        }
    };
    let mut submitted: BTreeMap<&str, Vec<B256>> = BTreeMap::new();
    for ((name, session), list) in
        cast.contributors
            .iter()
            .zip([&roster.alice, &roster.bob, &roster.carol])
    {
        for datanet in [field_guide, repair_notes] {
            let paths: Vec<PathBuf> = list
                .iter()
                .filter(|p| datanet_of(p) == datanet)
                .map(|p| examples.join(p))
                .collect();
            if paths.is_empty() {
                continue;
            }
            let data = files::collect(&paths)?;
            let report = session
                .contribute(datanet, &data, |f| uri(&examples, f), 100, &Silent)
                .await?;
            let results = &report.files;
            ensure!(
                results.iter().all(|r| r.outcome == "registered"),
                "{name}: some files were not registered"
            );
            submitted
                .entry(name)
                .or_default()
                .extend(results.iter().map(|r| r.contribution_id));
            println!(
                "    {name:<5} committed, then revealed {:>2} file(s) in datanet {datanet}",
                results.len()
            );
        }
    }
    let carol = &cast.contributors[2].1;
    let duplicate = files::collect(&[examples.join(&roster.carol_duplicate)])?;
    let copy = carol
        .contribute(field_guide, &duplicate, |f| uri(&examples, f), 1, &Silent)
        .await?;
    ensure!(
        copy.files[0].outcome != "registered",
        "the registry accepted carol's exact copy of alice's file"
    );
    println!(
        "    carol's copy of {}: {} (alice committed to it first)",
        roster.carol_duplicate.display(),
        copy.files[0].outcome
    );
    let spam = files::collect(&[examples.join("extra/spam.txt")])?;
    let spam_id = carol
        .contribute(field_guide, &spam, |f| uri(&examples, f), 1, &Silent)
        .await?
        .files[0]
        .contribution_id;
    let late = files::collect(&[examples.join("extra/late-note.txt")])?;
    let late_id = carol
        .contribute(repair_notes, &late, |f| uri(&examples, f), 1, &Silent)
        .await?
        .files[0]
        .contribution_id;
    submitted
        .entry("carol")
        .or_default()
        .extend([spam_id, late_id]);
    println!("    carol also submitted extra/spam.txt and extra/late-note.txt");
    drop(s);

    let s = step(
        "the curator reviews: spam rejected (bond to the treasury), the late note left unreviewed",
    );
    let to_accept: Vec<B256> = submitted
        .values()
        .flatten()
        .copied()
        .filter(|id| *id != spam_id && *id != late_id)
        .collect();
    cast.curator.review(&to_accept, true).await?;
    cast.curator.review(&[spam_id], false).await?;
    println!("    accepted {}, rejected 1 (spam)", to_accept.len());
    devchain::advance(&cast.curator, u64::from(REVIEW_PERIOD) + 1).await?;
    cast.contributors[1].1.finalize(late_id).await?;
    println!("    a day later, bob finalized carol's unreviewed late note: auto-accepted");
    drop(s);

    let s = step("a model is registered on both datanets (owner share 20%)");
    let (model_id, _) = cast
        .model_owner
        .register_model(
            "ipfs://model/wetland-and-bike-helper",
            &[field_guide, repair_notes],
            2_000,
        )
        .await?;
    println!("    model {model_id}");
    drop(s);

    // The corpus attestors hold: every accepted file (the rejected spam is not part of it).
    let corpus = work.join("corpus");
    std::fs::create_dir_all(&corpus)?;
    for list in [&roster.alice, &roster.bob, &roster.carol] {
        for p in list {
            copy_into(&examples.join(p), &corpus)?;
        }
    }
    copy_into(&examples.join("extra/late-note.txt"), &corpus)?;

    let epochs_dir = work.join("epochs");
    let mut claimed_total: BTreeMap<&str, U256> = BTreeMap::new();
    for (epoch, log, signers) in [
        (1u64, "outputs/epoch1.jsonl", [0usize, 1]),
        (2, "outputs/epoch2.jsonl", [1, 2]),
    ] {
        let log = examples.join(log);
        let s = step(&format!("epoch {epoch}: the model's outputs are paid for"));
        let outs = outputs::read(&log)?;
        let payments: Vec<Payment> = outs
            .iter()
            .map(|o| {
                Ok(Payment {
                    amount: tokens(
                        o.amount
                            .as_deref()
                            .context("every demo output names its amount")?,
                    )?,
                    inference_id: o.inference_id,
                })
            })
            .collect::<Result<_>>()?;
        let options = PayOptions {
            batch_size: 50,
            pay_again: false,
            outputs_uri: format!("ipfs://outputs/epoch{epoch}.jsonl"),
        };
        cast.payer
            .pay(model_id, &payments, &options, &Silent)
            .await?;
        println!(
            "    {} outputs paid, {} tokens",
            payments.len(),
            fmt(payments.iter().map(|p| p.amount).sum())
        );
        drop(s);

        let s = step(&format!(
            "epoch {epoch}: attribute, sign by 2 of 3 attestors, propose"
        ));
        let dir = epochs_dir.join(epoch.to_string());
        let previous = (epoch > 1).then(|| epochs_dir.join((epoch - 1).to_string()));
        let sources = EpochSources {
            epoch,
            to_block: None,
            from_block: None,
            min_span: 8,
            corpus_dir: &corpus,
            log: &log,
            previous: previous.as_deref(),
            report_uri: format!("ipfs://epochs/{epoch}/report.json"),
            nonce: None,
        };
        let mut computed = cast.curator.compute_epoch(&sources).await?;
        write_epoch_dir(&dir, &computed)?;
        let report = &computed.outcome.report;
        println!(
            "    {} of {} outputs reuse contributed data; {} tokens allocated, {} left in the pool",
            report
                .inferences
                .iter()
                .filter(|i| !i.spans.is_empty())
                .count(),
            report.inferences.len(),
            fmt(report.totals.allocated),
            fmt(report.totals.unallocated)
        );
        let sign = |file: &mut datanet_client::epoch::EpochFile| -> Result<()> {
            let digest = file.digest();
            for i in signers {
                file.signatures
                    .push(sign_digest(&cast.attestors[i], digest)?);
            }
            write_epoch_file(&dir, file)?;
            Ok(())
        };
        ensure!(
            computed.file.digest() == cast.curator.epoch_digest(&computed.file).await?,
            "the signed epoch's digest differs from the pool's epochDigest"
        );
        sign(&mut computed.file)?;
        let (used, _) = cast.payer.propose_epoch(&computed.file, &[]).await?;
        println!(
            "    proposed under nonce {} with signatures of {used:?}",
            computed.file.signed.nonce
        );
        if epoch == 1 {
            // The guardian vetoes; the vetoed proposal can never come back, whoever replays it.
            let (vetoed, _, _) = cast.curator.veto_epoch().await?;
            match cast.payer.propose_epoch(&computed.file, &[]).await {
                Ok(_) => bail!("the pool accepted a replay of the vetoed epoch"),
                Err(e) => {
                    println!("    the guardian vetoed epoch {vetoed}; a replay is refused: {e}")
                }
            }
            // The attestors look again, agree, and sign the same report under the new nonce.
            computed = cast.curator.compute_epoch(&sources).await?;
            write_epoch_dir(&dir, &computed)?;
            sign(&mut computed.file)?;
            cast.payer.propose_epoch(&computed.file, &[]).await?;
            println!(
                "    proposed again under nonce {}",
                computed.file.signed.nonce
            );
        }
        drop(s);

        let s = step(&format!(
            "epoch {epoch}: challenge period passes, accept, verify from scratch"
        ));
        match cast.payer.accept_epoch().await {
            Err(e) => println!("    accepting early is refused: {e}"),
            Ok(_) => bail!("the pool accepted an epoch before its challenge period"),
        }
        devchain::advance(&cast.curator, CHALLENGE_PERIOD + 1).await?;
        cast.payer.accept_epoch().await?;
        // Verification: an independent recomputation must give the on-chain root and report hash.
        let again = cast
            .payer
            .compute_epoch(&EpochSources {
                to_block: Some(computed.file.to_block),
                from_block: Some(computed.file.from_block),
                ..sources
            })
            .await?;
        let record = cast
            .payer
            .pool()
            .epochRecord(U256::from(epoch))
            .call()
            .await?;
        ensure!(
            again.file.signed.rewardsRoot == record.rewardsRoot
                && again.file.signed.reportHash == record.reportHash,
            "epoch {epoch} does not verify: recomputed root {} / report {} vs on-chain {} / {}",
            again.file.signed.rewardsRoot,
            again.file.signed.reportHash,
            record.rewardsRoot,
            record.reportHash
        );
        println!(
            "    verified: recomputed root {} equals the on-chain root",
            record.rewardsRoot
        );
        drop(s);

        let s = step(&format!(
            "epoch {epoch}: every contributor claims from their own wallet"
        ));
        let tree = read_tree(&dir)?;
        for (name, session) in &cast.contributors {
            let account = session.client.sender()?;
            let Some(cumulative) = tree.amount_of(account) else {
                println!("    {name:<5} has nothing in this tree");
                continue;
            };
            let (amount, _) = session
                .claim(account, cumulative, tree.get_proof_for(account)?)
                .await?;
            *claimed_total.entry(name).or_default() += amount;
            println!(
                "    {name:<5} claimed {:>10} tokens (cumulative {})",
                fmt(amount),
                fmt(cumulative)
            );
        }
        drop(s);
    }

    let s = step("check on-chain balances against the reports");
    let ok = reconcile(
        &cast,
        &epochs_dir,
        &submitted,
        spam_id,
        funding,
        bond,
        &claimed_total,
    )
    .await?;
    drop(s);

    let s = step("the model owner withdraws its credited share");
    let owner = cast.model_owner.client.sender()?;
    let credit = cast.model_owner.owner_credit(owner).await?;
    let before = cast.model_owner.balance(owner).await?;
    let (withdrawn, _) = cast.model_owner.withdraw_owner_share(None).await?;
    let after = cast.model_owner.balance(owner).await?;
    ensure!(
        withdrawn == credit && after - before == credit,
        "the model owner withdrew {} of a {} credit",
        fmt(withdrawn),
        fmt(credit)
    );
    println!("    withdrew {} tokens", fmt(withdrawn));
    drop(s);
    println!(
        "\ndemo finished in {:.0}s; epochs, reports and trees are in {}",
        started.elapsed().as_secs_f64(),
        work.display()
    );
    drop(anvil);
    if !ok {
        bail!("on-chain balances disagree with the reports");
    }
    Ok(())
}

fn uri(examples: &Path, file: &DataFile) -> String {
    format!(
        "ipfs://examples/{}",
        file.path
            .strip_prefix(examples)
            .unwrap_or(&file.path)
            .display()
    )
}

fn copy_into(file: &Path, dir: &Path) -> Result<()> {
    let name = file.file_name().context("file without a name")?;
    std::fs::copy(file, dir.join(name)).with_context(|| format!("copying {}", file.display()))?;
    Ok(())
}

async fn transfer(from: &Session, to: Address, amount: U256) -> Result<()> {
    from.transfer(to, amount).await?;
    Ok(())
}

/// Prints the tables and checks every balance; returns whether all agree.
async fn reconcile(
    cast: &Cast,
    epochs_dir: &Path,
    submitted: &BTreeMap<&str, Vec<B256>>,
    spam_id: B256,
    funding: U256,
    bond: U256,
    claimed_total: &BTreeMap<&str, U256>,
) -> Result<bool> {
    let mut ok = true;
    let mut check = |what: String, expected: U256, actual: U256| {
        let agree = expected == actual;
        ok &= agree;
        println!(
            "    [{}] {what}: report {} / chain {}",
            if agree { "ok" } else { "MISMATCH" },
            fmt(expected),
            fmt(actual)
        );
    };
    let reports: Vec<_> = [1, 2]
        .iter()
        .map(|n| {
            datanet_client::epoch::read_report(&epochs_dir.join(n.to_string())).map(|(r, _)| r)
        })
        .collect::<Result<_, _>>()?;
    let last_tree = read_tree(&epochs_dir.join("2"))?;

    println!(
        "\n    {:<6} {:>13} {:>16} {:>12} {:>12}",
        "who", "contributions", "credited tokens", "earned", "claimed"
    );
    for (name, session) in &cast.contributors {
        let account = session.client.sender()?;
        let credited: u64 = reports
            .iter()
            .flat_map(|r| &r.inferences)
            .flat_map(|i| &i.credits)
            .filter(|c| c.contributor == account)
            .map(|c| c.credit)
            .sum();
        let earned = last_tree.amount_of(account).unwrap_or_default();
        let claimed = session.claimed(account).await?;
        let ids = submitted.get(name).cloned().unwrap_or_default();
        println!(
            "    {name:<6} {:>13} {credited:>16} {:>12} {:>12}",
            ids.len(),
            fmt(earned),
            fmt(claimed)
        );
        let rejected = if ids.contains(&spam_id) {
            bond
        } else {
            U256::ZERO
        };
        check(
            format!("{name} claimed = cumulative in the epoch-2 tree"),
            earned,
            claimed,
        );
        check(
            format!("{name} claims received this run"),
            earned,
            claimed_total.get(name).copied().unwrap_or_default(),
        );
        check(
            format!("{name} balance = funding − lost bonds + claims"),
            funding - rejected + earned,
            session.balance(account).await?,
        );
    }

    let pool = cast.payer.pool();
    let mut paid = U256::ZERO;
    let mut fees = U256::ZERO;
    let mut owner_shares = U256::ZERO;
    let mut pool_share = U256::ZERO;
    let latest = cast.payer.client.latest_block().await?;
    let logs = cast
        .payer
        .client
        .events::<datanet_bindings::AttributionPool::InferencePaid>(
            alloy::rpc::types::Filter::new().address(cast.payer.deployment.attribution_pool),
            cast.payer.deployment.deployment_block,
            latest,
        )
        .await?;
    for (e, _) in &logs {
        paid += e.amount;
        fees += e.protocolFee;
        owner_shares += e.ownerShare;
        pool_share += e.contributorShare;
    }
    let allocated: U256 = reports.iter().map(|r| r.totals.allocated).sum();
    let unallocated: U256 = reports.iter().map(|r| r.totals.unallocated).sum();
    println!("\n    fee split over {} paid outputs", logs.len());
    println!("    {:<28} {:>12}", "paid by users", fmt(paid));
    println!("    {:<28} {:>12}", "protocol fee (treasury)", fmt(fees));
    println!("    {:<28} {:>12}", "model owner share", fmt(owner_shares));
    println!("    {:<28} {:>12}", "contributors' pool", fmt(pool_share));
    println!(
        "    {:<28} {:>12}",
        "  allocated to contributors",
        fmt(allocated)
    );
    println!(
        "    {:<28} {:>12}",
        "  unallocated (kept)",
        fmt(unallocated)
    );
    println!();
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
        "treasury = protocol fees + rejected bond".into(),
        fees + bond,
        cast.payer.balance(cast.treasury).await?,
    );
    let owner = cast.model_owner.client.sender()?;
    check(
        "model owner credit = owner shares".into(),
        owner_shares,
        pool.ownerCredit(owner).call().await?,
    );
    check(
        "pool total allocated = cumulative in the last report".into(),
        reports[1].totals.cumulative_allocated,
        pool.totalAllocated().call().await?,
    );
    check(
        "pool total claimed = sum of claims".into(),
        claimed_total.values().copied().sum(),
        pool.totalClaimed().call().await?,
    );
    let registry_balance = cast
        .payer
        .token_contract()
        .balanceOf(cast.payer.deployment.datanet_registry)
        .call()
        .await?;
    check(
        "registry holds no bonds (nothing pending)".into(),
        U256::ZERO,
        registry_balance,
    );
    check(
        "pool balance = pool share − claims + owner credit".into(),
        pool_share - claimed_total.values().copied().sum::<U256>() + owner_shares,
        cast.payer
            .balance(cast.payer.deployment.attribution_pool)
            .await?,
    );
    Ok(ok)
}
