//! The corpus index: a suffix array over token ids of all contributions of a
//! set of datanets, with its longest-common-prefix array, from which
//! [`WindowOrigins`](crate::WindowOrigins) finds the earliest contribution
//! containing each `min_span`-token window.

use alloy_primitives::{keccak256, Address, B256};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::{
    error::AttributionError,
    gram_filter::GramFilter,
    tokenize::{for_each_token, normalize},
};

/// Where a contribution stands in originality order: the position of its
/// commitment's `Committed` event on chain, then its place in the reveal.
///
/// Compared field by field, in declaration order (the derived `Ord`): an
/// earlier block wins, then a lower log index, then a lower item index. The
/// client fills it from the `Committed` event of the commitment the
/// contribution was revealed under (block, log index) and the contribution's
/// index among that reveal's items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommitOrder {
    /// Block of the commitment's `Committed` event.
    pub block_number: u64,
    /// Log index of that event within its block.
    pub log_index: u64,
    /// Index of the contribution among the items of its reveal.
    pub item_index: u64,
}

impl CommitOrder {
    /// The order key of item `item_index` of a reveal whose commitment was
    /// logged at (`block_number`, `log_index`).
    pub const fn new(block_number: u64, log_index: u64, item_index: u64) -> Self {
        Self {
            block_number,
            log_index,
            item_index,
        }
    }
}

/// One contribution as the corpus sees it: identity, owner, order and text.
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
    /// Originality order: the lowest wins (ties, which the chain never
    /// produces, by contribution id).
    pub order: CommitOrder,
    /// Block of its `Contributed` event (the reveal): a model's data cutoff
    /// admits it only if this is at or before the cutoff block.
    pub registered_block: u64,
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
        order: CommitOrder,
        registered_block: u64,
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
            registered_block,
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
    /// Originality order (lower = earlier).
    pub order: CommitOrder,
    /// Block the contribution was registered (revealed) in.
    pub registered_block: u64,
    /// Number of tokens of the document.
    pub tokens: usize,
}

/// A run of output tokens `start..end` credited to one document: consecutive
/// tokens whose earliest covering window lies in the same document.
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
    /// Number of tokens in the run.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the run is empty (never true for a reported run).
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// Token id given to output tokens that never occur in the corpus.
pub(crate) const UNKNOWN: u32 = u32::MAX;

/// Longest common prefixes are stored saturated at this many tokens.
const LCP_SATURATED: u8 = u8::MAX;

/// Number of documents tokenized together before interning; bounds memory.
const TOKENIZE_BATCH: usize = 256;

/// Suffix-array index of a corpus of contributions.
///
/// The text is the concatenation `d₀ $₀ d₁ $₁ … dₖ $ₖ` of the documents' token
/// ids, documents sorted by `(order, contribution_id)`, each followed by its own
/// separator id (never produced by the tokenizer), so no match can cross a
/// document boundary.
pub struct CorpusIndex {
    pub(crate) documents: Vec<DocumentInfo>,
    vocabulary: FxHashMap<Box<str>, u32>,
    pub(crate) text: Vec<i32>,
    pub(crate) suffix_array: Vec<i32>,
    /// `buckets[t]..buckets[t + 1]` is the suffix-array range of suffixes that
    /// start with token `t`.
    buckets: Vec<u32>,
    /// Document index of each suffix-array entry.
    pub(crate) doc_of_suffix: Vec<u32>,
    /// `lcp[j]`: tokens shared by the suffixes at `j - 1` and `j` of the suffix
    /// array (0 at `j = 0`), saturated at [`LCP_SATURATED`].
    lcp: Vec<u8>,
    /// Corpus windows of `filter.k` tokens, to skip searches that must fail.
    pub(crate) filter: Option<GramFilter>,
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
        // Originality order; the index of a document in it is what window
        // origins minimize.
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
                    registered_block: c.registered_block,
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

