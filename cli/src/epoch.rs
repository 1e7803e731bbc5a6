//! Epochs: gather an epoch's inputs from chain events and local files, compute it with the
//! attribution engine, and read/write the epoch folder (`report.json`, `tree.json`, `epoch.json`).

use crate::{outputs, ClientError, Session};
use alloy::{
    primitives::{keccak256, Address, B256, U256},
    providers::Provider,
    rpc::types::{Filter, Log, TransactionReceipt},
    signers::{local::PrivateKeySigner, Signature, SignerSync},
    sol_types::SolEvent,
};
use datanet_attribution::{
    compute_epoch, AttributionReport, Contribution, EpochInput, EpochOutcome, EpochParams,
    Inference, RewardTree,
};
use datanet_bindings::{
    AttributionPool::InferencePaid,
    DatanetRegistry::{Contributed, Retired, Reviewed, Withdrawn},
    ModelRegistry::ModelRegistered,
};
use serde::{Deserialize, Serialize};
use std::{
    collections::{BTreeMap, HashMap},
    path::{Path, PathBuf},
};

/// Report, tree and epoch file names inside an epoch folder.
pub const REPORT_FILE: &str = "report.json";
pub const TREE_FILE: &str = "tree.json";
pub const EPOCH_FILE: &str = "epoch.json";

/// Blocks per `eth_getLogs` request, below common provider limits.
const LOG_CHUNK: u64 = 10_000;

/// `epoch.json`: what attestors sign and what `proposeEpoch` takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EpochFile {
    pub epoch: u64,
    pub chain_id: u64,
    pub pool: Address,
    pub from_block: u64,
    pub to_block: u64,
    pub min_span: u32,
    pub rewards_root: B256,
    pub total_allocated: U256,
    pub report_hash: B256,
    pub report_uri: String,
    /// Attestor signatures collected so far.
    #[serde(default)]
    pub signatures: Vec<EpochSignature>,
}

/// One attestor's signature over an epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EpochSignature {
    pub signer: Address,
    pub signature: String,
}

/// An epoch computed from chain data and local files.
pub struct ComputedEpoch {
    pub file: EpochFile,
    pub outcome: EpochOutcome,
    pub report_bytes: Vec<u8>,
}

/// Where an epoch's inputs come from.
pub struct EpochSources<'a> {
    pub epoch: u64,
    /// Last block included; `None` means the latest block.
    pub to_block: Option<u64>,
    /// First block of payments; `None` means right after the previous epoch (or the deployment).
    pub from_block: Option<u64>,
    pub min_span: u32,
    pub corpus_dir: &'a Path,
    pub log: &'a Path,
    /// The previous epoch's folder (its tree gives the cumulative amounts carried over).
    pub previous: Option<&'a Path>,
    pub report_uri: String,
}

