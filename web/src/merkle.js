// The reward tree: OpenZeppelin's StandardMerkleTree with leaf encoding ["address", "uint256"]
// (account, cumulative amount), byte for byte as @openzeppelin/merkle-tree 1.x builds it:
// leaf = keccak256(keccak256(abi.encode(account, amount))); leaves sorted by hash; the tree is
// an array of 2n − 1 nodes with the i-th sorted leaf at tree[2n − 2 − i]; node i < n − 1 is
// keccak256 of its two children in ascending order; the root is tree[0].
// Written on viem's keccak256 so the page does not bundle the library and its dependencies;
// web/test/merkle.test.mjs checks roots and proofs against the library itself.

import { concat, encodeAbiParameters, getAddress, keccak256 } from 'viem';

const LEAF_TYPES = [{ type: 'address' }, { type: 'uint256' }];

/** keccak256(keccak256(abi.encode(account, amount))) */
export function leafHash(account, amount) {
  return keccak256(keccak256(encodeAbiParameters(LEAF_TYPES, [account, amount])));
}

/** keccak256 of the two nodes concatenated in ascending order. */
export function nodeHash(a, b) {
  return keccak256(a.toLowerCase() <= b.toLowerCase() ? concat([a, b]) : concat([b, a]));
}

/** A reward tree of `entries`: an iterable of [account, cumulativeAmount (bigint)]. */
export class RewardTree {
  constructor(entries) {
    const leaves = [];
    const seen = new Set();
    for (const [account, amount] of entries) {
      const key = getAddress(account);
      if (seen.has(key)) throw new Error(`account ${key} appears twice in the reward tree`);
      seen.add(key);
      leaves.push({ account: key, amount: BigInt(amount), hash: leafHash(key, BigInt(amount)) });
    }
    if (leaves.length === 0) throw new Error('a reward tree needs at least one account');
    // Hex strings of equal length compare like the 256-bit numbers they spell.
    leaves.sort((x, y) => (x.hash < y.hash ? -1 : x.hash > y.hash ? 1 : 0));
    const n = leaves.length;
    const tree = new Array(2 * n - 1);
    this.index = new Map();
    leaves.forEach((leaf, i) => {
      tree[2 * n - 2 - i] = leaf.hash;
      this.index.set(leaf.account, { at: 2 * n - 2 - i, amount: leaf.amount });
    });
    for (let i = n - 2; i >= 0; i--) tree[i] = nodeHash(tree[2 * i + 1], tree[2 * i + 2]);
    this.tree = tree;
  }

  get root() {
    return this.tree[0];
  }

  /** The cumulative amount of `account`, or undefined if it has no leaf. */
  amountOf(account) {
    return this.index.get(getAddress(account))?.amount;
  }

  /** Sibling hashes from the account's leaf up to the root. */
  proofFor(account) {
    const entry = this.index.get(getAddress(account));
    if (!entry) throw new Error(`account ${account} has no leaf in the reward tree`);
    const proof = [];
    for (let i = entry.at; i > 0; i = Math.floor((i - 1) / 2)) {
      proof.push(this.tree[i % 2 === 1 ? i + 1 : i - 1]);
    }
    return proof;
  }
}

/** Whether `proof` proves (account, amount) under `root`, as OpenZeppelin's MerkleProof does. */
export function verifyProof(root, account, amount, proof) {
  let node = leafHash(getAddress(account), BigInt(amount));
  for (const sibling of proof) node = nodeHash(node, sibling);
  return node.toLowerCase() === root.toLowerCase();
}
