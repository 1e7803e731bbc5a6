//! Epochs over planted-span corpora, where the right attribution is known.

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, Address, B256, U256};
use datanet_attribution::{
    compute_epoch, tokenize, AttributionError, AttributionReport, Contribution, CorpusIndex,
    EpochInput, EpochOutcome, EpochParams, Inference, RewardTree,
};

/// SplitMix64: a tiny deterministic generator for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Corpus words look like "kobadu"; filler words like "zyx17": disjoint sets.
fn corpus_word(rng: &mut Rng) -> String {
    const SYLLABLES: [&str; 16] = [
        "ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "ba", "de", "fo", "gu", "ha", "ji", "ve",
        "wo",
    ];
    (0..3).map(|_| SYLLABLES[rng.below(16)]).collect()
}

fn filler_word(rng: &mut Rng) -> String {
    format!("zyx{}", rng.below(500))
}

fn words(rng: &mut Rng, n: usize) -> Vec<String> {
    (0..n).map(|_| corpus_word(rng)).collect()
}

fn id(n: u64) -> B256 {
    keccak256(n.to_be_bytes())
}

fn account(n: u64) -> Address {
    Address::from_slice(&keccak256((n + 1_000_000).to_be_bytes())[12..])
}

fn contribution(n: u64, datanet_id: u64, order: u64, text: String) -> Contribution {
    Contribution {
        contribution_id: id(n),
        contributor: account(n),
        datanet_id,
        order,
        text,
    }
}

fn params() -> EpochParams {
    EpochParams {
        epoch: 3,
        chain_id: 31337,
        pool: Address::with_last_byte(0xaa),
        from_block: 100,
        to_block: 200,
        min_span: 8,
    }
}

fn input(contributions: Vec<Contribution>, inferences: Vec<Inference>) -> EpochInput {
    EpochInput {
        params: params(),
        contributions,
        models: BTreeMap::from([(1, vec![1])]),
        inferences,
        previous: BTreeMap::new(),
    }
}

/// Ten documents of 200 corpus words each, in datanet 1, order = n.
fn corpus(rng: &mut Rng) -> (Vec<Contribution>, Vec<Vec<String>>) {
    let docs: Vec<Vec<String>> = (0..10).map(|_| words(rng, 200)).collect();
    let contributions = docs
        .iter()
        .enumerate()
        .map(|(n, w)| contribution(n as u64, 1, n as u64, w.join(" ")))
        .collect();
    (contributions, docs)
}