impl Session {
    /// Gathers every input of an epoch and computes it. Fails, listing them, on corpus files that match
    /// no contribution, accepted contributions without a corpus file, log outputs that match no paid
    /// inference, and paid inferences without an output in the log.
    pub async fn compute_epoch(
        &self,
        sources: &EpochSources<'_>,
    ) -> Result<ComputedEpoch, ClientError> {
        let (previous, previous_to_block) = match sources.previous {
            Some(dir) => {
                let file = read_epoch_file(dir)?;
                if file.epoch + 1 != sources.epoch {
                    return Err(ClientError::InvalidInput(format!(
                        "previous epoch folder {} holds epoch {}, not {}",
                        dir.display(),
                        file.epoch,
                        sources.epoch - 1
                    )));
                }
                let tree = read_tree(dir)?;
                if tree.root() != file.rewards_root {
                    return Err(ClientError::InvalidInput(format!(
                        "{} does not match the root in its epoch file",
                        dir.join(TREE_FILE).display()
                    )));
                }
                let cumulative: BTreeMap<Address, U256> = tree
                    .values()
                    .iter()
                    .map(|leaf| (leaf.account, leaf.amount))
                    .collect();
                (cumulative, Some(file.to_block))
            }
            None if sources.epoch > 1 => {
                return Err(ClientError::InvalidInput(format!(
                    "epoch {} builds on epoch {}: pass --previous with that epoch's folder",
                    sources.epoch,
                    sources.epoch - 1
                )))
            }
            None => (BTreeMap::new(), None),
        };

        let latest = self.latest_block().await?;
        let to_block = sources.to_block.unwrap_or(latest);
        if to_block > latest {
            return Err(ClientError::InvalidInput(format!(
                "--to-block {to_block} is beyond the latest block {latest}"
            )));
        }
        let from_block = sources
            .from_block
            .or(previous_to_block.map(|b| b + 1))
            .unwrap_or(self.deployment.deployment_block);
        if from_block > to_block {
            return Err(ClientError::InvalidInput(format!(
                "epoch {} would cover no blocks ({from_block}..={to_block}): wait for new payments",
                sources.epoch
            )));
        }

        let contributions = self.accepted_contributions(to_block).await?;
        let models = self.models_at(to_block).await?;
        let payments = self.payments(from_block, to_block).await?;

        // Corpus files, by content hash.
        let corpus = crate::files::collect(&[sources.corpus_dir.to_path_buf()])?;
        let mut by_hash: HashMap<B256, PathBuf> = HashMap::new();
        for f in &corpus {
            by_hash
                .entry(f.content_hash)
                .or_insert_with(|| f.path.clone());
        }
        // A file may belong to a contribution that is not in this epoch's corpus (pending, rejected or
        // accepted after the end block): it is skipped. A file whose hash was never registered in any
        // datanet is refused: it is tampered or foreign data.
        let known: std::collections::HashSet<B256> = self
            .events::<Contributed>(
                self.deployment.datanet_registry,
                self.deployment.deployment_block,
                latest,
            )
            .await?
            .iter()
            .map(|(e, _)| e.contentHash)
            .collect();
        let unknown: Vec<String> = corpus
            .iter()
            .filter(|f| !known.contains(&f.content_hash))
            .map(|f| f.path.display().to_string())
            .collect();
        if !unknown.is_empty() {
            return Err(ClientError::InvalidInput(format!(
                "{} corpus file(s) match no registered contribution (tampered or never contributed): {}",
                unknown.len(),
                unknown.join(", ")
            )));
        }
        let used: std::collections::BTreeSet<u64> = models.values().flatten().copied().collect();
        let mut corpus_contributions = Vec::new();
        let mut missing = Vec::new();
        for (order, (id, content_hash, contributor, datanet_id)) in contributions.iter().enumerate()
        {
            if !used.contains(datanet_id) {
                continue;
            }
            let Some(path) = by_hash.get(content_hash) else {
                missing.push(format!("{id} (content hash {content_hash})"));
                continue;
            };
            let bytes = std::fs::read(path).map_err(|e| ClientError::io(path, e))?;
            let contribution = Contribution::from_content(
                *id,
                *contributor,
                *datanet_id,
                order as u64,
                *content_hash,
                &bytes,
            )
            .map_err(|e| ClientError::InvalidInput(format!("{}: {e}", path.display())))?;
            corpus_contributions.push(contribution);
        }
        if !missing.is_empty() {
            return Err(ClientError::InvalidInput(format!(
                "the corpus folder lacks the file of {} accepted contribution(s): {}",
                missing.len(),
                missing.join(", ")
            )));
        }

        // Outputs, by inference id.
        let logged = outputs::read(sources.log)?;
        let mut texts: HashMap<B256, String> = HashMap::new();
        for o in &logged {
            texts.insert(o.inference_id, o.text.clone());
        }
        let paid: std::collections::HashSet<B256> = payments.iter().map(|p| p.0).collect();
        let stray: Vec<String> = logged
            .iter()
            .filter(|o| !paid.contains(&o.inference_id))
            .map(|o| format!("line {} ({})", o.line.max(1), o.inference_id))
            .collect();
        if !stray.is_empty() {
            return Err(ClientError::InvalidInput(format!(
                "{} log output(s) match no inference paid in blocks {from_block}..={to_block} (tampered or unpaid): {}",
                stray.len(),
                stray.join(", ")
            )));
        }
        let mut inferences = Vec::with_capacity(payments.len());
        let mut unlogged = Vec::new();
        for (inference_id, model_id, share, block, index) in &payments {
            match texts.get(inference_id) {
                Some(text) => inferences.push(Inference {
                    inference_id: *inference_id,
                    model_id: *model_id,
                    contributor_share: *share,
                    output: text.clone(),
                    block_number: *block,
                    log_index: *index,
                }),
                None => unlogged.push(inference_id.to_string()),
            }
        }
        if !unlogged.is_empty() {
            return Err(ClientError::InvalidInput(format!(
                "the log lacks the output of {} paid inference(s): {}",
                unlogged.len(),
                unlogged.join(", ")
            )));
        }

        let params = EpochParams {
            epoch: sources.epoch,
            chain_id: self.client.chain_id(),
            pool: self.deployment.attribution_pool,
            from_block,
            to_block,
            min_span: sources.min_span,
        };
        let input = EpochInput {
            params,
            contributions: corpus_contributions,
            models,
            inferences,
            previous,
        };
        let outcome = compute_epoch(&input)
            .map_err(|e| ClientError::InvalidInput(format!("attribution failed: {e}")))?;
        let report_bytes = outcome.report.to_canonical_json();
        let tree = outcome.tree.as_ref().ok_or_else(|| {
            ClientError::InvalidInput(format!(
                "epoch {} allocates nothing to anyone yet (no paid output reuses contributed data): nothing to propose",
                sources.epoch
            ))
        })?;
        let file = EpochFile {
            epoch: sources.epoch,
            chain_id: self.client.chain_id(),
            pool: self.deployment.attribution_pool,
            from_block,
            to_block,
            min_span: sources.min_span,
            rewards_root: tree.root(),
            total_allocated: outcome.report.totals.cumulative_allocated,
            report_hash: keccak256(&report_bytes),
            report_uri: sources.report_uri.clone(),
            signatures: Vec::new(),
        };
        Ok(ComputedEpoch {
            file,
            outcome,
            report_bytes,
        })
    }