        // Suffix array, then the permuted LCP (text order), which gives the
        // LCP array (suffix-array order) in one gather.
        let (suffix_array, plcp) = if text.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let (suffix_array, plcp, _) = libsais::SuffixArrayConstruction::for_text_mut(&mut text)
                .in_owned_buffer32()
                .single_threaded()
                .run()
                .map_err(|e| AttributionError::SuffixArray(format!("{e:?}")))?
                .plcp_construction()
                .single_threaded()
                .run()
                .map_err(|e| AttributionError::SuffixArray(format!("{e:?}")))?
                .into_parts();
            (suffix_array, plcp)
        };
        let lcp: Vec<u8> = suffix_array
            .par_iter()
            .map(|&p| plcp[p as usize].clamp(0, i32::from(LCP_SATURATED)) as u8)
            .collect();
        drop(plcp);

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
            doc_of_suffix,
            lcp,
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

    /// Tokenizes `output` and maps its tokens to corpus token ids
    /// ([`UNKNOWN`] for tokens the corpus lacks).
    pub(crate) fn token_ids(&self, output: &str) -> Vec<u32> {
        let normalized = normalize(output);
        let mut ids = Vec::new();
        for_each_token(&normalized, |t| {
            ids.push(self.vocabulary.get(t).copied().unwrap_or(UNKNOWN));
        });
        ids
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
    pub(crate) fn longest_match(&self, pattern: &[u32]) -> Option<(usize, usize, usize)> {
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

    /// Whether the suffixes at `j - 1` and `j` of the suffix array share their
    /// first `window` tokens (`0 < j`, `window >= 1`).
    #[inline]
    pub(crate) fn shares_window(&self, j: usize, window: usize) -> bool {
        let lcp = self.lcp[j];
        if lcp < LCP_SATURATED || window <= usize::from(LCP_SATURATED) {
            return usize::from(lcp) >= window;
        }
        // Beyond the stored range: compare. Separators are unique, so equal
        // runs of `window` tokens never cross a document's end.
        let (a, b) = (
            self.suffix_array[j - 1] as usize,
            self.suffix_array[j] as usize,
        );
        match (self.text.get(a..a + window), self.text.get(b..b + window)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        }
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
            order: CommitOrder::new(order, 0, 0),
            registered_block: order,
            text: text.to_owned(),
        }
    }

    #[test]
    fn documents_are_sorted_by_commit_order() {
        let docs = [
            contribution(1, 5, "a b"),
            Contribution {
                order: CommitOrder::new(5, 0, 1),
                ..contribution(2, 5, "c")
            },
            Contribution {
                order: CommitOrder::new(4, 9, 0),
                ..contribution(3, 4, "d e f")
            },
            Contribution {
                order: CommitOrder::new(5, 0, 0),
                ..contribution(0, 5, "g")
            },
        ];
        let index = CorpusIndex::build(&docs).unwrap();
        let ids: Vec<u8> = index
            .documents()
            .iter()
            .map(|d| d.contribution_id[31])
            .collect();
        // (4, 9, 0), then (5, 0, 0) twice, by id, then (5, 0, 1).
        assert_eq!(ids, [3, 0, 1, 2]);
        assert_eq!(index.token_count(), 7);
    }

    #[test]
    fn lcp_agrees_with_direct_comparison() {
        let text = "a b a b a b c a b a b c c a b";
        let docs = [
            contribution(1, 1, text),
            contribution(2, 2, text),
            contribution(3, 3, "b a b c"),
        ];
        let index = CorpusIndex::build(&docs).unwrap();
        let sa = &index.suffix_array;
        for j in 1..sa.len() {
            let (a, b) = (
                &index.text[sa[j - 1] as usize..],
                &index.text[sa[j] as usize..],
            );
            let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
            for window in 1..8 {
                assert_eq!(
                    index.shares_window(j, window),
                    common >= window,
                    "{j} {window}"
                );
            }
        }
    }

    #[test]
    fn long_shared_windows_beyond_the_stored_lcp() {
        // Two documents sharing 300 tokens: the stored LCP saturates at 255.
        let shared: Vec<String> = (0..300).map(|i| format!("w{}", i % 37)).collect();
        let a = format!("{} end", shared.join(" "));
        let b = format!("start {}", shared.join(" "));
        let docs = [contribution(1, 1, &a), contribution(2, 2, &b)];
        let index = CorpusIndex::build(&docs).unwrap();
        let sa = &index.suffix_array;
        let longest = (1..sa.len())
            .filter(|&j| index.shares_window(j, 300))
            .count();
        assert_eq!(longest, 1, "exactly one adjacent pair shares 300 tokens");
        assert!(!(1..sa.len()).any(|j| index.shares_window(j, 301)));
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