/// An output of filler words with planted copies of `(doc, start, len)`;
/// returns the text and the planted token ranges.
fn plant(
    rng: &mut Rng,
    docs: &[Vec<String>],
    plants: &[(usize, usize, usize)],
) -> (String, Vec<(usize, usize, usize)>) {
    let mut out: Vec<String> = Vec::new();
    let mut planted = Vec::new();
    for &(doc, start, len) in plants {
        let filler = 1 + rng.below(6);
        out.extend((0..filler).map(|_| filler_word(rng)));
        planted.push((out.len(), out.len() + len, doc));
        out.extend(docs[doc][start..start + len].iter().cloned());
    }
    out.extend((0..3).map(|_| filler_word(rng)));
    // Vary the surface: capitals and punctuation do not change the tokens.
    let text = out
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i % 5 == 0 {
                w.to_uppercase() + ","
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    (text, planted)
}

fn run(input: &EpochInput) -> EpochOutcome {
    compute_epoch(input).expect("epoch computes")
}

fn check_sums(outcome: &EpochOutcome, previous: &BTreeMap<Address, U256>) {
    let report = &outcome.report;
    let mut allocated = U256::ZERO;
    let mut share = U256::ZERO;
    for inference in &report.inferences {
        let sum = inference
            .credits
            .iter()
            .fold(U256::ZERO, |a, c| a + c.amount);
        share += inference.contributor_share;
        if inference.credits.is_empty() {
            assert_eq!(inference.unallocated, inference.contributor_share);
        } else {
            assert_eq!(
                sum, inference.contributor_share,
                "amounts sum to the share exactly"
            );
            assert!(inference.unallocated.is_zero());
        }
        allocated += sum;
    }
    assert_eq!(report.totals.allocated, allocated);
    assert_eq!(report.totals.contributor_share, share);
    assert_eq!(report.totals.allocated + report.totals.unallocated, share);
    let epoch_sum = report
        .accounts
        .iter()
        .fold(U256::ZERO, |a, r| a + r.epoch_amount);
    assert_eq!(epoch_sum, allocated);
    let previous_total = previous.values().fold(U256::ZERO, |a, &b| a + b);
    let cumulative_total = outcome.cumulative.values().fold(U256::ZERO, |a, &b| a + b);
    assert_eq!(cumulative_total, previous_total + allocated);
    assert_eq!(report.totals.cumulative_allocated, cumulative_total);
    assert_eq!(
        report.rewards_root,
        outcome.tree.as_ref().map(RewardTree::root)
    );
}

#[test]
fn planted_spans_are_credited_to_their_source() {
    let mut rng = Rng(1);
    let (contributions, docs) = corpus(&mut rng);
    let mut inferences = Vec::new();
    let mut truth = Vec::new();
    for k in 0..30u64 {
        let plants: Vec<(usize, usize, usize)> = (0..1 + rng.below(3))
            .map(|_| {
                let len = 8 + rng.below(30);
                (rng.below(docs.len()), rng.below(200 - len), len)
            })
            .collect();
        let (text, planted) = plant(&mut rng, &docs, &plants);
        inferences.push(Inference::new(
            1,
            U256::from(1_000_003 * (k + 1)),
            text,
            100 + k,
            0,
        ));
        truth.push(planted);
    }
    let input = input(contributions, inferences);
    let outcome = run(&input);
    for (inference, planted) in outcome.report.inferences.iter().zip(&truth) {
        let found: Vec<(usize, usize, B256)> = inference
            .spans
            .iter()
            .map(|s| (s.start as usize, s.end as usize, s.contribution_id))
            .collect();
        let expected: Vec<(usize, usize, B256)> = planted
            .iter()
            .map(|&(s, e, doc)| (s, e, id(doc as u64)))
            .collect();
        assert_eq!(found, expected);
        for credit in &inference.credits {
            let &(_, _, doc) = planted
                .iter()
                .find(|&&(_, _, doc)| id(doc as u64) == credit.contribution_id)
                .expect("only planted sources are credited");
            assert_eq!(credit.contributor, account(doc as u64));
            let planted_len: usize = planted
                .iter()
                .filter(|p| p.2 == doc)
                .map(|p| p.1 - p.0)
                .sum();
            assert_eq!(credit.credit as usize, planted_len);
        }
    }
    check_sums(&outcome, &BTreeMap::new());
}

#[test]
fn outputs_without_planted_spans_credit_nobody() {
    let mut rng = Rng(2);
    let (contributions, docs) = corpus(&mut rng);
    let mut inferences = Vec::new();
    for k in 0..10u64 {
        // Filler only, or corpus words shorter than the minimum span.
        let mut text: Vec<String> = (0..50).map(|_| filler_word(&mut rng)).collect();
        if k % 2 == 1 {
            let start = rng.below(150);
            text.splice(20..20, docs[k as usize][start..start + 7].iter().cloned());
        }
        inferences.push(Inference::new(1, U256::from(777), text.join(" "), 150, k));
    }
    let outcome = run(&input(contributions, inferences));
    for inference in &outcome.report.inferences {
        assert!(inference.spans.is_empty() && inference.credits.is_empty());
        assert_eq!(inference.unallocated, U256::from(777));
    }
    assert_eq!(outcome.report.totals.unallocated, U256::from(7770));
    assert!(outcome.report.totals.allocated.is_zero());
    assert!(outcome.cumulative.is_empty() && outcome.tree.is_none());
    assert_eq!(outcome.report.rewards_root, None);
}

#[test]
fn copies_of_existing_data_earn_nothing() {
    let mut rng = Rng(3);
    let original = words(&mut rng, 300);
    let mut near_duplicate = original.clone();
    for i in (0..300).step_by(50) {
        near_duplicate[i] = corpus_word(&mut rng); // a few words changed
    }
    let contributions = vec![
        contribution(1, 1, 10, original.join(" ")),
        contribution(2, 1, 11, original.join(" ")), // exact copy, registered later
        contribution(3, 1, 12, near_duplicate.join(" ")),
    ];
    // Spans of the original text, and spans of the near-duplicate that avoid the changes.
    let outputs = [
        original[0..100].join(" "),
        original[120..290].join(" "),
        near_duplicate[51..99].join(" "),
        near_duplicate[160..199].join(" "),
    ];
    let inferences = outputs
        .iter()
        .enumerate()
        .map(|(k, o)| Inference::new(1, U256::from(1000), o.clone(), 120, k as u64))
        .collect();
    let outcome = run(&input(contributions.clone(), inferences));
    for inference in &outcome.report.inferences {
        assert!(!inference.spans.is_empty());
        for span in &inference.spans {
            assert_eq!(span.contribution_id, id(1), "the original is earliest");
        }
    }
    assert_eq!(outcome.cumulative.len(), 1);
    assert_eq!(outcome.cumulative[&account(1)], U256::from(4000));

    // Order, not position in the input, decides originality.
    let mut reordered = contributions;
    reordered[1].order = 1;
    reordered.reverse();
    let outcome = run(&input(
        reordered,
        vec![Inference::new(1, U256::from(5), outputs[0].clone(), 100, 0)],
    ));
    assert_eq!(outcome.report.inferences[0].spans[0].contribution_id, id(2));
    assert_eq!(outcome.cumulative[&account(2)], U256::from(5));
}

#[test]
fn spans_never_cross_document_boundaries() {
    let mut rng = Rng(4);
    let (contributions, docs) = corpus(&mut rng);
    // The end of each document followed by the start of the next one in order:
    // contiguous in the index's concatenated text, but in no single document.
    let mut inferences = Vec::new();
    for d in 0..docs.len() - 1 {
        let text = [&docs[d][194..], &docs[d + 1][..6]].concat().join(" ");
        inferences.push(Inference::new(1, U256::from(10), text, 100, d as u64));
    }
    let outcome = run(&input(contributions, inferences));
    for inference in &outcome.report.inferences {
        assert!(inference.spans.is_empty(), "{:?}", inference.spans);
    }
}

/// The spans the rule defines, by brute force over token lists.
fn naive_spans(
    docs: &[(u64, Vec<String>)],
    output: &[String],
    min_span: usize,
) -> Vec<(usize, usize, u64)> {
    let occurs = |d: &[String], s: &[String]| d.windows(s.len()).any(|w| w == s);
    let mut spans = Vec::new();
    let mut i = 0;
    while i < output.len() {
        let mut len = 0;
        while i + len < output.len() && docs.iter().any(|(_, d)| occurs(d, &output[i..=i + len])) {
            len += 1;
        }
        if len >= min_span {
            let earliest = docs
                .iter()
                .filter(|(_, d)| occurs(d, &output[i..i + len]))
                .map(|(order, _)| *order)
                .min()
                .unwrap();
            spans.push((i, i + len, earliest));
            i += len;
        } else {
            i += 1;
        }
    }
    spans
}

#[test]
fn index_agrees_with_brute_force() {
    for seed in 0..40 {
        let mut rng = Rng(100 + seed);
        // A tiny alphabet makes many repeated, overlapping matches.
        let alphabet = 2 + rng.below(4);
        let n_docs = 1 + rng.below(8);
        let docs: Vec<(u64, Vec<String>)> = (0..n_docs)
            .map(|d| {
                let len = rng.below(60);
                let order = rng.below(1000) as u64 * 100 + d as u64;
                (
                    order,
                    (0..len)
                        .map(|_| format!("t{}", rng.below(alphabet)))
                        .collect(),
                )
            })
            .collect();
        let contributions: Vec<Contribution> = docs
            .iter()
            .enumerate()
            .map(|(n, (order, w))| contribution(n as u64, 1, *order, w.join(" ")))
            .collect();
        // Without and with a window filter (used when the minimum span is at
        // least the filter's window).
        let filter_span = 1 + rng.below(5);
        let plain = CorpusIndex::build(&contributions).unwrap();
        let mut filtered = CorpusIndex::build(&contributions).unwrap();
        filtered.add_window_filter(filter_span);
        let indexes = [plain, filtered];
        for q in 0..40 {
            let index = &indexes[q % 2];
            let output: Vec<String> = (0..rng.below(80))
                .map(|_| format!("t{}", rng.below(alphabet + 1)))
                .collect();
            let min_span = 1 + rng.below(12);
            let (tokens, spans) = index.find_spans(&output.join(" "), min_span);
            assert_eq!(tokens, output.len());
            let found: Vec<(usize, usize, u64)> = spans
                .iter()
                .map(|s| (s.start, s.end, index.documents()[s.document].order))
                .collect();
            assert_eq!(found, naive_spans(&docs, &output, min_span), "seed {seed}");
        }
    }
}

#[test]
fn only_the_models_datanets_are_searched() {
    let mut rng = Rng(5);
    let a = words(&mut rng, 100);
    let b = words(&mut rng, 100);
    let mut input = input(
        vec![
            contribution(1, 1, 1, a.join(" ")),
            contribution(2, 2, 2, b.join(" ")),
        ],
        vec![
            Inference::new(1, U256::from(9), b[10..40].join(" "), 100, 0), // model 1: datanet 1 only
            Inference::new(2, U256::from(9), b[10..40].join(" "), 100, 1), // model 2: datanets 1 and 2
            Inference::new(3, U256::from(9), a[10..40].join(" "), 100, 2), // model 3: same set as 2
        ],
    );
    input.models = BTreeMap::from([
        (1, vec![1]),
        (2, vec![2, 1]),
        (3, vec![1, 2, 2]),
        (4, vec![9]),
    ]);
    let outcome = run(&input);
    let r = &outcome.report;
    assert!(r.inferences[0].credits.is_empty());
    assert_eq!(r.inferences[1].credits[0].contribution_id, id(2));
    assert_eq!(r.inferences[2].credits[0].contribution_id, id(1));
    let models: Vec<(u64, Vec<u64>, u64)> = r
        .models
        .iter()
        .map(|m| (m.model_id, m.datanet_ids.clone(), m.contributions))
        .collect();
    assert_eq!(
        models,
        [(1, vec![1], 1), (2, vec![1, 2], 2), (3, vec![1, 2], 2)]
    );
}

#[test]
fn credits_are_shared_by_span_length_and_added_to_previous() {
    let mut rng = Rng(6);
    let (contributions, docs) = corpus(&mut rng);
    // 30 tokens from doc 0, 10 from doc 1: the share splits 3:1.
    let (text, _) = plant(&mut rng, &docs, &[(0, 0, 30), (1, 50, 10)]);
    let mut input = input(
        contributions,
        vec![Inference::new(1, U256::from(1001), text, 100, 0)],
    );
    input.previous = BTreeMap::from([
        (account(0), U256::from(5)),
        (Address::with_last_byte(7), U256::from(70)),
    ]);
    let outcome = run(&input);
    let credits = &outcome.report.inferences[0].credits;
    assert_eq!(credits.len(), 2);
    assert_eq!(
        (credits[0].credit, credits[0].amount),
        (30, U256::from(751))
    );
    assert_eq!(
        (credits[1].credit, credits[1].amount),
        (10, U256::from(250))
    );
    assert_eq!(outcome.cumulative[&account(0)], U256::from(756));
    assert_eq!(outcome.cumulative[&account(1)], U256::from(250));
    assert_eq!(
        outcome.cumulative[&Address::with_last_byte(7)],
        U256::from(70)
    );
    check_sums(&outcome, &input.previous);
    let tree = outcome.tree.as_ref().unwrap();
    assert_eq!(tree.amount_of(account(0)), Some(U256::from(756)));
    let proof = tree.get_proof_for(account(0)).unwrap();
    assert!(RewardTree::verify(
        tree.root(),
        account(0),
        U256::from(756),
        &proof
    ));
}

fn sample_input(seed: u64) -> EpochInput {
    let mut rng = Rng(seed);
    let (contributions, docs) = corpus(&mut rng);
    let inferences = (0..20u64)
        .map(|k| {
            let plants = [(rng.below(10), rng.below(100), 8 + rng.below(50))];
            let (text, _) = plant(&mut rng, &docs, &plants);
            Inference::new(
                1,
                U256::from(10u64.pow(18)) + U256::from(k),
                text,
                100 + k / 3,
                k,
            )
        })
        .collect();
    let mut input = input(contributions, inferences);
    input.previous = (0..50)
        .map(|i| (Address::with_last_byte(i), U256::from(i as u64 * 3 + 1)))
        .collect();
    input
}

#[test]
fn runs_are_byte_identical_whatever_the_input_order() {
    let input = sample_input(7);
    let a = run(&input);
    let b = run(&input);
    let mut shuffled = input.clone();
    shuffled.contributions.reverse();
    shuffled.inferences.reverse();
    shuffled.inferences.swap(0, 7);
    let c = run(&shuffled);
    for other in [&b, &c] {
        assert_eq!(
            a.report.to_canonical_json(),
            other.report.to_canonical_json()
        );
        assert_eq!(a.report.report_hash(), other.report.report_hash());
        let (ta, to) = (a.tree.as_ref().unwrap(), other.tree.as_ref().unwrap());
        assert_eq!(ta.root(), to.root());
        assert_eq!(ta.to_json(), to.to_json());
    }
    check_sums(&a, &input.previous);
}

#[test]
fn report_round_trips_canonically() {
    let outcome = run(&sample_input(8));
    let bytes = outcome.report.to_canonical_json();
    assert_eq!(outcome.report.report_hash(), keccak256(&bytes));
    let back = AttributionReport::from_canonical_json(&bytes).unwrap();
    assert_eq!(back, outcome.report);
    assert_eq!(back.to_canonical_json(), bytes);

    // Shape: camelCase fields, decimal amounts, lowercase hex.
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(json["format"], "datanet-attribution-v1");
    assert_eq!(json["parameters"]["minSpan"], 8);
    assert_eq!(
        json["parameters"]["pool"],
        format!("{:#x}", Address::with_last_byte(0xaa))
    );
    let first = &json["inferences"][0];
    assert_eq!(first["contributorShare"], "1000000000000000000");
    assert!(first["spans"][0]["contributionId"]
        .as_str()
        .unwrap()
        .starts_with("0x"));
    let text = String::from_utf8(bytes.clone()).unwrap();
    let upper_hex = text.split("\"0x").skip(1).any(|rest| {
        rest.split('"')
            .next()
            .unwrap()
            .bytes()
            .any(|b| b.is_ascii_uppercase())
    });
    assert!(!upper_hex, "hex strings are lowercase");

    // A re-indented report reads back, but is not canonical.
    let compact = serde_json::to_vec(&json).unwrap();
    assert_eq!(
        AttributionReport::from_json(&compact).unwrap(),
        outcome.report
    );
    assert!(AttributionReport::from_canonical_json(&compact).is_err());
    let mut leading_zero = json.clone();
    leading_zero["totals"]["allocated"] = "0123".into();
    assert!(AttributionReport::from_json(&serde_json::to_vec(&leading_zero).unwrap()).is_err());
}

#[test]
fn tampered_output_is_refused() {
    let mut input = sample_input(9);
    input.inferences[4]
        .output
        .push_str(" and one more sentence");
    let expected_id = input.inferences[4].inference_id;
    match compute_epoch(&input) {
        Err(AttributionError::InferenceIdMismatch {
            inference_id,
            computed,
        }) => {
            assert_eq!(inference_id, expected_id);
            assert_eq!(computed, keccak256(input.inferences[4].output.as_bytes()));
        }
        other => panic!("expected InferenceIdMismatch, got {other:?}"),
    }
}

#[test]
fn invalid_inputs_are_refused_with_typed_errors() {
    let base = sample_input(10);

    let mut input = base.clone();
    input.inferences[0].model_id = 42;
    assert!(matches!(
        compute_epoch(&input),
        Err(AttributionError::UnknownModel { model_id: 42, .. })
    ));

    let mut input = base.clone();
    input.inferences[1].log_index = input.inferences[0].log_index;
    input.inferences[1].block_number = input.inferences[0].block_number;
    assert!(matches!(
        compute_epoch(&input),
        Err(AttributionError::DuplicatePayment { .. })
    ));

    let mut input = base.clone();
    input.inferences[0].block_number = 99;
    assert!(matches!(
        compute_epoch(&input),
        Err(AttributionError::PaymentOutsideEpoch {
            block_number: 99,
            ..
        })
    ));

    let mut input = base.clone();
    input.params.min_span = 0;
    assert!(matches!(
        compute_epoch(&input),
        Err(AttributionError::InvalidMinSpan(0))
    ));

    let mut input = base.clone();
    let duplicate = input.contributions[0].clone();
    input.contributions.push(duplicate);
    assert!(matches!(
        compute_epoch(&input),
        Err(AttributionError::DuplicateContribution(_))
    ));

    let content = b"some contributed text";
    assert!(
        Contribution::from_content(id(1), account(1), 1, 1, keccak256(content), content).is_ok()
    );
    assert!(matches!(
        Contribution::from_content(id(1), account(1), 1, 1, keccak256(b"other"), content),
        Err(AttributionError::ContentHashMismatch { .. })
    ));
}

#[test]
fn tokens_are_counted_like_the_tokenizer() {
    let input = sample_input(11);
    let outcome = run(&input);
    let mut sorted = input.inferences.clone();
    sorted.sort_by_key(|i| (i.block_number, i.log_index));
    for (inference, report) in sorted.iter().zip(&outcome.report.inferences) {
        assert_eq!(report.inference_id, inference.inference_id);
        assert_eq!(report.tokens as usize, tokenize(&inference.output).len());
    }
}