    /// The latest block number.
    pub async fn latest_block(&self) -> Result<u64, ClientError> {
        self.client
            .provider()
            .get_block_number()
            .await
            .map_err(|e| self.client.rpc_error("eth_blockNumber", e))
    }

    /// `(contributionId, contentHash, contributor, datanetId)` of contributions accepted (and not
    /// retired) at `to_block`, in registration order.
    pub async fn accepted_contributions(
        &self,
        to_block: u64,
    ) -> Result<Vec<(B256, B256, Address, u64)>, ClientError> {
        #[derive(Clone, Copy, PartialEq)]
        enum State {
            Pending,
            Accepted,
            Gone,
        }
        let (registry, from) = (
            self.deployment.datanet_registry,
            self.deployment.deployment_block,
        );
        let mut events: Vec<((u64, u64), Event)> = Vec::new();
        enum Event {
            Contributed(B256, B256, Address, u64),
            Reviewed(B256, bool),
            Gone(B256),
        }
        for (e, log) in self.events::<Contributed>(registry, from, to_block).await? {
            let datanet = u64::try_from(e.datanetId).unwrap_or(u64::MAX);
            events.push((
                position(&log),
                Event::Contributed(e.contributionId, e.contentHash, e.contributor, datanet),
            ));
        }
        for (e, log) in self.events::<Reviewed>(registry, from, to_block).await? {
            events.push((
                position(&log),
                Event::Reviewed(e.contributionId, e.accepted),
            ));
        }
        for (e, log) in self.events::<Withdrawn>(registry, from, to_block).await? {
            events.push((position(&log), Event::Gone(e.contributionId)));
        }
        for (e, log) in self.events::<Retired>(registry, from, to_block).await? {
            events.push((position(&log), Event::Gone(e.contributionId)));
        }
        events.sort_by_key(|(pos, _)| *pos);
        // Replay: the latest registration of an id defines its contributor and position.
        let mut state: HashMap<B256, (usize, State)> = HashMap::new();
        let mut registrations: Vec<(B256, B256, Address, u64)> = Vec::new();
        for (_, event) in events {
            match event {
                Event::Contributed(id, hash, who, datanet) => {
                    registrations.push((id, hash, who, datanet));
                    state.insert(id, (registrations.len() - 1, State::Pending));
                }
                Event::Reviewed(id, accepted) => {
                    if let Some(entry) = state.get_mut(&id) {
                        entry.1 = if accepted {
                            State::Accepted
                        } else {
                            State::Gone
                        };
                    }
                }
                Event::Gone(id) => {
                    if let Some(entry) = state.get_mut(&id) {
                        entry.1 = State::Gone;
                    }
                }
            }
        }
        let mut accepted: Vec<(usize, (B256, B256, Address, u64))> = state
            .values()
            .filter(|(_, s)| *s == State::Accepted)
            .map(|(i, _)| (*i, registrations[*i]))
            .collect();
        accepted.sort_by_key(|(i, _)| *i);
        Ok(accepted.into_iter().map(|(_, c)| c).collect())
    }

