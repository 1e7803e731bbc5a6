//! The corpus index: a suffix array over token ids of all contributions of a
//! set of datanets, with a range-minimum structure that finds the earliest
//! contribution containing a matched span.

use alloy_primitives::{keccak256, Address, B256};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::{
    error::AttributionError,
    gram_filter::GramFilter,
    tokenize::{for_each_token, normalize},
};

/// One contribution as the corpus sees it: identity, owner and text.
///
/// Only accepted, non-retired contributions belong in a corpus; choosing them
/// is the caller's job (it reads the chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    /// On-chain contribution id.
    pub contribution_id: B256,
    /// The account that registered it; rewards go there.
    pub contributor: Address,
    /// The datanet it belongs to.
    pub datanet_id: u64,
    /// Registration order on chain: lower is earlier. Originality goes to the
    /// lowest order (ties, which the chain never produces, by contribution id).
    pub order: u64,
    /// The contribution's text.
    pub text: String,
}

impl Contribution {
    /// Builds a contribution from its file bytes, refusing bytes whose keccak256
    /// is not `content_hash` (the hash registered on chain).
    ///
    /// Bytes that are not UTF-8 are decoded lossily (invalid sequences become
    /// U+FFFD, which separates tokens), so every accepted file is usable.
    pub fn from_content(
        contribution_id: B256,
        contributor: Address,
        datanet_id: u64,
        order: u64,
        content_hash: B256,
        content: &[u8],
    ) -> Result<Self, AttributionError> {
        let computed = keccak256(content);
        if computed != content_hash {
            return Err(AttributionError::ContentHashMismatch {
                contribution_id,
                expected: content_hash,
                computed,
            });
        }
        Ok(Self {
            contribution_id,
            contributor,
            datanet_id,
            order,
            text: String::from_utf8_lossy(content).into_owned(),
        })
    }
}

/// A document of an index: a contribution without its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentInfo {
    /// On-chain contribution id.
    pub contribution_id: B256,
    /// Rewarded account.
    pub contributor: Address,
    /// Datanet of the contribution.
    pub datanet_id: u64,
    /// Registration order (lower = earlier).
    pub order: u64,
    /// Number of tokens of the document.
    pub tokens: usize,
}

/// A matched span of an output: tokens `start..end` credited to one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    /// First token (inclusive).
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// Index of the credited document in [`CorpusIndex::documents`]
    /// (documents are sorted by originality, so a lower index is earlier).
    pub document: usize,
}

impl Span {
    /// Number of tokens in the span.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the span is empty (never true for a reported span).
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// Token id given to output tokens that never occur in the corpus.
const UNKNOWN: u32 = u32::MAX;

/// Number of documents tokenized together before interning; bounds memory.
const TOKENIZE_BATCH: usize = 256;

/// Suffix-array index of a corpus of contributions.
///
/// The text is the concatenation `d₀ $₀ d₁ $₁ … dₖ $ₖ` of the documents' token
/// ids, documents sorted by `(order, contribution_id)`, each followed by its own
/// separator id (never produced by the tokenizer), so no match can cross a
/// document boundary.
pub struct CorpusIndex {
    documents: Vec<DocumentInfo>,
    vocabulary: FxHashMap<Box<str>, u32>,
    text: Vec<i32>,
    suffix_array: Vec<i32>,
    /// `buckets[t]..buckets[t + 1]` is the suffix-array range of suffixes that
    /// start with token `t`.
    buckets: Vec<u32>,
    /// Document index of each suffix-array entry, with range minima.
    documents_by_suffix: RangeMin,
    /// Corpus windows of `filter.k` tokens, to skip searches that must fail.
    filter: Option<GramFilter>,
}

impl std::fmt::Debug for CorpusIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CorpusIndex")
            .field("documents", &self.documents.len())
            .field("vocabulary", &self.vocabulary.len())
            .field("tokens", &self.token_count())
            .finish()
    }
}

