//! The epoch report: what was attributed to whom, in canonical JSON.
//!
//! Canonical form ([`AttributionReport::to_canonical_json`]): `serde_json`'s
//! pretty printer (two-space indent, `": "`), fields in the order declared here
//! (camelCase), no trailing newline; `U256` amounts as decimal strings without
//! leading zeros, `B256` and `Address` as `0x` + lowercase hex, other integers
//! as JSON numbers, lists in the deterministic orders documented per field.
//! The report file holds exactly these bytes, so `keccak256(file)` is the
//! on-chain `reportHash`.

use alloy_primitives::{keccak256, Address, B256, U256};
use serde::{Deserialize, Serialize};

use crate::error::AttributionError;

/// Value of [`AttributionReport::format`].
///
/// v2: credit per token (runs of tokens per contribution), data cutoffs per
/// model and inference, unpublished and mismatched outputs listed, published
/// sources left out as unreachable listed (`skippedSources`, absent when none).
pub const REPORT_FORMAT: &str = "datanet-attribution-report/v2";

/// Parameters of an epoch, carried into its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EpochParams {
    /// Epoch number.
    pub epoch: u64,
    /// Chain of the attribution pool.
    pub chain_id: u64,
    /// Address of the attribution pool.
    pub pool: Address,
    /// First block of the epoch (inclusive).
    pub from_block: u64,
    /// Last block of the epoch (inclusive).
    pub to_block: u64,
    /// Minimum span length in tokens.
    pub min_span: u32,
}

impl EpochParams {
    /// The protocol's default minimum span, in tokens.
    pub const DEFAULT_MIN_SPAN: u32 = 8;
}

/// Epoch 0 over all blocks, no chain or pool, default minimum span.
impl Default for EpochParams {
    fn default() -> Self {
        Self {
            epoch: 0,
            chain_id: 0,
            pool: Address::ZERO,
            from_block: 0,
            to_block: u64::MAX,
            min_span: Self::DEFAULT_MIN_SPAN,
        }
    }
}

/// The corpora a paid model was attributed against in the epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ModelCorpus {
    /// The model.
    pub model_id: u64,
    /// Its datanets, ascending.
    pub datanet_ids: Vec<u64>,
    /// The data cutoffs in force at its attributed payments, by cutoff block.
    pub cutoffs: Vec<CorpusAtCutoff>,
}

/// A model's corpus under one data cutoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CorpusAtCutoff {
    /// Block at which this cutoff was set (its `DataCutoffSet` event).
    pub set_at_block: u64,
    /// The cutoff: contributions registered at or before this block count.
    pub cutoff_block: u64,
    /// Number of contributions in the corpus under this cutoff.
    pub contributions: u64,
    /// Number of tokens in the corpus under this cutoff.
    pub tokens: u64,
}

/// A run of consecutive output tokens credited to one contribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SpanRecord {
    /// First token index (inclusive).
    pub start: u64,
    /// One past the last token index.
    pub end: u64,
    /// The contribution every token of the run is credited to: for each
    /// token, the earliest contribution containing a `minSpan`-token window
    /// of the output that covers it.
    pub contribution_id: B256,
}

/// What one contribution earned from one inference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditRecord {
    /// The contribution.
    pub contribution_id: B256,
    /// Its contributor, who is paid.
    pub contributor: Address,
    /// Number of output tokens credited to it.
    pub credit: u64,
    /// Its part of the inference's contributor share.
    #[serde(with = "decimal")]
    pub amount: U256,
}

/// Attribution of one paid inference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InferenceAttribution {
    /// keccak256 of the output text.
    pub inference_id: B256,
    /// The paid model.
    pub model_id: u64,
    /// Block of the payment event.
    pub block_number: u64,
    /// Log index of the payment event.
    pub log_index: u64,
    /// The data cutoff in force at the payment's block: only contributions
    /// registered at or before this block were searched.
    pub data_cutoff: u64,
    /// The contributors' share of the payment.
    #[serde(with = "decimal")]
    pub contributor_share: U256,
    /// Number of tokens in the output.
    pub tokens: u64,
    /// Credited tokens as maximal runs of consecutive tokens with the same
    /// contribution, by start. Tokens in no run are credited to nobody.
    pub spans: Vec<SpanRecord>,
    /// Credits and amounts per contribution, earliest contribution first.
    pub credits: Vec<CreditRecord>,
    /// The share left in the pool (all of it when no token is credited, else
    /// zero).
    #[serde(with = "decimal")]
    pub unallocated: U256,
}

/// A paid inference that could not be attributed: its output is missing or
/// does not hash to its inference id. Its whole contributor share stays
/// unallocated in the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnattributedInference {
    /// The inference id paid for on chain.
    pub inference_id: B256,
    /// The paid model.
    pub model_id: u64,
    /// Block of the payment event.
    pub block_number: u64,
    /// Log index of the payment event.
    pub log_index: u64,
    /// The contributors' share of the payment, left unallocated.
    #[serde(with = "decimal")]
    pub contributor_share: U256,
}

