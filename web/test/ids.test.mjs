// A contribution id as the registry computes it (vector from `cast keccak $(cast abi-encode
// "f(uint256,bytes32)" 7 0x11…11)`).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contributionIdOf } from '../src/ids.js';

test('contributionIdOf is keccak256(abi.encode(datanetId, contentHash))', () => {
  const hash = `0x${'11'.repeat(32)}`;
  assert.equal(contributionIdOf(7n, hash), '0x1cb972df85b64850dbe8c661744bd0bef0baa3ef8ecb4f0dcc959ea1e0990bab');
  assert.equal(contributionIdOf(7, hash), contributionIdOf(7n, hash));
  assert.notEqual(contributionIdOf(8n, hash), contributionIdOf(7n, hash));
});
