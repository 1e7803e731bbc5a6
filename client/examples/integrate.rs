//! Integrating Datanet from Rust: connect, open the deployment, read through the bindings, create a
//! datanet, contribute a file, register a model and pay for one of its outputs.
//!
//! ```text
//! export ETH_RPC_URL=http://127.0.0.1:8545        # optional, this is the default
//! export DATANET_PRIVATE_KEY=0x…                  # the sending account (never printed)
//! export DATANET_DEPLOYMENTS=deployments          # optional, this is the default
//! cargo run -p datanet-client --example integrate
//! ```
//!
//! On a local chain: `datanet devnet` (anvil, a deployment and funded test accounts), or anvil plus
//! `datanet deploy --private-key …`; then use the deployer's key, which holds the token supply, so the
//! payment can be made.

use alloy::{
    primitives::{keccak256, B256, U256},
    signers::local::PrivateKeySigner,
};
use anyhow::{bail, Context, Result};
use datanet_client::{
    files,
    payments::{PayOptions, Payment},
    session::DEFAULT_CONTRIBUTE_BATCH,
    Client, RpcConfig, Session, Silent,
};
use std::path::PathBuf;

const DEFAULT_RPC_URL: &str = "http://127.0.0.1:8545";
const KEY_VAR: &str = "DATANET_PRIVATE_KEY";

#[tokio::main]
async fn main() {
    // Errors as one readable message with their causes (no backtrace), exit status 1.
    if let Err(e) = run().await {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    // 1. Configuration from the environment.
    let url = std::env::var("ETH_RPC_URL").unwrap_or_else(|_| DEFAULT_RPC_URL.to_string());
    let deployments = PathBuf::from(
        std::env::var("DATANET_DEPLOYMENTS").unwrap_or_else(|_| "deployments".into()),
    );
    let signer = signer_from_env()?;

    // 2. Connect with the wallet and open the deployment of the node's chain.
    let client = Client::connect(&RpcConfig::new(url.clone()), Some(signer))
        .await
        .with_context(|| format!("connecting to {url} (set ETH_RPC_URL to another node)"))?;
    let sender = client.sender()?;
    println!(
        "connected to {url}: chain {}, sending as {sender}",
        client.chain_id()
    );
    let chain_id = client.chain_id();
    let session = Session::open(client, &deployments).await.with_context(|| {
        format!(
            "opening the deployment of chain {chain_id} in {}/ (`datanet deploy` or `datanet \
             devnet` writes it; set DATANET_DEPLOYMENTS to use another folder)",
            deployments.display()
        )
    })?;
    println!(
        "deployment: registry {}, pool {}, token {}",
        session.deployment.datanet_registry,
        session.deployment.attribution_pool,
        session.deployment.token
    );

    // 3. A read through the generated bindings.
    let before = session
        .registry()
        .datanetCount()
        .call()
        .await
        .map_err(|e| session.client.call_error("datanetCount", e))?;
    println!("datanets on chain: {before}");

    // Amounts in the token's own units (its decimals and symbol, read from the token).
    let token = session.token().await?.clone();
    // The payment below needs tokens: fail now rather than after creating a datanet and a model.
    let amount = token.parse("1")?;
    let balance = session.balance(sender).await?;
    if balance < amount {
        bail!(
            "{sender} holds {}, and paying for one output needs {}: use the deployer's key (it \
             received the supply) or fund this account first",
            token.amount(balance),
            token.amount(amount)
        );
    }

    // 4. A datanet without bond, reviewed within a day.
    let (datanet_id, receipt) = session
        .create_datanet("ipfs://example/integrate-datanet", U256::ZERO, 86_400)
        .await?;
    println!(
        "created datanet {datanet_id} (tx {}, {} gas)",
        receipt.transaction_hash, receipt.gas_used
    );

    // 5. Contribute one file: the chain stores its keccak256 and a URI, never the data.
    let text = format!(
        "Integration example note, written at unix time {} for datanet {datanet_id}.\n",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    );
    let path = std::env::temp_dir().join(format!("datanet-integrate-{}.txt", std::process::id()));
    std::fs::write(&path, &text).with_context(|| format!("writing {}", path.display()))?;
    let data = files::collect(std::slice::from_ref(&path));
    let _ = std::fs::remove_file(&path);
    let data = data?;
    let results = session
        .contribute(
            datanet_id,
            &data,
            |_| "ipfs://example/integrate-note.txt".to_string(),
            DEFAULT_CONTRIBUTE_BATCH,
            &Silent,
        )
        .await?;
    // Commit → wait the registry's minimum commitment age → reveal, all inside `contribute`.
    for r in &results.files {
        println!(
            "contribution {}: {} (content hash {})",
            r.contribution_id, r.outcome, r.content_hash
        );
    }

    // 6. A model trained on that datanet (owner share 20%), and one paid output.
    let (model_id, _) = session
        .register_model("ipfs://example/integrate-model", &[datanet_id], 2_000)
        .await?;
    println!("registered model {model_id} on datanet {datanet_id}");
    // The inference id names the paid output; attestors match it with the output's text in their log.
    let output = format!(
        "Model {model_id}: an example output that would be attributed in the next epoch ({}).",
        results.files[0].contribution_id
    );
    let inference_id: B256 = keccak256(output.as_bytes());
    // Idempotent: run it again and the output already paid for is skipped.
    let payment = Payment {
        inference_id,
        amount,
    };
    let report = session
        .pay(model_id, &[payment], &PayOptions::default(), &Silent)
        .await
        .context("paying for one output (the sender needs the deployment's token)")?;
    for r in &report.receipts {
        println!(
            "paid {} for inference {inference_id} (tx {}, {} gas)",
            token.amount(amount),
            r.transaction_hash,
            r.gas_used
        );
    }
    println!(
        "datanets on chain now: {}; {sender} holds {}",
        session.datanet_count().await?,
        token.amount(session.balance(sender).await?)
    );
    Ok(())
}

/// The signer from `DATANET_PRIVATE_KEY`, with errors that never echo the key.
fn signer_from_env() -> Result<PrivateKeySigner> {
    let key = match std::env::var(KEY_VAR) {
        Ok(key) if !key.trim().is_empty() => key,
        Ok(_) | Err(std::env::VarError::NotPresent) => bail!(
            "{KEY_VAR} is not set: export the sending account's hex private key (on a devnet, one \
             of anvil's test keys); it is read from the environment and never printed"
        ),
        Err(std::env::VarError::NotUnicode(_)) => bail!("{KEY_VAR} is not valid text"),
    };
    key.trim().parse::<PrivateKeySigner>().map_err(|_| {
        anyhow::anyhow!("{KEY_VAR} is not a 32-byte hex private key (its value is not shown)")
    })
}