/// What kind of published source a [`SkippedSource`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SourceKind {
    /// A payer's outputs file: the `outputsURI` of an `OutputsPublished` event of the epoch.
    Outputs,
    /// An accepted contribution's file, at the URI its `Contributed` event names.
    Contribution,
}

/// A published source that could not be read when the epoch was computed — its host did not
/// answer usably (refused connection, timeout, HTTP 5xx, 408 or 429) after the attestor's
/// retries — and was left out so that the epoch goes on (nobody can stop epochs by making a host
/// hang). A left-out outputs file gives no lines: the inferences found nowhere else are
/// `unpublished`. A left-out contribution is not in the corpus: it earns nothing this epoch.
///
/// Verifiers recompute with the same sources left out, whether or not they can read them now
/// (and say when they can), and refuse an entry that names no source of the epoch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SkippedSource {
    /// The URI as the chain names it.
    pub uri: String,
    /// An outputs file or a contribution's file.
    pub kind: SourceKind,
    /// The contribution, for [`SourceKind::Contribution`] (absent for outputs files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contribution_id: Option<B256>,
    /// Why it was left out, as the attestor saw it (e.g. `HTTP 503 after 7 attempt(s)`); never a
    /// timestamp, a gateway URL or a credential.
    pub reason: String,
}

/// An account of the reward tree after this epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountReward {
    /// The account.
    pub account: Address,
    /// What it earned in this epoch.
    #[serde(with = "decimal")]
    pub epoch_amount: U256,
    /// Its cumulative amount after this epoch (its leaf in the reward tree).
    #[serde(with = "decimal")]
    pub cumulative_amount: U256,
}

/// Sums over the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Totals {
    /// Sum of the contributor shares of the epoch's payments (attributed,
    /// unpublished and mismatched).
    #[serde(with = "decimal")]
    pub contributor_share: U256,
    /// Allocated to contributors in this epoch.
    #[serde(with = "decimal")]
    pub allocated: U256,
    /// Left unallocated in this epoch (inferences without credited tokens,
    /// unpublished and mismatched ones).
    #[serde(with = "decimal")]
    pub unallocated: U256,
    /// Sum of all cumulative amounts: the on-chain `totalAllocated`.
    #[serde(with = "decimal")]
    pub cumulative_allocated: U256,
}

/// The report of one epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttributionReport {
    /// Always [`REPORT_FORMAT`].
    pub format: String,
    /// The epoch's parameters.
    pub parameters: EpochParams,
    /// Corpora of the models with attributed payments, by model id.
    pub models: Vec<ModelCorpus>,
    /// Attributed inferences, by (block number, log index).
    pub inferences: Vec<InferenceAttribution>,
    /// Paid inferences whose output nobody supplied, by (block, log index).
    pub unpublished: Vec<UnattributedInference>,
    /// Paid inferences whose supplied output does not hash to the inference
    /// id, by (block, log index).
    pub mismatched: Vec<UnattributedInference>,
    /// Published sources left out because they could not be read when the epoch was computed
    /// (see [`SkippedSource`]), sorted (by URI, then kind, contribution id and reason), without
    /// duplicates ([`Self::set_skipped_sources`]). Absent from the JSON when empty, so a report
    /// that left nothing out has the same bytes as before this field existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_sources: Vec<SkippedSource>,
    /// Every account of the reward tree (a positive cumulative amount), by address, with what it
    /// earned in this epoch (zero for accounts carried over from earlier epochs): the leaves, so this
    /// report alone rebuilds the root.
    pub accounts: Vec<AccountReward>,
    /// Epoch sums.
    pub totals: Totals,
    /// Root of the reward tree of cumulative amounts (null if it has no leaf).
    pub rewards_root: Option<B256>,
}

