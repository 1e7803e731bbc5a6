// Epoch verification from report bytes and chain records: verified, hash and root mismatches,
// reports that list only the epoch's accounts (merged with earlier epochs) or everyone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keccak256, toBytes } from 'viem';
import { accountView, verifyEpochs } from '../src/epochs.js';
import { RewardTree } from '../src/merkle.js';
import { parseReport, resolveUri } from '../src/report.js';

const A = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const B = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const C = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';
const ID1 = `0x${'11'.repeat(32)}`;
const ID2 = `0x${'22'.repeat(32)}`;

function report(epoch, accounts, credits) {
  return JSON.stringify({
    format: 'datanet-attribution-v1',
    parameters: { epoch },
    inferences: [{ credits: credits.map(([id, who, credit, amount]) => ({ contributionId: id, contributor: who, credit, amount: String(amount) })) }],
    accounts: accounts.map(([account, epochAmount, cumulativeAmount]) => ({ account, epochAmount: String(epochAmount), cumulativeAmount: String(cumulativeAmount) })),
  });
}

function publish(epoch, text, root) {
  const bytes = toBytes(text);
  return {
    record: { epoch, rewardsRoot: root, reportHash: keccak256(bytes), reportURI: `ipfs://epochs/${epoch}/report.json` },
    fetched: [epoch, { bytes, hash: keccak256(bytes), url: 'x' }],
  };
}

// Epoch 1: A 10, B 5. Epoch 2 pays only B (+7): A keeps 10 in the tree but is not in report 2.
const r1 = report(1, [[A, 10, 10], [B, 5, 5]], [[ID1, A, 30, 10], [ID2, B, 15, 5]]);
const r2 = report(2, [[B, 7, 12]], [[ID2, B, 20, 7]]);
const root1 = new RewardTree([[A, 10n], [B, 5n]]).root;
const root2 = new RewardTree([[A, 10n], [B, 12n]]).root;

test('epochs verify when report hashes and rebuilt roots match, merging earlier epochs', () => {
  const e1 = publish(1, r1, root1);
  const e2 = publish(2, r2, root2);
  const epochs = verifyEpochs([e1.record, e2.record], new Map([e1.fetched, e2.fetched]));
  assert.deepEqual(epochs.map((e) => e.verdict), ['verified', 'verified']);
  const a = accountView(epochs, A);
  assert.deepEqual(a.perEpoch.map((e) => [e.earned, e.cumulative, e.credited]), [[10n, 10n, 30n], [0n, 10n, 0n]]);
  assert.equal(a.claim.cumulative, 10n);
  assert.ok(a.claim.verified);
  assert.deepEqual(a.claim.proof, new RewardTree([[A, 10n], [B, 12n]]).proofFor(A));
  const b = accountView(epochs, B);
  assert.deepEqual(b.perEpoch.map((e) => e.earned), [5n, 7n]);
  assert.deepEqual(b.perContribution.get(ID2), { credit: 35n, amount: 12n, epochs: [1, 2] });
});

test('a changed byte is a hash mismatch, and the later epoch cannot be verified from a partial report', () => {
  const e1 = publish(1, r1, root1);
  const e2 = publish(2, r2, root2);
  const tampered = { ...e1.fetched[1], bytes: toBytes(r1.replace('"10"', '"11"')) };
  tampered.hash = keccak256(tampered.bytes);
  const epochs = verifyEpochs([e1.record, e2.record], new Map([[1, tampered], e2.fetched]));
  assert.equal(epochs[0].verdict, 'hash-mismatch');
  assert.match(epochs[0].reason, /keccak256/);
  assert.equal(epochs[1].verdict, 'root-mismatch');
  assert.equal(accountView(epochs, A).claim.verified, false);
});

test('a report whose hash is on chain but whose amounts do not give the root is a root mismatch', () => {
  const e1 = publish(1, r1, new RewardTree([[A, 11n], [B, 5n]]).root);
  const [epoch] = verifyEpochs([e1.record], new Map([e1.fetched]));
  assert.equal(epoch.verdict, 'root-mismatch');
  assert.equal(accountView([epoch], A).claim.verified, false);
});

test('a report listing every account verifies even when an earlier report is unreadable', () => {
  const full = report(2, [[A, 0, 10], [B, 7, 12]], []);
  const e1 = publish(1, r1, root1);
  const e2 = publish(2, full, root2);
  const epochs = verifyEpochs([e1.record, e2.record], new Map([[1, { error: 'HTTP 404' }], e2.fetched]));
  assert.deepEqual(epochs.map((e) => e.verdict), ['unreadable', 'verified']);
  assert.equal(accountView(epochs, C).claim.cumulative, 0n);
});

test('per-contribution totals from a top-level contributions list (no inferences needed)', () => {
  const text = JSON.stringify({
    format: 'datanet-attribution-v2',
    parameters: { epoch: 3 },
    contributions: [{ contributionId: ID1, contributor: A, credit: 9, amount: '4' }],
    accounts: [{ account: A, epochAmount: '4', cumulativeAmount: '14' }],
  });
  const r = parseReport(text);
  assert.equal(r.epoch, 3);
  assert.deepEqual([...r.credits.values()].map((c) => [c.credit, c.amount]), [[9n, 4n]]);
  assert.equal(r.cumulative.get(A), 14n);
});

test('malformed reports are refused with the field named', () => {
  assert.throws(() => parseReport('{"accounts":[{"account":"0x12","cumulativeAmount":"1"}]}'), /accounts\[0\]\.account/);
  assert.throws(() => parseReport(`{"accounts":[{"account":"${A}","cumulativeAmount":"-1"}]}`), /cumulativeAmount/);
  assert.throws(() => parseReport('not json'), /not JSON/);
});

test('URIs: ipfs through the gateway, http as is, file:// refused', () => {
  assert.equal(resolveUri('ipfs://bafy/epochs/1/report.json', 'https://gw.example'), 'https://gw.example/ipfs/bafy/epochs/1/report.json');
  assert.equal(resolveUri('ipfs://bafy/r.json', 'https://gw.example/ipfs/'), 'https://gw.example/ipfs/bafy/r.json');
  assert.equal(resolveUri('https://x.example/r.json', null), 'https://x.example/r.json');
  assert.throws(() => resolveUri('ipfs://bafy/r.json', null), /gateway/);
  assert.throws(() => resolveUri('file:///home/a/r.json', 'https://gw'), /browser cannot read/);
  assert.throws(() => resolveUri('javascript:alert(1)', 'https://gw'), /unsupported/);
});
