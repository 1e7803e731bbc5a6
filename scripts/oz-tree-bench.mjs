#!/usr/bin/env node
// Builds and dumps the benchmark reward tree with @openzeppelin/merkle-tree, to
// compare with `cargo run --release -p datanet-attribution --example bench -- --json`.
//
//   node scripts/oz-tree-bench.mjs [--accounts N]   (default 1000000)
//
// Values (same generator as the Rust bench): for i in 0..N,
//   account_i = (i + 1) * 0x9e3779b97f4a7c15f39cc0605cedc8341082276b mod 2^160,
//   amount_i  = i + 1.
// Prints {"accounts", "buildSeconds", "dumpSeconds", "seconds", "dumpBytes", "dumpKeccak", "root"}
// (dumpKeccak = keccak256 of the dump's UTF-8 bytes, computed after the timing).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let StandardMerkleTree, keccak256;
try {
  ({ StandardMerkleTree } = require('@openzeppelin/merkle-tree'));
  // The library's own keccak (ethereum-cryptography is its dependency).
  ({ keccak256 } = require(require.resolve('ethereum-cryptography/keccak', {
    paths: [require.resolve('@openzeppelin/merkle-tree')],
  })));
} catch {
  console.error('oz-tree-bench: @openzeppelin/merkle-tree is missing; run `npm ci` at the repository root');
  process.exit(2);
}

const args = process.argv.slice(2);
const at = args.indexOf('--accounts');
const accounts = at >= 0 ? Number(args[at + 1]) : 1_000_000;
if (!Number.isSafeInteger(accounts) || accounts < 1) {
  console.error('oz-tree-bench: --accounts must be a positive integer');
  process.exit(2);
}

const K = 0x9e3779b97f4a7c15f39cc0605cedc8341082276bn;
const MASK = (1n << 160n) - 1n;
const values = new Array(accounts);
for (let i = 0; i < accounts; i++) {
  const account = '0x' + ((BigInt(i + 1) * K) & MASK).toString(16).padStart(40, '0');
  values[i] = [account, String(i + 1)];
}

const t0 = performance.now();
const tree = StandardMerkleTree.of(values, ['address', 'uint256']);
const t1 = performance.now();
const dump = JSON.stringify(tree.dump());
const t2 = performance.now();
console.log(
  JSON.stringify({
    accounts,
    buildSeconds: (t1 - t0) / 1000,
    dumpSeconds: (t2 - t1) / 1000,
    seconds: (t2 - t0) / 1000,
    dumpBytes: dump.length,
    dumpKeccak: '0x' + Buffer.from(keccak256(Buffer.from(dump, 'utf8'))).toString('hex'),
    root: tree.root,
  }),
);
