//! Contributing with commit → reveal, without local state.
//!
//! A contributor first commits to a batch — `keccak256(abi.encode(contributor, datanetId,
//! keccak256(abi.encodePacked(contentHashes)), salt))`, which reveals nothing — and reveals the
//! content hashes and URIs after the registry's minimum commitment age. Everything is derived from
//! the files and the key, so a re-run after a kill at any point finds its own work on chain:
//! - the files not yet registered, sorted by content hash, cut into batches of a fixed size, give
//!   the same batches again (revealed batches drop out whole);
//! - each batch's salt is the low 128 bits of `keccak256(personal_sign(message))` over the chain,
//!   registry, datanet and
//!   the batch's content hashes (deterministic, RFC 6979), so its commitment is the same again and
//!   `commitmentOf` says whether it was committed;
//! - bonds are pulled only by a reveal, so an unrevealed commitment costs nothing but its gas.

use crate::{
    files::DataFile,
    progress::Progress,
    session::{ContributedFile, Status},
    ClientError, Session,
};
use alloy::{
    primitives::{keccak256, Address, Bytes, B256, U256},
    sol_types::{SolError, SolValue},
};
use datanet_bindings::{datanet_registry::IDatanetRegistry::ContributionInput, DatanetRegistry};
use serde::{Deserialize, Serialize};
use std::{collections::HashSet, time::Duration};

/// One batch: one commitment, one reveal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// In the committed order (sorted by content hash).
    pub items: Vec<RevealItem>,
    pub salt: B256,
    pub commitment: B256,
}

/// A content hash and the URI it is published at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevealItem {
    pub content_hash: B256,
    pub uri: String,
}

impl Batch {
    pub fn content_hashes(&self) -> Vec<B256> {
        self.items.iter().map(|i| i.content_hash).collect()
    }

    /// The reveal's items, as the bindings take them.
    pub fn inputs(&self) -> Vec<ContributionInput> {
        self.items
            .iter()
            .map(|i| ContributionInput {
                contentHash: i.content_hash,
                uri: i.uri.clone(),
            })
            .collect()
    }
}

/// `keccak256(abi.encodePacked(contentHashes))`.
pub fn items_hash(content_hashes: &[B256]) -> B256 {
    let mut packed = Vec::with_capacity(32 * content_hashes.len());
    for h in content_hashes {
        packed.extend_from_slice(h.as_slice());
    }
    keccak256(packed)
}

/// The commitment the registry computes (`makeCommitment`).
pub fn commitment(
    contributor: Address,
    datanet_id: u64,
    content_hashes: &[B256],
    salt: B256,
) -> B256 {
    keccak256(
        (
            contributor,
            U256::from(datanet_id),
            items_hash(content_hashes),
            salt,
        )
            .abi_encode(),
    )
}

/// A batch's salt from the signature of its [`salt_message`]: the low 128 bits of its keccak256.
/// 128 secret bits keep a commitment from being brute-forced; the 16 zero bytes cost 4 gas each in
/// the reveal's calldata instead of 16.
pub fn salt_of_signature(signature: &[u8]) -> B256 {
    let mut salt = keccak256(signature);
    salt.0[..16].fill(0);
    salt
}

/// The message whose signature, hashed, is a batch's salt.
pub fn salt_message(chain_id: u64, registry: Address, datanet_id: u64, items_hash: B256) -> String {
    format!(
        "datanet commit salt\nchain:{chain_id}\nregistry:{registry:#x}\ndatanet:{datanet_id}\nitems:{items_hash:#x}"
    )
}

/// `keccak256(abi.encodePacked(keccak256(bytes(uri_0)), …))`, signed in a gasless reveal.
pub fn uris_hash(items: &[RevealItem]) -> B256 {
    let mut packed = Vec::with_capacity(32 * items.len());
    for i in items {
        packed.extend_from_slice(keccak256(i.uri.as_bytes()).as_slice());
    }
    keccak256(packed)
}

/// What `contribute` did, per file and in numbers.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContributeReport {
    pub files: Vec<ContributedFile>,
    /// Batches committed by this run (the others were found committed).
    pub committed: usize,
    /// Batches revealed by this run.
    pub revealed: usize,
}

