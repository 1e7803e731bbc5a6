//! Originality per token: the earliest contribution containing each
//! `min_span`-token window of an output, and each token's minimum over the
//! windows that cover it.
//!
//! [`WindowOrigins`] precomputes, for every corpus position `q`, the earliest
//! eligible document containing the window of `min_span` tokens that starts at
//! `q`. All occurrences of a window form one interval of the suffix array (the
//! suffixes whose first `min_span` tokens agree: adjacent entries whose longest
//! common prefix is at least `min_span`), so one pass over the suffix array
//! takes the minimum document index over each interval and writes it to every
//! position of the interval. An output is then matched like this: a
//! longest-match search at window `i` that finds `L >= min_span` tokens at
//! corpus position `p` settles windows `i..=i+L-min_span` at once (window
//! `i+k` occurs at `p+k`, so its origin is `origin[p+k]`), and the scan goes on
//! at the first unsettled window. Searches thus cost about what the v1 greedy
//! scan cost; the per-window answers are table reads.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;

use crate::corpus::{CorpusIndex, Span, UNKNOWN};

/// No eligible document (or no full window) at a position.
const NONE: u32 = u32::MAX;

/// The earliest eligible document of every `min_span`-token corpus window.
///
/// Built by [`CorpusIndex::window_origins`]; borrows its index.
pub struct WindowOrigins<'a> {
    index: &'a CorpusIndex,
    min_span: usize,
    data_cutoff: Option<u64>,
    /// `origin[q]`: index (in [`CorpusIndex::documents`]) of the earliest
    /// eligible document containing `text[q..q + min_span]`, or [`NONE`].
    /// Positions whose window would cross a document's end hold their own
    /// document or [`NONE`]; they are never read.
    origin: Vec<u32>,
}

impl std::fmt::Debug for WindowOrigins<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WindowOrigins")
            .field("min_span", &self.min_span)
            .field("data_cutoff", &self.data_cutoff)
            .field("positions", &self.origin.len())
            .finish()
    }
}

impl CorpusIndex {
    /// The origin table for windows of `min_span` tokens (at least 1) against
    /// the documents registered at or before `data_cutoff` (every document if
    /// `None`). Documents registered later stay in the index but are never an
    /// origin: a window only they contain has none.
    ///
    /// Costs one pass over the suffix array plus one scattered write per
    /// corpus token, in parallel.
    pub fn window_origins(&self, min_span: usize, data_cutoff: Option<u64>) -> WindowOrigins<'_> {
        let window = min_span.max(1);
        let eligible: Vec<bool> = self
            .documents
            .iter()
            .map(|d| data_cutoff.is_none_or(|cutoff| d.registered_block <= cutoff))
            .collect();
        let n = self.suffix_array.len();
        let origin: Vec<AtomicU32> = (0..n)
            .into_par_iter()
            .map(|_| AtomicU32::new(NONE))
            .collect();

        // Chunks of the suffix array that start at window intervals, so each
        // interval is scanned by one thread.
        let pieces = (rayon::current_num_threads() * 8).max(1);
        let mut starts = vec![0];
        for p in 1..pieces {
            let mut j = (n * p / pieces).max(starts[starts.len() - 1] + 1);
            while j < n && self.shares_window(j, window) {
                j += 1;
            }
            if j >= n {
                break;
            }
            starts.push(j);
        }
        starts.push(n);
        starts.dedup();
        starts.par_windows(2).for_each(|chunk| {
            let (mut a, end) = (chunk[0], chunk[1]);
            while a < end {
                let mut b = a + 1;
                while b < end && self.shares_window(b, window) {
                    b += 1;
                }
                let earliest = self.doc_of_suffix[a..b]
                    .iter()
                    .copied()
                    .filter(|&d| eligible[d as usize])
                    .min()
                    .unwrap_or(NONE);
                for &p in &self.suffix_array[a..b] {
                    origin[p as usize].store(earliest, Ordering::Relaxed);
                }
                a = b;
            }
        });
        WindowOrigins {
            index: self,
            min_span: window,
            data_cutoff,
            origin: origin.into_iter().map(AtomicU32::into_inner).collect(),
        }
    }
}