    /// Model id → datanet ids, for models registered by `to_block`.
    pub async fn models_at(&self, to_block: u64) -> Result<BTreeMap<u64, Vec<u64>>, ClientError> {
        let mut models = BTreeMap::new();
        let registered = self
            .events::<ModelRegistered>(
                self.deployment.model_registry,
                self.deployment.deployment_block,
                to_block,
            )
            .await?;
        for (e, _) in registered {
            let id = u64::try_from(e.modelId).unwrap_or(u64::MAX);
            models.insert(
                id,
                e.datanetIds
                    .iter()
                    .map(|d| u64::try_from(*d).unwrap_or(u64::MAX))
                    .collect(),
            );
        }
        Ok(models)
    }

    /// `(inferenceId, modelId, contributorShare, block, logIndex)` of payments in the range.
    pub async fn payments(
        &self,
        from_block: u64,
        to_block: u64,
    ) -> Result<Vec<(B256, u64, U256, u64, u64)>, ClientError> {
        let mut out = Vec::new();
        for (e, log) in self
            .events::<InferencePaid>(self.deployment.attribution_pool, from_block, to_block)
            .await?
        {
            let (block, index) = position(&log);
            out.push((
                e.inferenceId,
                u64::try_from(e.modelId).unwrap_or(u64::MAX),
                e.contributorShare,
                block,
                index,
            ));
        }
        Ok(out)
    }

