#!/usr/bin/env node
// Reference reward tree from @openzeppelin/merkle-tree, for cross-checking the
// Rust `RewardTree` (attribution/tests/oz_compat.rs) and for people who trust JS.
//
//   node scripts/oz-merkle.mjs [values.json]        values: [["0xaddr", "amount"], ...]
//                                                    (file, or stdin when omitted)
//     prints {"root", "dump", "dumpPretty", "proofs"}: dump = JSON.stringify(tree.dump()),
//     dumpPretty = JSON.stringify(tree.dump(), null, 2), proofs[i] = tree.getProof(i).
//   node scripts/oz-merkle.mjs --load dump.json      loads (and so validates) a dump,
//     prints {"root", "proofs"}.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let StandardMerkleTree;
try {
  ({ StandardMerkleTree } = require('@openzeppelin/merkle-tree'));
} catch {
  console.error('oz-merkle: @openzeppelin/merkle-tree is missing; run `npm ci` at the repository root');
  process.exit(2);
}

const args = process.argv.slice(2);
const load = args[0] === '--load';
const file = load ? args[1] : args[0];
const input = readFileSync(file ?? 0, 'utf8');

const tree = load
  ? StandardMerkleTree.load(JSON.parse(input))
  : StandardMerkleTree.of(JSON.parse(input), ['address', 'uint256']);
const proofs = Array.from({ length: tree.length }, (_, i) => tree.getProof(i));
const out = load
  ? { root: tree.root, proofs }
  : {
      root: tree.root,
      dump: JSON.stringify(tree.dump()),
      dumpPretty: JSON.stringify(tree.dump(), null, 2),
      proofs,
    };
process.stdout.write(JSON.stringify(out) + '\n');
