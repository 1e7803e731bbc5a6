// The page's reward tree against @openzeppelin/merkle-tree: same roots, same proofs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { RewardTree, verifyProof } from '../src/merkle.js';

function accounts(n, seed) {
  const out = [];
  let x = BigInt(seed);
  for (let i = 0; i < n; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) % (1n << 160n);
    out.push([`0x${x.toString(16).padStart(40, '0')}`, (x % 10n ** 24n) + BigInt(i)]);
  }
  return out;
}

test('root of the example in the library README', () => {
  const tree = new RewardTree([
    ['0x1111111111111111111111111111111111111111', 5000000000000000000n],
    ['0x2222222222222222222222222222222222222222', 2500000000000000000n],
  ]);
  assert.equal(tree.root, '0xd4dee0beab2d53f2cc83e567171bd2820e49898130a22622b10ead383e90bd77');
});

for (const n of [1, 2, 3, 4, 5, 7, 8, 13, 64, 100]) {
  test(`root and every proof equal the library's for ${n} accounts`, () => {
    const values = accounts(n, n * 7919);
    const theirs = StandardMerkleTree.of(values.map(([a, v]) => [a, v.toString()]), ['address', 'uint256']);
    const ours = new RewardTree(values);
    assert.equal(ours.root, theirs.root);
    for (const [i, [account, amount]] of values.entries()) {
      assert.deepEqual(ours.proofFor(account), theirs.getProof(i));
      assert.ok(verifyProof(ours.root, account, amount, ours.proofFor(account)));
      assert.ok(!verifyProof(ours.root, account, amount + 1n, ours.proofFor(account)));
    }
  });
}

test('an account may appear only once', () => {
  const a = '0x1111111111111111111111111111111111111111';
  assert.throws(() => new RewardTree([[a, 1n], [a.toUpperCase().replace('0X', '0x'), 2n]]), /twice/);
});