    /// Proposes an epoch with the signatures in its file plus `extra` ones: recovers each signer,
    /// drops duplicates, checks each is an attestor and that there are enough, sorts by signer.
    /// Returns the signers used and the receipt.
    pub async fn propose_epoch(
        &self,
        file: &EpochFile,
        extra: &[String],
    ) -> Result<(Vec<Address>, TransactionReceipt), ClientError> {
        let digest = self.epoch_digest(file).await?;
        let mut signatures: Vec<EpochSignature> = Vec::new();
        for s in file
            .signatures
            .iter()
            .map(|s| s.signature.clone())
            .chain(extra.iter().cloned())
        {
            let signer = recover_signer(&s, digest)?;
            if !signatures.iter().any(|x| x.signer == signer) {
                signatures.push(EpochSignature {
                    signer,
                    signature: s,
                });
            }
        }
        let pool = self.pool();
        for s in &signatures {
            let ok = pool
                .isAttestor(s.signer)
                .call()
                .await
                .map_err(|e| self.client.call_error("isAttestor", e))?;
            if !ok {
                return Err(ClientError::InvalidInput(format!(
                    "signature by {} does not count: not an attestor, or it signed other epoch data",
                    s.signer
                )));
            }
        }
        let threshold = pool
            .threshold()
            .call()
            .await
            .map_err(|e| self.client.call_error("threshold", e))?;
        if signatures.len() < usize::from(threshold) {
            return Err(ClientError::InvalidInput(format!(
                "{} attestor signature(s) collected, {threshold} needed: more attestors must run `datanet epoch sign`",
                signatures.len()
            )));
        }
        signatures.sort_by_key(|s| s.signer);
        let mut bytes = Vec::with_capacity(signatures.len());
        for s in &signatures {
            let raw = alloy::hex::decode(s.signature.trim()).map_err(|_| {
                ClientError::InvalidInput(format!("signature {:?} is not hex", s.signature))
            })?;
            bytes.push(alloy::primitives::Bytes::from(raw));
        }
        let call = "proposeEpoch";
        let pending = pool
            .proposeEpoch(
                U256::from(file.epoch),
                file.rewards_root,
                file.total_allocated,
                file.report_hash,
                file.report_uri.clone(),
                bytes,
            )
            .send()
            .await
            .map_err(|e| self.client.call_error(call, e))?;
        let receipt = self.client.confirm(call, pending).await?;
        Ok((signatures.into_iter().map(|s| s.signer).collect(), receipt))
    }

    /// Accepts the pending epoch (after its challenge period); returns its number and root.
    pub async fn accept_epoch(&self) -> Result<(u64, B256, TransactionReceipt), ClientError> {
        let pool = self.pool();
        let pending = pool
            .pendingEpoch()
            .call()
            .await
            .map_err(|e| self.client.call_error("pendingEpoch", e))?;
        if pending.validAt == 0 {
            return Err(ClientError::InvalidInput(
                "no epoch is pending: propose one first (`datanet epoch propose DIR`)".into(),
            ));
        }
        let call = "acceptEpoch";
        let tx = pool
            .acceptEpoch()
            .send()
            .await
            .map_err(|e| self.client.call_error(call, e))?;
        let receipt = self.client.confirm(call, tx).await?;
        Ok((pending.epoch, pending.rewardsRoot, receipt))
    }

    /// Every `E` event emitted by `address` in `from..=to`, decoded, in chunks of [`LOG_CHUNK`] blocks.
    pub async fn events<E: SolEvent>(
        &self,
        address: Address,
        from: u64,
        to: u64,
    ) -> Result<Vec<(E, Log)>, ClientError> {
        let what = format!("{} logs", E::SIGNATURE);
        let mut out = Vec::new();
        for (a, b) in chunks(from, to) {
            let filter = Filter::new()
                .address(address)
                .event_signature(E::SIGNATURE_HASH)
                .from_block(a)
                .to_block(b);
            let logs = self
                .client
                .provider()
                .get_logs(&filter)
                .await
                .map_err(|e| self.client.rpc_error(&what, e))?;
            for log in logs {
                let decoded = log
                    .log_decode::<E>()
                    .map_err(|e| self.client.rpc_error(&what, e))?;
                out.push((decoded.inner.data, log));
            }
        }
        Ok(out)
    }

    /// The EIP-712 digest of an epoch file, as the pool computes it.
    pub async fn epoch_digest(&self, file: &EpochFile) -> Result<B256, ClientError> {
        self.pool()
            .epochDigest(
                U256::from(file.epoch),
                file.rewards_root,
                file.total_allocated,
                file.report_hash,
                file.report_uri.clone(),
            )
            .call()
            .await
            .map_err(|e| self.client.call_error("epochDigest", e))
    }
}

