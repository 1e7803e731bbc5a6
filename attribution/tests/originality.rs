//! Originality per token: planted passages that cross from copied into fresh
//! text, and the engine against a brute-force reading of the rule.

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, Address, B256, U256};
use datanet_attribution::{
    compute_epoch, CommitOrder, Contribution, CorpusIndex, DataCutoff, EpochInput, EpochParams,
    Inference, Model,
};
use proptest::prelude::*;

const MIN_SPAN: usize = 8;

fn id(n: u64) -> B256 {
    keccak256(n.to_be_bytes())
}

fn account(n: u64) -> Address {
    Address::from_slice(&keccak256((n + 1_000_000).to_be_bytes())[12..])
}

/// `n` distinct words with a prefix: the corpus's words never collide with
/// the fresh or filler ones.
fn words(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

fn contribution(n: u64, commit_block: u64, tokens: &[String]) -> Contribution {
    Contribution {
        contribution_id: id(n),
        contributor: account(n),
        datanet_id: 1,
        order: CommitOrder::new(commit_block, 0, 0),
        registered_block: commit_block + 1,
        text: tokens.join(" "),
    }
}

/// One model over datanet 1 registered at block 50; payments from block 60.
fn epoch(contributions: Vec<Contribution>, outputs: &[String]) -> EpochInput {
    EpochInput {
        params: EpochParams {
            epoch: 1,
            from_block: 60,
            to_block: 99,
            min_span: MIN_SPAN as u32,
            ..EpochParams::default()
        },
        contributions,
        models: BTreeMap::from([(1, Model::new(vec![1], 50, 50))]),
        inferences: outputs
            .iter()
            .enumerate()
            .map(|(k, o)| Inference::new(1, U256::from(1_000_000), o.clone(), 60, k as u64))
            .collect(),
        previous: BTreeMap::new(),
    }
}

/// Runs of the first inference as (start, end, contribution number).
fn runs(input: &EpochInput, who: &[(u64, &str)]) -> Vec<(u64, u64, String)> {
    let outcome = compute_epoch(input).expect("epoch computes");
    outcome.report.inferences[0]
        .spans
        .iter()
        .map(|s| {
            let name = who
                .iter()
                .find(|(n, _)| id(*n) == s.contribution_id)
                .map_or("?", |(_, name)| *name);
            (s.start, s.end, name.to_owned())
        })
        .collect()
}

fn run(start: usize, end: usize, name: &str) -> (u64, u64, String) {
    (start as u64, end as u64, name.to_owned())
}

/// Alice (committed first) wrote `a`. Bob later copied `copied` tokens of it
/// and went on with words of his own (`fresh`), or wrote his own words first
/// and went on with a copy. An output reuses `reused` tokens of Alice's
/// passage, up to (or from) the point where Bob's own words begin, and runs on
/// into Bob's words.
///
/// Every window of the output inside Alice's passage is in her earlier file,
/// so each of those tokens is hers whenever `reused >= MIN_SPAN`, however many
/// tokens Bob copied; Bob earns exactly his own words. (v1 gave the whole
/// span to Bob whenever the reused part lay inside his copy.)
#[test]
fn crossing_from_copied_into_fresh_text_credits_each_side() {
    let (a, fresh, filler) = (words("alice", 60), words("bob", 30), words("zz", 3));
    for copied in [3, 5, 12, 20] {
        for reused in [copied, 20] {
            // Bob: the last `copied` tokens of a[..30], then his own words.
            let bob = [&a[30 - copied..30], &fresh[..]].concat();
            let output = [&filler[..], &a[30 - reused..30], &fresh[..20], &filler[..]]
                .concat()
                .join(" ");
            let input = epoch(
                vec![contribution(1, 10, &a), contribution(2, 20, &bob)],
                &[output],
            );
            let found = runs(&input, &[(1, "alice"), (2, "bob")]);
            let expected = if reused >= MIN_SPAN {
                vec![
                    run(3, 3 + reused, "alice"),
                    run(3 + reused, 23 + reused, "bob"),
                ]
            } else {
                // Fewer than MIN_SPAN reused tokens hold no window of Alice's:
                // the only windows covering them run into Bob's words.
                vec![run(3, 23 + reused, "bob")]
            };
            assert_eq!(found, expected, "copied {copied}, reused {reused}");
        }
    }
}

#[test]
fn crossing_from_fresh_into_copied_text_credits_each_side() {
    let (a, fresh, filler) = (words("alice", 60), words("bob", 30), words("zz", 3));
    for copied in [3, 5, 12, 20] {
        for reused in [copied, 20] {
            // Bob: his own words, then the first `copied` tokens of a[30..].
            let bob = [&fresh[..], &a[30..30 + copied]].concat();
            let output = [&filler[..], &fresh[10..], &a[30..30 + reused], &filler[..]]
                .concat()
                .join(" ");
            let input = epoch(
                vec![contribution(1, 10, &a), contribution(2, 20, &bob)],
                &[output],
            );
            let found = runs(&input, &[(1, "alice"), (2, "bob")]);
            let expected = if reused >= MIN_SPAN {
                vec![run(3, 23, "bob"), run(23, 23 + reused, "alice")]
            } else {
                vec![run(3, 23 + reused, "bob")]
            };
            assert_eq!(found, expected, "copied {copied}, reused {reused}");
        }
    }
}

/// A copier who registers first (in commit order) is the original: order,
/// not who wrote what off chain, decides.
#[test]
fn the_earlier_commit_is_the_original_whoever_copied() {
    let (a, fresh, filler) = (words("alice", 60), words("bob", 30), words("zz", 3));
    let bob = [&a[18..30], &fresh[..]].concat();
    let output = [&filler[..], &a[18..30], &fresh[..20]].concat().join(" ");
    // Bob committed at block 5, Alice at 10.
    let input = epoch(
        vec![contribution(1, 10, &a), contribution(2, 5, &bob)],
        &[output],
    );
    assert_eq!(
        runs(&input, &[(1, "alice"), (2, "bob")]),
        [run(3, 35, "bob")]
    );
}

/// Credits and amounts follow the runs: the share splits by credited tokens.
#[test]
fn shares_split_by_credited_tokens() {
    let (a, fresh) = (words("alice", 60), words("bob", 30));
    let bob = [&a[20..30], &fresh[..]].concat();
    let output = [&a[20..30], &fresh[..30]].concat().join(" ");
    let input = epoch(
        vec![contribution(1, 10, &a), contribution(2, 20, &bob)],
        &[output],
    );
    let outcome = compute_epoch(&input).unwrap();
    let credits: Vec<(B256, u64, U256)> = outcome.report.inferences[0]
        .credits
        .iter()
        .map(|c| (c.contribution_id, c.credit, c.amount))
        .collect();
    assert_eq!(
        credits,
        [
            (id(1), 10, U256::from(250_000)),
            (id(2), 30, U256::from(750_000))
        ]
    );
}

/* BRUTE FORCE */

/// A small corpus document for the reference: (number, commit order,
/// registered block, tokens).
type Doc = (u64, CommitOrder, u64, Vec<String>);

/// The rule read literally: for every window, the earliest eligible document
/// containing it; each token, the earliest over the windows covering it;
/// then maximal runs. Quadratic and obviously right.
fn reference(docs: &[Doc], cutoff: u64, output: &[String], m: usize) -> Vec<(u64, u64, B256)> {
    let mut eligible: Vec<&Doc> = docs.iter().filter(|d| d.2 <= cutoff).collect();
    eligible.sort_by_key(|d| (d.1, id(d.0)));
    let contains = |doc: &[String], w: &[String]| doc.windows(w.len()).any(|x| x == w);
    let origin: Vec<Option<usize>> = (0..(output.len() + 1).saturating_sub(m))
        .map(|i| {
            eligible
                .iter()
                .position(|d| contains(&d.3, &output[i..i + m]))
        })
        .collect();
    let token: Vec<Option<usize>> = (0..output.len())
        .map(|t| {
            (0..origin.len())
                .filter(|&i| i <= t && t < i + m)
                .filter_map(|i| origin[i])
                .min()
        })
        .collect();
    let mut runs: Vec<(u64, u64, B256)> = Vec::new();
    for (t, d) in token.iter().enumerate() {
        let Some(d) = d else { continue };
        let who = id(eligible[*d].0);
        match runs.last_mut() {
            Some(r) if r.1 == t as u64 && r.2 == who => r.1 += 1,
            _ => runs.push((t as u64, t as u64 + 1, who)),
        }
    }
    runs
}

/// The cutoff in force at `block`, read literally.
fn cutoff_at(history: &[(u64, u64)], block: u64) -> Option<u64> {
    history
        .iter()
        .filter(|(set_at, _)| *set_at <= block)
        .map(|(_, cutoff)| *cutoff)
        .max()
}

fn tokens(symbols: &[u8]) -> Vec<String> {
    symbols.iter().map(|s| format!("t{s}")).collect()
}

fn doc_strategy() -> impl Strategy<Value = ((u64, u64, u64), u64, Vec<u8>)> {
    (
        (0u64..4, 0u64..3, 0u64..3),
        0u64..10,
        prop::collection::vec(0u8..3, 0..40),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// `compute_epoch` gives every inference exactly the reference's runs,
    /// under the cutoff in force at its payment, and splits by their lengths.
    #[test]
    fn engine_matches_the_brute_force_rule(
        raw_docs in prop::collection::vec(doc_strategy(), 1..7),
        history in prop::collection::vec((1u64..12, 0u64..12), 0..3),
        first_cutoff in 0u64..10,
        outputs in prop::collection::vec((0u64..14, prop::collection::vec(0u8..4, 0..30)), 1..5),
        min_span in 1usize..7,
    ) {
        let docs: Vec<Doc> = raw_docs
            .iter()
            .enumerate()
            .map(|(n, ((b, l, i), registered, symbols))| {
                (n as u64, CommitOrder::new(*b, *l, *i), *registered, tokens(symbols))
            })
            .collect();
        // Registration sets the first cutoff at block 0.
        let mut cutoffs = vec![(0, first_cutoff)];
        cutoffs.extend(history.iter().map(|&(set_at, c)| (set_at, c.min(set_at))));
        let model = Model {
            datanet_ids: vec![1],
            cutoffs: cutoffs
                .iter()
                .map(|&(set_at_block, cutoff_block)| DataCutoff { set_at_block, cutoff_block })
                .collect(),
        };
        let input = EpochInput {
            params: EpochParams { epoch: 1, from_block: 0, to_block: 20, min_span: min_span as u32, ..EpochParams::default() },
            contributions: docs
                .iter()
                .map(|(n, order, registered, t)| Contribution {
                    contribution_id: id(*n),
                    contributor: account(*n % 3),
                    datanet_id: 1,
                    order: *order,
                    registered_block: *registered,
                    text: t.join(" "),
                })
                .collect(),
            models: BTreeMap::from([(1, model)]),
            inferences: outputs
                .iter()
                .enumerate()
                .map(|(k, (block, symbols))| {
                    Inference::new(1, U256::from(1000 + k), tokens(symbols).join(" "), *block, k as u64)
                })
                .collect(),
            previous: BTreeMap::new(),
        };
        let outcome = compute_epoch(&input).unwrap();
        prop_assert_eq!(outcome.report.inferences.len(), outputs.len());
        for attribution in &outcome.report.inferences {
            let k = attribution.log_index as usize;
            let (block, symbols) = &outputs[k];
            let cutoff = cutoff_at(&cutoffs, *block).unwrap();
            prop_assert_eq!(attribution.data_cutoff, cutoff);
            let expected = reference(&docs, cutoff, &tokens(symbols), min_span);
            let found: Vec<(u64, u64, B256)> = attribution
                .spans
                .iter()
                .map(|s| (s.start, s.end, s.contribution_id))
                .collect();
            prop_assert_eq!(&found, &expected, "output {} at block {}", k, block);
            // Credits are the runs' lengths per contribution; amounts sum to the share.
            let mut credit: BTreeMap<B256, u64> = BTreeMap::new();
            for (s, e, who) in &expected {
                *credit.entry(*who).or_default() += e - s;
            }
            let reported: BTreeMap<B256, u64> = attribution
                .credits
                .iter()
                .map(|c| (c.contribution_id, c.credit))
                .collect();
            prop_assert_eq!(reported, credit);
            let sum = attribution.credits.iter().fold(U256::ZERO, |a, c| a + c.amount);
            if attribution.credits.is_empty() {
                prop_assert_eq!(attribution.unallocated, attribution.contributor_share);
            } else {
                prop_assert_eq!(sum, attribution.contributor_share);
            }
        }
    }

    /// The index API alone, with and without a window filter, and with no
    /// cutoff: the same runs as the reference.
    #[test]
    fn window_origins_match_the_brute_force_rule(
        raw_docs in prop::collection::vec(doc_strategy(), 0..7),
        output in prop::collection::vec(0u8..4, 0..40),
        min_span in 1usize..7,
        filter in 2usize..7,
        cutoff in prop::option::of(0u64..10),
    ) {
        let docs: Vec<Doc> = raw_docs
            .iter()
            .enumerate()
            .map(|(n, ((b, l, i), registered, symbols))| {
                (n as u64, CommitOrder::new(*b, *l, *i), *registered, tokens(symbols))
            })
            .collect();
        let contributions: Vec<Contribution> = docs
            .iter()
            .map(|(n, order, registered, t)| Contribution {
                contribution_id: id(*n),
                contributor: account(*n),
                datanet_id: 1,
                order: *order,
                registered_block: *registered,
                text: t.join(" "),
            })
            .collect();
        let output = tokens(&output);
        let expected = reference(&docs, cutoff.unwrap_or(u64::MAX), &output, min_span);
        let plain = CorpusIndex::build(&contributions).unwrap();
        let mut filtered = CorpusIndex::build(&contributions).unwrap();
        filtered.add_window_filter(filter);
        for index in [&plain, &filtered] {
            let origins = index.window_origins(min_span, cutoff);
            let (count, runs) = origins.attribute(&output.join(" "));
            prop_assert_eq!(count, output.len());
            let found: Vec<(u64, u64, B256)> = runs
                .iter()
                .map(|r| (r.start as u64, r.end as u64, origins.documents()[r.document].contribution_id))
                .collect();
            prop_assert_eq!(&found, &expected);
        }
    }
}