impl CorpusIndex {
    /// Tokenizes and indexes `contributions`.
    ///
    /// Fails on a duplicated contribution id or a corpus beyond 2³¹ − 1 tokens.
    pub fn build<'a, I>(contributions: I) -> Result<Self, AttributionError>
    where
        I: IntoIterator<Item = &'a Contribution>,
    {
        let mut sorted: Vec<&Contribution> = contributions.into_iter().collect();
        sorted.sort_by_key(|c| (c.order, c.contribution_id));
        let mut seen = rustc_hash::FxHashSet::default();
        for c in &sorted {
            if !seen.insert(c.contribution_id) {
                return Err(AttributionError::DuplicateContribution(c.contribution_id));
            }
        }

        let mut vocabulary: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut text: Vec<i32> = Vec::new();
        let mut separators: Vec<usize> = Vec::with_capacity(sorted.len());
        let mut documents = Vec::with_capacity(sorted.len());
        for batch in sorted.chunks(TOKENIZE_BATCH) {
            let normalized: Vec<String> = batch.par_iter().map(|c| normalize(&c.text)).collect();
            for (c, norm) in batch.iter().zip(&normalized) {
                let before = text.len();
                let mut overflow = false;
                for_each_token(norm, |token| {
                    let id = match vocabulary.get(token) {
                        Some(&id) => id,
                        None => {
                            let id = vocabulary.len();
                            let id = match i32::try_from(id) {
                                Ok(id) => id as u32,
                                Err(_) => {
                                    overflow = true;
                                    0
                                }
                            };
                            vocabulary.insert(token.into(), id);
                            id
                        }
                    };
                    text.push(id as i32);
                });
                if overflow {
                    return Err(AttributionError::CorpusTooLarge { tokens: text.len() });
                }
                documents.push(DocumentInfo {
                    contribution_id: c.contribution_id,
                    contributor: c.contributor,
                    datanet_id: c.datanet_id,
                    order: c.order,
                    tokens: text.len() - before,
                });
                separators.push(text.len());
                text.push(0); // the separator, set once the vocabulary is complete
            }
        }
        // Token ids, then one separator id per document, must all fit in i32.
        let alphabet = vocabulary.len() + documents.len();
        if text.len() > i32::MAX as usize || alphabet > i32::MAX as usize {
            return Err(AttributionError::CorpusTooLarge { tokens: text.len() });
        }
        for (doc, &at) in separators.iter().enumerate() {
            text[at] = (vocabulary.len() + doc) as i32;
        }

        let suffix_array = if text.is_empty() {
            Vec::new()
        } else {
            libsais::SuffixArrayConstruction::for_text_mut(&mut text)
                .in_owned_buffer32()
                .single_threaded()
                .run()
                .map_err(|e| AttributionError::SuffixArray(format!("{e:?}")))?
                .into_vec()
        };

        // First-token buckets: suffixes are sorted by their first token id.
        let mut buckets = vec![0u32; vocabulary.len() + 1];
        for &t in &text {
            if let Some(b) = buckets.get_mut(t as usize + 1) {
                *b += 1;
            }
        }
        for t in 1..buckets.len() {
            buckets[t] += buckets[t - 1];
        }

        // Document index of every text position, then of every suffix.
        let mut doc_of_position = Vec::with_capacity(text.len());
        let mut start = 0;
        for (doc, &end) in separators.iter().enumerate() {
            doc_of_position.resize(doc_of_position.len() + (end + 1 - start), doc as u32);
            start = end + 1;
        }
        let doc_of_suffix: Vec<u32> = suffix_array
            .par_iter()
            .map(|&p| doc_of_position[p as usize])
            .collect();
        drop(doc_of_position);

        Ok(Self {
            documents,
            vocabulary,
            text,
            suffix_array,
            buckets,
            documents_by_suffix: RangeMin::new(doc_of_suffix),
            filter: None,
        })
    }

    /// Speeds up searches whose minimum span is at least `window` tokens (2 or
    /// more): indexes every `window`-token run of the corpus in a Bloom filter,
    /// so that positions whose next `window` tokens occur nowhere are skipped
    /// without a suffix-array search. Results are identical with or without it.
    ///
    /// Worth it when the outputs to search are large compared with the
    /// corpus: it costs about as much as tokenizing the corpus again, and saves
    /// a suffix-array search (microseconds) at most output positions.
    pub fn add_window_filter(&mut self, window: usize) {
        if window < 2 {
            return;
        }
        let mut ranges = Vec::with_capacity(self.documents.len());
        let mut start = 0;
        for doc in &self.documents {
            ranges.push((start, start + doc.tokens));
            start += doc.tokens + 1;
        }
        self.filter = Some(GramFilter::build(window, &self.text, &ranges));
    }

