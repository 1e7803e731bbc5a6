//! Data cutoffs: a model is attributed only against contributions registered
//! at or before the cutoff in force when each output was paid.

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, Address, B256, U256};
use datanet_attribution::{
    compute_epoch, CommitOrder, Contribution, DataCutoff, EpochInput, EpochOutcome, EpochParams,
    Inference, Model,
};

fn id(n: u64) -> B256 {
    keccak256(n.to_be_bytes())
}

fn account(n: u64) -> Address {
    Address::from_slice(&keccak256((n + 1_000_000).to_be_bytes())[12..])
}

fn words(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

/// Contribution `n`, committed at `commit_block`, revealed (registered) at
/// `registered_block`.
fn contribution(n: u64, commit_block: u64, registered_block: u64, text: String) -> Contribution {
    Contribution {
        contribution_id: id(n),
        contributor: account(n),
        datanet_id: 1,
        order: CommitOrder::new(commit_block, 0, 0),
        registered_block,
        text,
    }
}

fn cutoffs(history: &[(u64, u64)]) -> Model {
    Model {
        datanet_ids: vec![1],
        cutoffs: history
            .iter()
            .map(|&(set_at_block, cutoff_block)| DataCutoff {
                set_at_block,
                cutoff_block,
            })
            .collect(),
    }
}

fn epoch(
    number: u64,
    blocks: (u64, u64),
    contributions: &[Contribution],
    model: Model,
    payments: &[(u64, &str)],
    previous: &BTreeMap<Address, U256>,
) -> EpochOutcome {
    let input = EpochInput {
        params: EpochParams {
            epoch: number,
            from_block: blocks.0,
            to_block: blocks.1,
            ..EpochParams::default()
        },
        contributions: contributions.to_vec(),
        models: BTreeMap::from([(1, model)]),
        inferences: payments
            .iter()
            .enumerate()
            .map(|(k, &(block, text))| Inference::new(1, U256::from(1000), text, block, k as u64))
            .collect(),
        previous: previous.clone(),
    };
    compute_epoch(&input).expect("epoch computes")
}

fn credited(outcome: &EpochOutcome, k: usize) -> Vec<(B256, u64)> {
    outcome.report.inferences[k]
        .credits
        .iter()
        .map(|c| (c.contribution_id, c.credit))
        .collect()
}

#[test]
fn a_contribution_registered_after_the_cutoff_earns_nothing_even_as_the_only_match() {
    let (alice, carol) = (words("alice", 40), words("carol", 40));
    let contributions = [
        contribution(1, 10, 12, alice.join(" ")),
        // Carol's text is the only match, but she revealed at block 60, after
        // the model was registered (cutoff 50).
        contribution(2, 55, 60, carol.join(" ")),
    ];
    let output = carol[5..30].join(" ");
    let outcome = epoch(
        1,
        (51, 100),
        &contributions,
        Model::new(vec![1], 50, 50),
        &[(70, &output)],
        &BTreeMap::new(),
    );
    let inference = &outcome.report.inferences[0];
    assert_eq!(inference.data_cutoff, 50);
    assert!(inference.spans.is_empty() && inference.credits.is_empty());
    assert_eq!(inference.unallocated, U256::from(1000));
    assert!(outcome.cumulative.is_empty());
    // The report says which corpus the model was held to.
    let corpus = &outcome.report.models[0].cutoffs;
    assert_eq!(
        (
            corpus[0].set_at_block,
            corpus[0].cutoff_block,
            corpus[0].contributions,
            corpus[0].tokens
        ),
        (50, 50, 1, 40)
    );
    // Registered exactly at the cutoff block counts.
    let mut at_cutoff = contributions.clone();
    at_cutoff[1].registered_block = 50;
    let outcome = epoch(
        1,
        (51, 100),
        &at_cutoff,
        Model::new(vec![1], 50, 50),
        &[(70, &output)],
        &BTreeMap::new(),
    );
    assert_eq!(credited(&outcome, 0), [(id(2), 25)]);
}

#[test]
fn moving_the_cutoff_forward_admits_data_for_later_payments_only() {
    let (alice, carol) = (words("alice", 40), words("carol", 40));
    let contributions = [
        contribution(1, 10, 12, alice.join(" ")),
        contribution(2, 55, 60, carol.join(" ")),
    ];
    let output = [&alice[0..10], &carol[0..20]].concat().join(" ");
    // Registered at 50; at block 80 the owner moves the cutoff to 75.
    let model = cutoffs(&[(80, 75), (50, 50)]);
    let outcome = epoch(
        1,
        (51, 100),
        &contributions,
        model,
        &[(79, &output), (80, &output), (95, &output)],
        &BTreeMap::new(),
    );
    let cutoffs: Vec<u64> = outcome
        .report
        .inferences
        .iter()
        .map(|i| i.data_cutoff)
        .collect();
    assert_eq!(cutoffs, [50, 75, 75]);
    assert_eq!(credited(&outcome, 0), [(id(1), 10)]);
    assert_eq!(
        outcome.report.inferences[0].credits[0].amount,
        U256::from(1000)
    );
    assert_eq!(credited(&outcome, 1), [(id(1), 10), (id(2), 20)]);
    assert_eq!(credited(&outcome, 2), [(id(1), 10), (id(2), 20)]);
    let corpora: Vec<(u64, u64, u64)> = outcome.report.models[0]
        .cutoffs
        .iter()
        .map(|c| (c.set_at_block, c.cutoff_block, c.contributions))
        .collect();
    assert_eq!(corpora, [(50, 50, 1), (80, 75, 2)]);
}

/// Commit order and registration order differ: Bob committed first but
/// revealed after the cutoff. Under the cutoff Alice is the earliest admitted
/// contribution; once the cutoff admits Bob, his earlier commit wins.
#[test]
fn an_earlier_commit_revealed_after_the_cutoff_waits_for_the_cutoff() {
    let text = words("shared", 30).join(" ");
    let contributions = [
        contribution(1, 20, 30, text.clone()), // Alice: commit 20, reveal 30
        contribution(2, 10, 60, text.clone()), // Bob: commit 10, reveal 60
    ];
    let model = cutoffs(&[(50, 50), (70, 65)]);
    let outcome = epoch(
        1,
        (51, 100),
        &contributions,
        model,
        &[(55, &text), (75, &text)],
        &BTreeMap::new(),
    );
    assert_eq!(credited(&outcome, 0), [(id(1), 30)]);
    assert_eq!(credited(&outcome, 1), [(id(2), 30)]);
}

/// Laundering: after the model is registered, an outsider contributes the
/// model's published outputs as "data". When the same outputs are paid again,
/// the outsider earns nothing and the original contributor keeps its share.
#[test]
fn laundered_outputs_earn_nothing_and_the_original_keeps_its_share() {
    let alice = words("alice", 200);
    let contributions_before = vec![contribution(1, 10, 12, alice.join(" "))];
    // Outputs reuse Alice's text and add the model's own words.
    let outputs: Vec<String> = (0..3)
        .map(|k| {
            let own = words(&format!("model{k}x"), 12);
            [&own[..6], &alice[k * 50..k * 50 + 30], &own[6..]]
                .concat()
                .join(" ")
        })
        .collect();
    let payments =
        |block: u64| -> Vec<(u64, &str)> { outputs.iter().map(|o| (block, o.as_str())).collect() };
    let model = || Model::new(vec![1], 50, 50);

    // Epoch 1: blocks 51..=70.
    let first = epoch(
        1,
        (51, 70),
        &contributions_before,
        model(),
        &payments(60),
        &BTreeMap::new(),
    );
    assert_eq!(first.cumulative[&account(1)], U256::from(3000));

    // The outsider (Mallory) commits at 72 and reveals at 74 the published
    // outputs, one per contribution, and a silent curator lets them through.
    let mut contributions_after = contributions_before.clone();
    for (k, o) in outputs.iter().enumerate() {
        contributions_after.push(Contribution {
            order: CommitOrder::new(72, 0, k as u64),
            contributor: account(99),
            ..contribution(100 + k as u64, 72, 74, o.clone())
        });
    }
    // Epoch 2: the same popular answers are paid again.
    let second = epoch(
        2,
        (71, 90),
        &contributions_after,
        model(),
        &payments(80),
        &first.cumulative,
    );
    for (k, inference) in second.report.inferences.iter().enumerate() {
        assert_eq!(credited(&second, k), [(id(1), 30)], "output {k}");
        assert_eq!(inference.credits[0].amount, U256::from(1000));
    }
    assert!(!second.cumulative.contains_key(&account(99)));
    assert_eq!(second.cumulative[&account(1)], U256::from(6000));
    assert_eq!(second.report.models[0].cutoffs[0].contributions, 1);

    // Had the owner moved the cutoff past Mallory's reveal (a model served
    // with retrieval says so on chain), she would earn the model's own words,
    // which no earlier contribution holds, and Alice would still keep every
    // token of her text.
    let retrieval = epoch(
        2,
        (71, 90),
        &contributions_after,
        cutoffs(&[(50, 50), (75, 75)]),
        &payments(80),
        &first.cumulative,
    );
    for (k, inference) in retrieval.report.inferences.iter().enumerate() {
        let credits = credited(&retrieval, k);
        assert_eq!(
            credits,
            [(id(1), 30), (id(100 + k as u64), 12)],
            "output {k}"
        );
        assert_eq!(inference.data_cutoff, 75);
    }
}