/// Signs an epoch digest with an attestor key.
pub fn sign_digest(signer: &PrivateKeySigner, digest: B256) -> Result<EpochSignature, ClientError> {
    let signature: Signature = signer
        .sign_hash_sync(&digest)
        .map_err(|e| ClientError::Wallet(format!("signing failed: {e}")))?;
    Ok(EpochSignature {
        signer: signer.address(),
        signature: format!("0x{}", alloy::hex::encode(signature.as_bytes())),
    })
}

/// Recovers who signed `digest`.
pub fn recover_signer(signature: &str, digest: B256) -> Result<Address, ClientError> {
    let bytes = alloy::hex::decode(signature.trim())
        .map_err(|_| ClientError::InvalidInput(format!("signature {signature:?} is not hex")))?;
    let sig = Signature::try_from(bytes.as_slice()).map_err(|_| {
        ClientError::InvalidInput(format!(
            "signature {signature:?} is not a 65-byte signature"
        ))
    })?;
    sig.recover_address_from_prehash(&digest).map_err(|_| {
        ClientError::InvalidInput(format!("cannot recover a signer from {signature:?}"))
    })
}

/// Writes report, tree and epoch file into `dir` (each to a temporary name, then renamed).
pub fn write_epoch_dir(dir: &Path, computed: &ComputedEpoch) -> Result<(), ClientError> {
    std::fs::create_dir_all(dir).map_err(|e| ClientError::io(dir, e))?;
    let tree = computed
        .outcome
        .tree
        .as_ref()
        .ok_or_else(|| ClientError::InvalidInput("epoch has no tree".into()))?;
    write_atomic(&dir.join(REPORT_FILE), &computed.report_bytes)?;
    write_atomic(&dir.join(TREE_FILE), tree.to_json_pretty().as_bytes())?;
    write_epoch_file(dir, &computed.file)
}

/// Writes `epoch.json`.
pub fn write_epoch_file(dir: &Path, file: &EpochFile) -> Result<(), ClientError> {
    let json =
        serde_json::to_string_pretty(file).map_err(|e| ClientError::io(dir.join(EPOCH_FILE), e))?;
    write_atomic(&dir.join(EPOCH_FILE), (json + "\n").as_bytes())
}

/// Reads `epoch.json` from an epoch folder.
pub fn read_epoch_file(dir: &Path) -> Result<EpochFile, ClientError> {
    let path = dir.join(EPOCH_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| ClientError::io(&path, e))?;
    serde_json::from_str(&text)
        .map_err(|e| ClientError::io(&path, format!("not an epoch file: {e}")))
}

/// Reads `tree.json` from an epoch folder.
pub fn read_tree(dir: &Path) -> Result<RewardTree, ClientError> {
    let path = dir.join(TREE_FILE);
    let bytes = std::fs::read(&path).map_err(|e| ClientError::io(&path, e))?;
    RewardTree::load(&bytes).map_err(|e| ClientError::io(&path, format!("not a reward tree: {e}")))
}

/// Reads `report.json` from an epoch folder, with its keccak256.
pub fn read_report(dir: &Path) -> Result<(AttributionReport, B256), ClientError> {
    let path = dir.join(REPORT_FILE);
    let bytes = std::fs::read(&path).map_err(|e| ClientError::io(&path, e))?;
    let report = AttributionReport::from_json(&bytes)
        .map_err(|e| ClientError::io(&path, format!("not a report: {e}")))?;
    Ok((report, keccak256(&bytes)))
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ClientError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|e| ClientError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| ClientError::io(path, e))
}

fn position(log: &Log) -> (u64, u64) {
    (
        log.block_number.unwrap_or_default(),
        log.log_index.unwrap_or_default(),
    )
}

fn chunks(from: u64, to: u64) -> impl Iterator<Item = (u64, u64)> {
    (from..=to)
        .step_by(LOG_CHUNK as usize)
        .map(move |a| (a, (a + LOG_CHUNK - 1).min(to)))
}