impl AttributionReport {
    /// The canonical bytes of the report (see the module docs).
    pub fn to_canonical_json(&self) -> Vec<u8> {
        // Serializing plain structs of strings and integers cannot fail.
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Records the sources left out of the epoch (see [`SkippedSource`]) in their canonical order:
    /// sorted, duplicates removed. They change nothing else in the report: the engine never saw
    /// them (a left-out file is simply not among its inputs).
    pub fn set_skipped_sources(&mut self, mut sources: Vec<SkippedSource>) {
        sources.sort();
        sources.dedup();
        self.skipped_sources = sources;
    }

    /// keccak256 of [`Self::to_canonical_json`]: the on-chain `reportHash`.
    pub fn report_hash(&self) -> B256 {
        keccak256(self.to_canonical_json())
    }

    /// Reads a report, checking its format tag.
    ///
    /// Accepts any JSON layout; use [`Self::from_canonical_json`] to also
    /// require the canonical bytes.
    pub fn from_json(bytes: &[u8]) -> Result<Self, AttributionError> {
        let report: Self = serde_json::from_slice(bytes)
            .map_err(|e| AttributionError::InvalidReport(e.to_string()))?;
        if report.format != REPORT_FORMAT {
            return Err(AttributionError::InvalidReport(format!(
                "unknown format {:?}, expected {REPORT_FORMAT:?}",
                report.format
            )));
        }
        Ok(report)
    }

    /// Reads a report and checks that `bytes` are exactly its canonical form,
    /// so that `keccak256(bytes) == report_hash()`.
    pub fn from_canonical_json(bytes: &[u8]) -> Result<Self, AttributionError> {
        let report = Self::from_json(bytes)?;
        if report.to_canonical_json() != bytes {
            return Err(AttributionError::InvalidReport(
                "bytes are not the report's canonical JSON".into(),
            ));
        }
        Ok(report)
    }
}

/// `U256` as a canonical decimal string (no sign, no leading zeros).
pub(crate) mod decimal {
    use alloy_primitives::U256;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(value: &U256, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<U256, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        parse(&s).map_err(D::Error::custom)
    }

    /// Parses a canonical decimal `U256`.
    pub(crate) fn parse(s: &str) -> Result<U256, String> {
        let canonical = !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_digit())
            && (s == "0" || !s.starts_with('0'));
        if !canonical {
            return Err(format!("{s:?} is not a canonical decimal integer"));
        }
        U256::from_str_radix(s, 10).map_err(|e| format!("{s:?}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> AttributionReport {
        AttributionReport {
            format: REPORT_FORMAT.into(),
            parameters: EpochParams {
                epoch: 3,
                chain_id: 31337,
                ..EpochParams::default()
            },
            models: vec![],
            inferences: vec![],
            unpublished: vec![],
            mismatched: vec![],
            skipped_sources: vec![],
            accounts: vec![],
            totals: Totals {
                contributor_share: U256::from(10),
                allocated: U256::ZERO,
                unallocated: U256::from(10),
                cumulative_allocated: U256::ZERO,
            },
            rewards_root: None,
        }
    }

    fn skipped(uri: &str, kind: SourceKind, id: Option<u8>) -> SkippedSource {
        SkippedSource {
            uri: uri.into(),
            kind,
            contribution_id: id.map(B256::with_last_byte),
            reason: "HTTP 503 after 7 attempt(s)".into(),
        }
    }

    #[test]
    fn skipped_sources_round_trip_sorted_in_camel_case_and_absent_when_empty() {
        // Without skipped sources the field is absent: the bytes of reports written before it.
        let plain = report();
        let bytes = plain.to_canonical_json();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(!text.contains("skipped"), "{text}");
        assert_eq!(
            AttributionReport::from_canonical_json(&bytes).unwrap(),
            plain
        );

        let mut with = report();
        let contribution = skipped("https://b.example/c.txt", SourceKind::Contribution, Some(7));
        let outputs = skipped("http://a.example/out.jsonl", SourceKind::Outputs, None);
        with.set_skipped_sources(vec![
            contribution.clone(),
            outputs.clone(),
            contribution.clone(),
        ]);
        assert_eq!(
            with.skipped_sources,
            [outputs, contribution],
            "sorted, no duplicate"
        );
        let bytes = with.to_canonical_json();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.contains(
                r#""skippedSources": [
    {
      "uri": "http://a.example/out.jsonl",
      "kind": "outputs",
      "reason": "HTTP 503 after 7 attempt(s)"
    },
    {
      "uri": "https://b.example/c.txt",
      "kind": "contribution",
      "contributionId": "0x0000000000000000000000000000000000000000000000000000000000000007",
      "reason": "HTTP 503 after 7 attempt(s)"
    }
  ],"#
            ),
            "{text}"
        );
        let back = AttributionReport::from_canonical_json(&bytes).unwrap();
        assert_eq!(back, with);
        assert_ne!(back.report_hash(), plain.report_hash());

        // One canonical form: an explicit empty list is not it, an unknown kind or field is refused.
        let empty = text.replace(
            &text[text.find("\"skippedSources\"").unwrap()..text.find("\"accounts\"").unwrap()],
            "\"skippedSources\": [],\n  ",
        );
        let parsed = AttributionReport::from_json(empty.as_bytes()).unwrap();
        assert!(parsed.skipped_sources.is_empty());
        assert!(AttributionReport::from_canonical_json(empty.as_bytes()).is_err());
        for bad in [
            text.replace("\"kind\": \"outputs\"", "\"kind\": \"other\""),
            text.replace("\"kind\": \"outputs\"", "\"kind\": \"outputs\", \"at\": 1"),
        ] {
            assert!(
                AttributionReport::from_json(bad.as_bytes()).is_err(),
                "{bad}"
            );
        }
    }
}