impl Session {
    /// The salt of a batch of `datanet_id` whose content hashes hash to `items_hash`.
    pub fn commit_salt(&self, datanet_id: u64, items_hash: B256) -> Result<B256, ClientError> {
        let message = salt_message(
            self.client.chain_id(),
            self.deployment.datanet_registry,
            datanet_id,
            items_hash,
        );
        let signature = self.client.sign_message(message.as_bytes())?;
        Ok(salt_of_signature(&signature.as_bytes()))
    }

    /// Which files to skip and which batches to commit and reveal: files already registered (by
    /// anyone) are skipped, the rest sorted by content hash and cut into `batch_size` batches.
    pub async fn plan_contribution(
        &self,
        datanet_id: u64,
        files: &[DataFile],
        uri_of: &dyn Fn(&DataFile) -> String,
        batch_size: usize,
    ) -> Result<(Vec<ContributedFile>, Vec<Batch>), ClientError> {
        if batch_size == 0 {
            return Err(ClientError::ZeroBatch);
        }
        let sender = self.client.sender()?;
        let ids: Vec<B256> = files
            .iter()
            .map(|f| Self::contribution_id(datanet_id, f.content_hash))
            .collect();
        let existing = self.contributions(&ids).await?;
        let mut results = Vec::with_capacity(files.len());
        let mut todo: Vec<RevealItem> = Vec::new();
        let mut seen = HashSet::new();
        for (i, (file, record)) in files.iter().zip(&existing).enumerate() {
            let outcome = if matches!(
                record.status,
                Status::Pending | Status::Accepted | Status::Retired
            ) {
                format!("skipped: already {:?}", record.status).to_lowercase()
            } else if !seen.insert(file.content_hash) {
                "skipped: same content as another file".to_string()
            } else {
                todo.push(RevealItem {
                    content_hash: file.content_hash,
                    uri: uri_of(file),
                });
                "registered".to_string()
            };
            results.push(ContributedFile {
                file: file.path.display().to_string(),
                content_hash: file.content_hash,
                contribution_id: ids[i],
                outcome,
            });
        }
        todo.sort_by_key(|i| i.content_hash);
        let mut batches = Vec::new();
        for chunk in todo.chunks(batch_size) {
            let hashes: Vec<B256> = chunk.iter().map(|i| i.content_hash).collect();
            let salt = self.commit_salt(datanet_id, items_hash(&hashes))?;
            batches.push(Batch {
                items: chunk.to_vec(),
                salt,
                commitment: commitment(sender, datanet_id, &hashes, salt),
            });
        }
        Ok((results, batches))
    }

    /// When each commitment was made (unix seconds; 0 = none).
    pub async fn committed_at(&self, commitments: &[B256]) -> Result<Vec<u64>, ClientError> {
        let registry = self.registry();
        let mut out = Vec::with_capacity(commitments.len());
        for c in commitments {
            let at = registry
                .commitmentOf(*c)
                .call()
                .await
                .map_err(|e| self.client.call_error("commitmentOf", e))?;
            out.push(u64::try_from(at).unwrap_or(u64::MAX));
        }
        Ok(out)
    }

    /// Commits the batches that have no live commitment (none, or expired); returns each batch's
    /// commitment time and how many were committed now.
    pub async fn commit_batches(
        &self,
        batches: &[Batch],
        progress: &dyn Progress,
    ) -> Result<(Vec<u64>, usize), ClientError> {
        let commitments: Vec<B256> = batches.iter().map(|b| b.commitment).collect();
        let mut committed_at = self.committed_at(&commitments).await?;
        let (_, max_age) = self.commitment_ages().await?;
        let now = self.client.chain_clock().await?.now();
        let todo: Vec<usize> = (0..batches.len())
            .filter(|i| committed_at[*i] == 0 || committed_at[*i] + max_age < now)
            .collect();
        if todo.is_empty() {
            return Ok((committed_at, 0));
        }
        progress.start("committing", todo.len() as u64);
        let registry = self.registry();
        let mut sent = Vec::with_capacity(todo.len());
        for i in &todo {
            let tx = registry
                .commit(batches[*i].commitment)
                .into_transaction_request();
            sent.push(self.client.submit("commit", tx).await?);
        }
        for (done, tx) in sent.iter().enumerate() {
            self.client.confirm(tx).await?;
            progress.set(done as u64 + 1);
        }
        progress.finish();
        let fresh: Vec<B256> = todo.iter().map(|i| commitments[*i]).collect();
        for (i, at) in todo.iter().zip(self.committed_at(&fresh).await?) {
            committed_at[*i] = at;
        }
        Ok((committed_at, todo.len()))
    }