    /// The indexed documents, sorted by originality (`order`, then id).
    pub fn documents(&self) -> &[DocumentInfo] {
        &self.documents
    }

    /// Number of corpus tokens (separators excluded).
    pub fn token_count(&self) -> usize {
        self.text.len() - self.documents.len()
    }

    /// Number of distinct tokens.
    pub fn vocabulary_size(&self) -> usize {
        self.vocabulary.len()
    }

    /// Tokenizes `output` and maps its tokens to corpus token ids.
    fn token_ids(&self, output: &str) -> Vec<u32> {
        let normalized = normalize(output);
        let mut ids = Vec::new();
        for_each_token(&normalized, |t| {
            ids.push(self.vocabulary.get(t).copied().unwrap_or(UNKNOWN));
        });
        ids
    }

    /// Finds the attributed spans of `output`; returns its token count and spans.
    ///
    /// The rule (greedy, non-overlapping, deterministic): at token `i`, let `L`
    /// be the largest length such that `output[i..i+L]` occurs in the corpus. If
    /// `L >= min_span`, the span `[i, i+L)` is credited to the earliest document
    /// containing all of it and the scan resumes at `i+L`; otherwise at `i+1`.
    pub fn find_spans(&self, output: &str, min_span: usize) -> (usize, Vec<Span>) {
        let ids = self.token_ids(output);
        let spans = self.find_spans_in_ids(&ids, min_span.max(1));
        (ids.len(), spans)
    }

    fn find_spans_in_ids(&self, ids: &[u32], min_span: usize) -> Vec<Span> {
        let filter = self.filter.as_ref().filter(|f| f.k <= min_span);
        // known[i]: how many tokens from i on are in the vocabulary.
        let mut known = vec![0usize; ids.len() + 1];
        for i in (0..ids.len()).rev() {
            known[i] = if ids[i] == UNKNOWN {
                0
            } else {
                known[i + 1] + 1
            };
        }
        let mut spans = Vec::new();
        let mut i = 0;
        while i < ids.len() {
            // A span of min_span tokens starts with min_span known tokens.
            if known[i] < min_span {
                i += known[i] + 1;
                continue;
            }
            if let Some(filter) = filter {
                if !filter.may_contain(&ids[i..i + filter.k]) {
                    i += 1;
                    continue;
                }
            }
            match self.longest_match(&ids[i..]) {
                Some((len, lo, hi)) if len >= min_span => {
                    let document = self.documents_by_suffix.min(lo, hi) as usize;
                    spans.push(Span {
                        start: i,
                        end: i + len,
                        document,
                    });
                    i += len;
                }
                _ => i += 1,
            }
        }
        spans
    }

    /// Token id at `position + offset`, or -1 past the end of the text.
    #[inline]
    fn token_at(&self, suffix: i32, offset: usize) -> i32 {
        self.text
            .get(suffix as usize + offset)
            .copied()
            .unwrap_or(-1)
    }

    /// Longest prefix of `pattern` occurring in the corpus: its length and the
    /// suffix-array range `lo..hi` of its occurrences.
    fn longest_match(&self, pattern: &[u32]) -> Option<(usize, usize, usize)> {
        let first = *pattern.first()? as usize;
        let (mut lo, mut hi) = (
            *self.buckets.get(first)? as usize,
            *self.buckets.get(first + 1)? as usize,
        );
        if lo == hi {
            return None;
        }
        let mut len = 1;
        while len < pattern.len() {
            let Ok(t) = i32::try_from(pattern[len]) else {
                break; // UNKNOWN: not in the corpus
            };
            if hi - lo == 1 {
                // One occurrence left: extend by direct comparison.
                let p = self.suffix_array[lo];
                while len < pattern.len()
                    && i32::try_from(pattern[len]).is_ok_and(|t| self.token_at(p, len) == t)
                {
                    len += 1;
                }
                break;
            }
            let range = &self.suffix_array[lo..hi];
            let a = range.partition_point(|&p| self.token_at(p, len) < t);
            let b = a + range[a..].partition_point(|&p| self.token_at(p, len) <= t);
            if a == b {
                break;
            }
            hi = lo + b;
            lo += a;
            len += 1;
        }
        Some((len, lo, hi))
    }
}