impl WindowOrigins<'_> {
    /// The minimum span, in tokens.
    pub fn min_span(&self) -> usize {
        self.min_span
    }

    /// The documents of the index, in originality order (what [`Span::document`]
    /// indexes).
    pub fn documents(&self) -> &[crate::DocumentInfo] {
        self.index.documents()
    }

    /// The data cutoff the table admits documents up to (`None`: all).
    pub fn data_cutoff(&self) -> Option<u64> {
        self.data_cutoff
    }

    /// Attributes `output` token by token; returns its token count and the
    /// credited runs (maximal runs of consecutive tokens credited to the same
    /// document), by start.
    ///
    /// The rule: for every window of `min_span` tokens of the output, its
    /// origin is the earliest eligible document containing it; each token goes
    /// to the earliest origin among the windows that cover it; a token that no
    /// window with an origin covers is credited to nobody.
    pub fn attribute(&self, output: &str) -> (usize, Vec<Span>) {
        let ids = self.index.token_ids(output);
        let origins = self.window_origins_of(&ids);
        (
            ids.len(),
            runs(&token_minima(&origins, self.min_span, ids.len())),
        )
    }

    /// The origin of every window of `ids` (`ids.len() + 1 - min_span` of them).
    fn window_origins_of(&self, ids: &[u32]) -> Vec<u32> {
        let m = self.min_span;
        if ids.len() < m {
            return Vec::new();
        }
        let windows = ids.len() + 1 - m;
        let mut origins = vec![NONE; windows];
        let filter = self.index.filter.as_ref().filter(|f| f.k <= m);
        // known[i]: how many tokens from i on are in the vocabulary.
        let mut known = vec![0usize; ids.len() + 1];
        for i in (0..ids.len()).rev() {
            known[i] = if ids[i] == UNKNOWN {
                0
            } else {
                known[i + 1] + 1
            };
        }
        let mut i = 0;
        while i < windows {
            if known[i] < m {
                i += known[i] + 1;
                continue;
            }
            if let Some(filter) = filter {
                if !filter.may_contain(&ids[i..i + filter.k]) {
                    i += 1;
                    continue;
                }
            }
            match self.index.longest_match(&ids[i..]) {
                Some((len, lo, _)) if len >= m => {
                    let at = self.index.suffix_array[lo] as usize;
                    let settled = len + 1 - m;
                    origins[i..i + settled].copy_from_slice(&self.origin[at..at + settled]);
                    i += settled;
                }
                _ => i += 1,
            }
        }
        origins
    }
}

/// Each of `tokens` tokens gets the minimum origin over the windows covering
/// it (window `j` covers tokens `j..j + min_span`): a sliding-window minimum.
pub(crate) fn token_minima(origins: &[u32], min_span: usize, tokens: usize) -> Vec<u32> {
    let mut minima = vec![NONE; tokens];
    // Window indices with increasing origins; the front is the minimum.
    let mut queue: VecDeque<usize> = VecDeque::new();
    let mut next = 0;
    for (t, minimum) in minima.iter_mut().enumerate() {
        // Windows starting at or before t enter.
        while next <= t && next < origins.len() {
            while queue.back().is_some_and(|&b| origins[b] >= origins[next]) {
                queue.pop_back();
            }
            queue.push_back(next);
            next += 1;
        }
        // Windows ending before t leave.
        while queue.front().is_some_and(|&f| f + min_span <= t) {
            queue.pop_front();
        }
        *minimum = queue.front().map_or(NONE, |&f| origins[f]);
    }
    minima
}