    /// Waits until a commitment made at `committed_at` may be revealed, on the chain's clock,
    /// showing the wait (in seconds) as a progress stage when it is longer than a second.
    pub async fn wait_revealable(
        &self,
        committed_at: u64,
        progress: &dyn Progress,
    ) -> Result<(), ClientError> {
        let (min_age, _) = self.commitment_ages().await?;
        let clock = self.client.chain_clock().await?;
        let wait = clock.until(committed_at + min_age);
        if wait.is_zero() {
            return Ok(());
        }
        tracing::info!(
            wait_secs = wait.as_secs_f64(),
            "waiting for the minimum commitment age"
        );
        if wait <= Duration::from_secs(1) {
            tokio::time::sleep(wait).await;
            return Ok(());
        }
        let total = wait.as_secs_f64().ceil() as u64;
        progress.start("waiting for the minimum commitment age (s)", total);
        let started = tokio::time::Instant::now();
        while started.elapsed() < wait {
            tokio::time::sleep((wait - started.elapsed()).min(Duration::from_secs(1))).await;
            progress.set(started.elapsed().as_secs().min(total));
        }
        progress.finish();
        Ok(())
    }

    /// Registers files in a datanet by commit → wait → reveal. Skips files already registered, finds
    /// batches committed by an earlier (killed) run, commits the others, waits the minimum
    /// commitment age, approves the bonds once, and reveals every batch.
    pub async fn contribute(
        &self,
        datanet_id: u64,
        files: &[DataFile],
        uri_of: impl Fn(&DataFile) -> String,
        batch_size: usize,
        progress: &dyn Progress,
    ) -> Result<ContributeReport, ClientError> {
        let sender = self.client.sender()?;
        let info = self.datanet(datanet_id).await?;
        // Transactions of a killed run may still be in the pool: their outcome decides what to send.
        self.client.wait_for_pending(sender).await?;
        let (results, batches) = self
            .plan_contribution(datanet_id, files, &uri_of, batch_size)
            .await?;
        let count: usize = batches.iter().map(|b| b.items.len()).sum();
        let total_bond = info.bond * U256::from(count);
        if !total_bond.is_zero() {
            self.ensure_balance_and_allowance(
                sender,
                self.deployment.datanet_registry,
                total_bond,
                "bonds",
            )
            .await?;
        }
        let (committed_at, committed) = self.commit_batches(&batches, progress).await?;

        let registry = self.registry();
        let mut sent = Vec::with_capacity(batches.len());
        for (batch, at) in batches.iter().zip(&committed_at) {
            self.wait_revealable(*at, progress).await?;
            // A one-file batch goes through `revealOne` (scalar arguments: less calldata and
            // decoding); its commitment is the same.
            let call = || match batch.items.as_slice() {
                [item] => registry
                    .revealOne(
                        U256::from(datanet_id),
                        item.content_hash,
                        item.uri.clone(),
                        batch.salt,
                    )
                    .into_transaction_request(),
                _ => registry
                    .reveal(U256::from(datanet_id), batch.inputs(), batch.salt)
                    .into_transaction_request(),
            };
            sent.push((batch.items.len(), self.submit_reveal("reveal", call).await?));
        }
        progress.start("revealing", count as u64);
        let mut done = 0;
        for (len, tx) in &sent {
            self.client.confirm(tx).await?;
            done += len;
            progress.set(done as u64);
        }
        progress.finish();
        Ok(ContributeReport {
            files: results,
            committed,
            revealed: sent.len(),
        })
    }

