//! A blocked Bloom filter of the corpus's k-token windows.
//!
//! A `min_span`-token window (`min_span >= k`) can only occur in the corpus if
//! its first k tokens do, so a window whose first k tokens the filter has never
//! seen has no origin.
//! The filter only skips suffix-array searches that would fail; a false
//! positive costs one search, so results are exactly those of the search alone.

use rayon::prelude::*;

/// Bits per inserted window (before rounding the size up to a power of two).
const BITS_PER_WINDOW: usize = 8;
/// Bits set per window, all in one 512-bit block (one cache line).
const PROBES: u32 = 6;
const WORDS_PER_BLOCK: usize = 8;

pub(crate) struct GramFilter {
    /// Window length k.
    pub(crate) k: usize,
    words: Vec<u64>,
    block_mask: usize,
}

impl GramFilter {
    /// Inserts every window of `k` tokens lying inside one of `documents`
    /// (token ranges of `text`).
    pub(crate) fn build(k: usize, text: &[i32], documents: &[(usize, usize)]) -> Self {
        let windows: usize = documents
            .iter()
            .map(|&(s, e)| (e - s + 1).saturating_sub(k))
            .sum();
        let blocks = (windows * BITS_PER_WINDOW / 512).max(1).next_power_of_two();
        let block_mask = blocks - 1;
        // One private bit array per thread, OR-ed together at the end: plain
        // (not atomic) writes let the CPU overlap the cache misses.
        let threads = rayon::current_num_threads().max(1);
        let per_thread = windows.div_ceil(threads).max(1);
        let mut groups: Vec<&[(usize, usize)]> = Vec::with_capacity(threads);
        let (mut from, mut load) = (0, 0);
        for (i, &(s, e)) in documents.iter().enumerate() {
            load += (e - s + 1).saturating_sub(k);
            if load >= per_thread {
                groups.push(&documents[from..=i]);
                (from, load) = (i + 1, 0);
            }
        }
        groups.push(&documents[from..]);
        let words = groups
            .into_par_iter()
            .map(|group| {
                let mut words = vec![0u64; blocks * WORDS_PER_BLOCK];
                for &(s, e) in group {
                    if e - s < k {
                        continue;
                    }
                    let doc = &text[s..e];
                    // Rolling form of `window_hash`: drop the oldest token's
                    // term, shift, add the newest.
                    let top = BASE.wrapping_pow(k as u32 - 1);
                    let mut h = window_hash(doc[..k].iter().map(|&t| t as u32));
                    for i in 0..=doc.len() - k {
                        if i > 0 {
                            let (old, new) = (doc[i - 1] as u32, doc[i + k - 1] as u32);
                            h = h
                                .wrapping_sub(top.wrapping_mul(term(old)))
                                .wrapping_mul(BASE)
                                .wrapping_add(term(new));
                        }
                        let (block, bits) = probes(h, block_mask);
                        for (word, bit) in bits {
                            words[block * WORDS_PER_BLOCK + word] |= bit;
                        }
                    }
                }
                words
            })
            .reduce_with(|mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x |= y);
                a
            })
            .unwrap_or_else(|| vec![0u64; blocks * WORDS_PER_BLOCK]);
        Self {
            k,
            words,
            block_mask,
        }
    }

    /// False only if `window` (exactly `k` token ids) occurs nowhere.
    pub(crate) fn may_contain(&self, window: &[u32]) -> bool {
        let (block, bits) = probes(window_hash(window.iter().copied()), self.block_mask);
        let base = block * WORDS_PER_BLOCK;
        bits.into_iter()
            .all(|(word, bit)| self.words[base + word] & bit != 0)
    }
}

/// Multiplier of the polynomial window hash.
const BASE: u64 = 0x517c_c1b7_2722_0a95;

fn term(token: u32) -> u64 {
    u64::from(token) + 1
}

/// `Σ (t_j + 1) · BASE^(k-1-j)` (mod 2^64): a polynomial hash that rolls in O(1).
fn window_hash(tokens: impl Iterator<Item = u32>) -> u64 {
    tokens.fold(0u64, |h, t| h.wrapping_mul(BASE).wrapping_add(term(t)))
}

/// The block of a window and its `PROBES` (word, bit) pairs in that block.
fn probes(h: u64, block_mask: usize) -> (usize, [(usize, u64); PROBES as usize]) {
    let h = fmix64(h);
    let block = (h as usize) & block_mask;
    let mut bits = h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 10;
    let mut out = [(0, 0); PROBES as usize];
    for probe in &mut out {
        let b = (bits & 511) as usize;
        *probe = (b >> 6, 1u64 << (b & 63));
        bits >>= 9;
    }
    (block, out)
}

/// MurmurHash3's 64-bit finalizer.
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_every_inserted_window_and_rejects_most_others() {
        let text: Vec<i32> = (0..20_000i32).map(|i| i * 7919 % 1000).collect();
        let filter = GramFilter::build(4, &text, &[(0, 10_000), (10_001, 20_000)]);
        for w in text[..10_000].windows(4).chain(text[10_001..].windows(4)) {
            let w: Vec<u32> = w.iter().map(|&t| t as u32).collect();
            assert!(filter.may_contain(&w));
        }
        let false_positives = (0..10_000u32)
            .filter(|&i| filter.may_contain(&[5000 + i, 1, 2, 3]))
            .count();
        assert!(false_positives < 200, "{false_positives}");
    }
}