/// Maximal runs of equal, credited values.
pub(crate) fn runs(minima: &[u32]) -> Vec<Span> {
    let mut runs: Vec<Span> = Vec::new();
    for (t, &document) in minima.iter().enumerate() {
        if document == NONE {
            continue;
        }
        match runs.last_mut() {
            Some(run) if run.end == t && run.document == document as usize => run.end = t + 1,
            _ => runs.push(Span {
                start: t,
                end: t + 1,
                document: document as usize,
            }),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, B256};

    use super::*;
    use crate::corpus::{CommitOrder, Contribution};

    fn contribution(n: u8, order: u64, registered_block: u64, text: &str) -> Contribution {
        Contribution {
            contribution_id: B256::with_last_byte(n),
            contributor: Address::with_last_byte(n),
            datanet_id: 1,
            order: CommitOrder::new(order, 0, 0),
            registered_block,
            text: text.to_owned(),
        }
    }

    fn span(start: usize, end: usize, document: usize) -> Span {
        Span {
            start,
            end,
            document,
        }
    }

    #[test]
    fn each_token_goes_to_the_earliest_window_covering_it() {
        let docs = [
            contribution(1, 5, 1, "a b c d e f"),
            contribution(2, 1, 1, "x c d e f y"),
            contribution(3, 9, 1, "b c d e f g h"),
        ];
        let index = CorpusIndex::build(&docs).unwrap();
        let origins = index.window_origins(2, None);
        // Windows "c d", "d e", "e f" are in all three (earliest: order 1,
        // document 0); "f g" only in order 9 (document 2). "f" is covered by
        // "e f" too, so only "g" goes to document 2. (v1 gave all five tokens
        // to document 2, the only one holding the whole span.)
        assert_eq!(
            origins.attribute("c d e f g"),
            (5, vec![span(0, 4, 0), span(4, 5, 2)])
        );
        assert_eq!(origins.attribute("q c d e f"), (5, vec![span(1, 5, 0)]));
        // "e f b" would cross from the end of "a b c d e f" into "b c d e f g h".
        assert_eq!(
            index.window_origins(3, None).attribute("e f b c"),
            (4, vec![])
        );
    }

    #[test]
    fn documents_after_the_cutoff_are_never_origins() {
        let docs = [
            contribution(1, 1, 50, "a b c d"),
            contribution(2, 2, 10, "b c d e"),
        ];
        let index = CorpusIndex::build(&docs).unwrap();
        // All admitted: "a b" and "b c", "c d" are in document 0 (order 1).
        assert_eq!(
            index.window_origins(2, None).attribute("a b c d e"),
            (5, vec![span(0, 4, 0), span(4, 5, 1)])
        );
        // Cutoff 49: document 0 (registered at 50) is out; "a b" has no origin.
        assert_eq!(
            index.window_origins(2, Some(49)).attribute("a b c d e"),
            (5, vec![span(1, 5, 1)])
        );
        assert_eq!(
            index.window_origins(2, Some(9)).attribute("a b c d e"),
            (5, vec![])
        );
    }

    #[test]
    fn empty_corpus_matches_nothing() {
        let index = CorpusIndex::build(&[]).unwrap();
        assert_eq!(
            index.window_origins(1, None).attribute("anything at all"),
            (3, vec![])
        );
        let index = CorpusIndex::build(&[contribution(1, 1, 1, "  ")]).unwrap();
        assert_eq!(
            index.window_origins(1, None).attribute("anything at all"),
            (3, vec![])
        );
    }

    #[test]
    fn sliding_minimum_matches_direct_minimum() {
        let mut x: u64 = 11;
        for _ in 0..200 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let tokens = (x >> 33) as usize % 40;
            let min_span = 1 + (x >> 20) as usize % 6;
            let windows = (tokens + 1).saturating_sub(min_span);
            let origins: Vec<u32> = (0..windows)
                .map(|w| {
                    let v = (x >> (w % 50)) as u32 % 7;
                    if v >= 5 {
                        NONE
                    } else {
                        v
                    }
                })
                .collect();
            let direct: Vec<u32> = (0..tokens)
                .map(|t| {
                    (0..windows)
                        .filter(|&w| w <= t && t < w + min_span)
                        .map(|w| origins[w])
                        .min()
                        .unwrap_or(NONE)
                })
                .collect();
            assert_eq!(token_minima(&origins, min_span, tokens), direct);
        }
    }
}