    /// Submits a reveal; while the registry says the commitment is too new (the node's clock lags),
    /// waits until the time it names and tries again.
    pub(crate) async fn submit_reveal(
        &self,
        name: &str,
        tx: impl Fn() -> alloy::rpc::types::TransactionRequest,
    ) -> Result<crate::SentTransaction, ClientError> {
        for _ in 0..30 {
            match self.client.submit(name, tx()).await {
                Err(ClientError::Reverted { data, .. })
                    if data.len() >= 4
                        && data[..4] == DatanetRegistry::CommitmentTooNew::SELECTOR =>
                {
                    let revealable_at = DatanetRegistry::CommitmentTooNew::abi_decode(&data)
                        .map(|e| u64::try_from(e.revealableAt).unwrap_or(u64::MAX))
                        .unwrap_or(0);
                    let clock = self.client.chain_clock().await?;
                    let wait = clock.until(revealable_at).max(Duration::from_millis(500));
                    tokio::time::sleep(wait).await;
                }
                other => return other,
            }
        }
        self.client.submit(name, tx()).await
    }
}

/// A batch signed by its contributor for a relayer to reveal (`revealWithSig`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedRevealBatch {
    pub items: Vec<RevealItem>,
    pub salt: B256,
    pub commitment: B256,
    /// The contributor's registry nonce this signature uses (batches are relayed in nonce order).
    pub nonce: u64,
    /// Unix time after which the signature is void.
    pub deadline: u64,
    pub signature: Bytes,
}

/// What a contributor hands a relayer: everything needed to commit and reveal, nothing to change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedReveals {
    pub chain_id: u64,
    pub registry: Address,
    pub contributor: Address,
    pub datanet_id: u64,
    pub batches: Vec<SignedRevealBatch>,
}

/// What a relay did.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RelayReport {
    pub committed: usize,
    pub revealed: usize,
    /// Batches whose nonce was already used (revealed by an earlier relay).
    pub already_revealed: usize,
}

impl Session {
    /// Signs the reveals of `files` for a relayer, as the contributor (the sender): no transaction
    /// is sent. Bonded datanets need the contributor's allowance to the registry beforehand.
    pub async fn sign_reveals(
        &self,
        datanet_id: u64,
        files: &[DataFile],
        uri_of: impl Fn(&DataFile) -> String,
        batch_size: usize,
        deadline: u64,
    ) -> Result<(Vec<ContributedFile>, SignedReveals), ClientError> {
        let contributor = self.client.sender()?;
        self.datanet(datanet_id).await?;
        let (results, batches) = self
            .plan_contribution(datanet_id, files, &uri_of, batch_size)
            .await?;
        let registry = self.registry();
        let first_nonce = registry
            .nonces(contributor)
            .call()
            .await
            .map_err(|e| self.client.call_error("nonces", e))?;
        let first_nonce = u64::try_from(first_nonce).unwrap_or(u64::MAX);
        let mut signed = Vec::with_capacity(batches.len());
        for (i, batch) in batches.into_iter().enumerate() {
            let nonce = first_nonce + i as u64;
            let digest = registry
                .revealDigest(
                    contributor,
                    U256::from(datanet_id),
                    batch.commitment,
                    uris_hash(&batch.items),
                    U256::from(nonce),
                    U256::from(deadline),
                )
                .call()
                .await
                .map_err(|e| self.client.call_error("revealDigest", e))?;
            let signature = self.client.sign_hash(&digest)?;
            signed.push(SignedRevealBatch {
                items: batch.items,
                salt: batch.salt,
                commitment: batch.commitment,
                nonce,
                deadline,
                signature: Bytes::from(signature.as_bytes().to_vec()),
            });
        }
        Ok((
            results,
            SignedReveals {
                chain_id: self.client.chain_id(),
                registry: self.deployment.datanet_registry,
                contributor,
                datanet_id,
                batches: signed,
            },
        ))
    }

