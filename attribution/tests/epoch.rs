//! Epochs over planted-span corpora, where the right attribution is known.

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, Address, B256, U256};
use datanet_attribution::{
    compute_epoch, tokenize, AttributionError, AttributionReport, CommitOrder, Contribution,
    EpochInput, EpochOutcome, EpochParams, Inference, Model, RewardTree,
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

/// Contribution `n`, committed in block `order`, revealed in block 1.
fn contribution(n: u64, datanet_id: u64, order: u64, text: String) -> Contribution {
    Contribution {
        contribution_id: id(n),
        contributor: account(n),
        datanet_id,
        order: CommitOrder::new(order, 0, 0),
        registered_block: 1,
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
        models: BTreeMap::from([(1, Model::new(vec![1], 90, 90))]),
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
    // The report lists every leaf, carried-over accounts included, so it alone rebuilds the root.
    let listed: BTreeMap<Address, U256> = report
        .accounts
        .iter()
        .map(|r| (r.account, r.cumulative_amount))
        .collect();
    assert_eq!(
        listed, outcome.cumulative,
        "report accounts are the tree's leaves"
    );
    if !listed.is_empty() {
        let rebuilt =
            RewardTree::from_cumulative(&listed).expect("a tree of the report's accounts");
        assert_eq!(report.rewards_root, Some(rebuilt.root()));
    }
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
    reordered[1].order = CommitOrder::new(1, 0, 0);
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
        (1, Model::new(vec![1], 90, 90)),
        (2, Model::new(vec![2, 1], 90, 90)),
        (3, Model::new(vec![1, 2, 2], 90, 90)),
        (4, Model::new(vec![9], 90, 90)),
    ]);
    let outcome = run(&input);
    let r = &outcome.report;
    assert!(r.inferences[0].credits.is_empty());
    assert_eq!(r.inferences[1].credits[0].contribution_id, id(2));
    assert_eq!(r.inferences[2].credits[0].contribution_id, id(1));
    let models: Vec<(u64, Vec<u64>, u64)> = r
        .models
        .iter()
        .map(|m| {
            (
                m.model_id,
                m.datanet_ids.clone(),
                m.cutoffs[0].contributions,
            )
        })
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
    assert_eq!(json["format"], "datanet-attribution-report/v2");
    assert_eq!(json["parameters"]["minSpan"], 8);
    assert_eq!(json["parameters"]["fromBlock"], 100);
    assert_eq!(json["parameters"]["toBlock"], 200);
    assert_eq!(json["models"][0]["cutoffs"][0]["cutoffBlock"], 90);
    assert_eq!(json["models"][0]["cutoffs"][0]["setAtBlock"], 90);
    assert_eq!(json["inferences"][0]["dataCutoff"], 90);
    assert_eq!(json["unpublished"], serde_json::json!([]));
    assert_eq!(json["mismatched"], serde_json::json!([]));
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
fn missing_and_tampered_outputs_are_listed_and_left_unallocated() {
    let base = sample_input(9);
    let mut input = base.clone();
    // Payment 4's output was altered after payment; payment 7's was never
    // published (one wei is enough to try to stall an epoch this way).
    input.inferences[4]
        .output
        .as_mut()
        .unwrap()
        .push_str(" and one more sentence");
    input.inferences[7].output = None;
    input.inferences[7].contributor_share = U256::from(1);
    let outcome = run(&input);
    let report = &outcome.report;

    let listed = |list: &[datanet_attribution::UnattributedInference]| -> Vec<(B256, u64, U256)> {
        list.iter()
            .map(|u| (u.inference_id, u.model_id, u.contributor_share))
            .collect()
    };
    let (tampered, missing) = (&input.inferences[4], &input.inferences[7]);
    assert_eq!(
        listed(&report.mismatched),
        [(tampered.inference_id, 1, tampered.contributor_share)]
    );
    assert_eq!(
        listed(&report.unpublished),
        [(missing.inference_id, 1, U256::from(1))]
    );
    assert_eq!(
        (
            report.mismatched[0].block_number,
            report.mismatched[0].log_index
        ),
        (tampered.block_number, tampered.log_index)
    );
    // Neither is attributed; every other payment is, exactly as without them.
    assert_eq!(report.inferences.len(), input.inferences.len() - 2);
    assert!(
        report
            .inferences
            .iter()
            .all(|i| i.inference_id != tampered.inference_id
                && i.inference_id != missing.inference_id)
    );
    let mut others = base.clone();
    others.inferences.remove(7);
    others.inferences.remove(4);
    let reference = run(&others);
    assert_eq!(report.inferences, reference.report.inferences);
    assert_eq!(report.accounts, reference.report.accounts);
    assert_eq!(report.rewards_root, reference.report.rewards_root);
    // Their shares are counted as paid and left unallocated.
    assert_eq!(
        report.totals.contributor_share,
        reference.report.totals.contributor_share + tampered.contributor_share + U256::from(1)
    );
    assert_eq!(
        report.totals.unallocated,
        reference.report.totals.unallocated + tampered.contributor_share + U256::from(1)
    );
    assert_eq!(report.totals.allocated, reference.report.totals.allocated);
    assert_eq!(
        report.totals.allocated + report.totals.unallocated,
        report.totals.contributor_share
    );
    let back = AttributionReport::from_canonical_json(&report.to_canonical_json()).unwrap();
    assert_eq!(&back, report);

    // An epoch whose every output is missing still computes: nothing allocated.
    let mut all_missing = base.clone();
    for inference in &mut all_missing.inferences {
        inference.output = None;
    }
    let outcome = run(&all_missing);
    assert_eq!(outcome.report.unpublished.len(), base.inferences.len());
    assert!(outcome.report.inferences.is_empty() && outcome.report.models.is_empty());
    assert!(outcome.report.totals.allocated.is_zero());
    assert_eq!(outcome.cumulative, base.previous);
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

    // A payment before any cutoff of its model: the input lacks the model's
    // DataCutoffSet events (registration always emits one).
    let mut input = base.clone();
    input.models.get_mut(&1).unwrap().cutoffs[0].set_at_block = 101;
    assert!(matches!(
        compute_epoch(&input),
        Err(AttributionError::NoDataCutoff {
            model_id: 1,
            block_number: 100,
            ..
        })
    ));

    let content = b"some contributed text";
    let order = CommitOrder::new(3, 1, 0);
    let contribution =
        Contribution::from_content(id(1), account(1), 1, order, 4, keccak256(content), content)
            .unwrap();
    assert_eq!(
        (contribution.order, contribution.registered_block),
        (order, 4)
    );
    assert!(matches!(
        Contribution::from_content(id(1), account(1), 1, order, 4, keccak256(b"other"), content),
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
        let output = inference.output.as_deref().unwrap();
        assert_eq!(report.tokens as usize, tokenize(output).len());
    }
}