/// Exact range minimum over a fixed array: blocks of [`RangeMin::BLOCK`] values
/// scanned directly, a sparse table over block minima for the whole blocks.
struct RangeMin {
    values: Vec<u32>,
    /// `levels[k][b]` = min of blocks `b..b + 2^k`.
    levels: Vec<Vec<u32>>,
}

impl RangeMin {
    const BLOCK: usize = 32;

    fn new(values: Vec<u32>) -> Self {
        let block_minima: Vec<u32> = values
            .chunks(Self::BLOCK)
            .map(|c| c.iter().copied().min().unwrap_or(u32::MAX))
            .collect();
        let mut levels = vec![block_minima];
        let mut width = 1;
        // Level k holds `len - 2^k + 1` minima; it exists while 2^k <= len.
        while levels[levels.len() - 1].len() > width {
            let prev = &levels[levels.len() - 1];
            let next: Vec<u32> = (0..prev.len() - width)
                .map(|b| prev[b].min(prev[b + width]))
                .collect();
            levels.push(next);
            width *= 2;
        }
        Self { values, levels }
    }

    /// Minimum of `values[lo..hi]`; `lo < hi <= len`.
    fn min(&self, lo: usize, hi: usize) -> u32 {
        let scan = |a: usize, b: usize| self.values[a..b].iter().copied().min().unwrap_or(u32::MAX);
        let (first_block, last_block) = (lo / Self::BLOCK, (hi - 1) / Self::BLOCK);
        if first_block == last_block {
            return scan(lo, hi);
        }
        let mut m =
            scan(lo, (first_block + 1) * Self::BLOCK).min(scan(last_block * Self::BLOCK, hi));
        let (a, b) = (first_block + 1, last_block);
        if a < b {
            let k = (b - a).ilog2() as usize;
            let level = &self.levels[k];
            m = m.min(level[a]).min(level[b - (1 << k)]);
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contribution(n: u8, order: u64, text: &str) -> Contribution {
        Contribution {
            contribution_id: B256::with_last_byte(n),
            contributor: Address::with_last_byte(n),
            datanet_id: 1,
            order,
            text: text.to_owned(),
        }
    }

    #[test]
    fn range_min_matches_naive() {
        let mut x: u64 = 7;
        let values: Vec<u32> = (0..1000)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (x >> 40) as u32 % 97
            })
            .collect();
        let rmq = RangeMin::new(values.clone());
        for lo in (0..1000).step_by(7) {
            for hi in (lo + 1..=1000).step_by(13) {
                assert_eq!(
                    rmq.min(lo, hi),
                    *values[lo..hi].iter().min().unwrap(),
                    "{lo}..{hi}"
                );
            }
        }
    }

    #[test]
    fn longest_match_and_earliest_document() {
        let docs = [
            contribution(1, 5, "a b c d e f"),
            contribution(2, 1, "x c d e f y"),
            contribution(3, 9, "b c d e f g h"),
        ];
        let index = CorpusIndex::build(&docs).unwrap();
        assert_eq!(index.documents()[0].order, 1);
        assert_eq!(index.token_count(), 19);
        let (tokens, spans) = index.find_spans("c d e f g", 2);
        assert_eq!(tokens, 5);
        // "c d e f g" is only in document 3 (order 9).
        assert_eq!(
            spans,
            [Span {
                start: 0,
                end: 5,
                document: 2
            }]
        );
        let (_, spans) = index.find_spans("q c d e f", 2);
        // "c d e f" is in all three; the earliest (order 1) wins.
        assert_eq!(
            spans,
            [Span {
                start: 1,
                end: 5,
                document: 0
            }]
        );
        // "e f b" would cross from the end of "a b c d e f" into "b c d e f g h".
        let (_, spans) = index.find_spans("e f b c", 3);
        assert!(spans.is_empty());
    }

    #[test]
    fn empty_corpus_matches_nothing() {
        let index = CorpusIndex::build(&[]).unwrap();
        assert_eq!(index.find_spans("anything at all", 1), (3, vec![]));
        let index = CorpusIndex::build(&[contribution(1, 1, "  ")]).unwrap();
        assert_eq!(index.find_spans("anything at all", 1), (3, vec![]));
    }

    #[test]
    fn duplicate_contribution_is_refused() {
        let docs = [contribution(1, 1, "a"), contribution(1, 2, "b")];
        assert!(matches!(
            CorpusIndex::build(&docs),
            Err(AttributionError::DuplicateContribution(_))
        ));
    }
}