    /// Relays signed reveals as the sender: commits what is not committed, waits the minimum age,
    /// and reveals each batch with the contributor's signature, in nonce order. Batches whose nonce
    /// is already used are skipped, so a relay can be re-run.
    pub async fn relay_reveals(
        &self,
        reveals: &SignedReveals,
        progress: &dyn Progress,
    ) -> Result<RelayReport, ClientError> {
        let relayer = self.client.sender()?;
        if reveals.chain_id != self.client.chain_id()
            || reveals.registry != self.deployment.datanet_registry
        {
            return Err(ClientError::WrongChain {
                expected: reveals.chain_id,
                actual: self.client.chain_id(),
            });
        }
        self.client.wait_for_pending(relayer).await?;
        let registry = self.registry();
        let used = registry
            .nonces(reveals.contributor)
            .call()
            .await
            .map_err(|e| self.client.call_error("nonces", e))?;
        let used = u64::try_from(used).unwrap_or(u64::MAX);
        let mut todo: Vec<&SignedRevealBatch> =
            reveals.batches.iter().filter(|b| b.nonce >= used).collect();
        todo.sort_by_key(|b| b.nonce);
        let already_revealed = reveals.batches.len() - todo.len();
        let batches: Vec<Batch> = todo
            .iter()
            .map(|b| Batch {
                items: b.items.clone(),
                salt: b.salt,
                commitment: b.commitment,
            })
            .collect();
        let (committed_at, committed) = self.commit_batches(&batches, progress).await?;
        let mut sent = Vec::with_capacity(todo.len());
        for ((signed, batch), at) in todo.iter().zip(&batches).zip(&committed_at) {
            self.wait_revealable(*at, progress).await?;
            let call = || {
                registry
                    .revealWithSig(
                        reveals.contributor,
                        U256::from(reveals.datanet_id),
                        batch.inputs(),
                        batch.salt,
                        U256::from(signed.deadline),
                        signed.signature.clone(),
                    )
                    .into_transaction_request()
            };
            sent.push(self.submit_reveal("revealWithSig", call).await?);
        }
        progress.start("revealing", sent.len() as u64);
        for (done, tx) in sent.iter().enumerate() {
            self.client.confirm(tx).await?;
            progress.set(done as u64 + 1);
        }
        progress.finish();
        Ok(RelayReport {
            committed,
            revealed: sent.len(),
            already_revealed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitment_and_salt_message_follow_the_v2_api() {
        let hashes = [B256::repeat_byte(1), B256::repeat_byte(2)];
        let mut packed = [0u8; 64];
        packed[..32].copy_from_slice(hashes[0].as_slice());
        packed[32..].copy_from_slice(hashes[1].as_slice());
        assert_eq!(items_hash(&hashes), keccak256(packed));
        let contributor = Address::repeat_byte(0xc0);
        let salt = B256::repeat_byte(9);
        let mut encoded = Vec::new();
        encoded.extend_from_slice(B256::left_padding_from(contributor.as_slice()).as_slice());
        encoded.extend_from_slice(&U256::from(7).to_be_bytes::<32>());
        encoded.extend_from_slice(keccak256(packed).as_slice());
        encoded.extend_from_slice(salt.as_slice());
        assert_eq!(
            commitment(contributor, 7, &hashes, salt),
            keccak256(encoded)
        );
        let registry: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
            .parse()
            .unwrap();
        assert_eq!(
            salt_message(31337, registry, 3, B256::repeat_byte(0xab)),
            format!(
                "datanet commit salt\nchain:31337\nregistry:0x5fbdb2315678afecb367f032d93f642f64180aa3\ndatanet:3\nitems:0x{}",
                "ab".repeat(32)
            )
        );
    }

    #[test]
    fn salts_keep_128_secret_bits() {
        let salt = salt_of_signature(b"signature");
        assert_eq!(&salt[..16], &[0u8; 16]);
        assert_eq!(&salt[16..], &keccak256(b"signature")[16..]);
        assert_ne!(
            salt_of_signature(b"signature"),
            salt_of_signature(b"signaturf")
        );
    }

    #[test]
    fn uris_hash_binds_every_uri() {
        let item = |u: &str| RevealItem {
            content_hash: B256::ZERO,
            uri: u.into(),
        };
        let mut packed = Vec::new();
        packed.extend_from_slice(keccak256("a").as_slice());
        packed.extend_from_slice(keccak256("b").as_slice());
        assert_eq!(uris_hash(&[item("a"), item("b")]), keccak256(packed));
        assert_ne!(
            uris_hash(&[item("a"), item("b")]),
            uris_hash(&[item("a"), item("c")])
        );
    }
}
