// Event scans against an RPC that caps eth_getLogs ranges, as public providers do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient, custom, encodeEventTopics, encodeAbiParameters, pad, toHex } from 'viem';
import { scanEvents } from '../src/scan.js';

const abi = [{ type: 'event', name: 'Ping', inputs: [{ name: 'n', type: 'uint256', indexed: false }] }];
const address = '0x00000000000000000000000000000000000000aa';

function cappedRpc(maxRange, blocksWithLogs, head) {
  const calls = [];
  const request = async ({ method, params }) => {
    if (method === 'eth_blockNumber') return toHex(head);
    if (method !== 'eth_getLogs') throw new Error(`unexpected ${method}`);
    const from = BigInt(params[0].fromBlock);
    const to = BigInt(params[0].toBlock);
    calls.push([from, to]);
    if (to - from + 1n > maxRange) throw Object.assign(new Error(`block range too large (max ${maxRange})`), { code: -32005 });
    return blocksWithLogs
      .filter((b) => b >= from && b <= to)
      .map((b, i) => ({
        address,
        blockNumber: toHex(b),
        blockHash: pad('0x01'),
        transactionHash: pad('0x02'),
        transactionIndex: '0x0',
        logIndex: toHex(i),
        removed: false,
        topics: encodeEventTopics({ abi, eventName: 'Ping' }),
        data: encodeAbiParameters([{ type: 'uint256' }], [b]),
      }));
  };
  return { client: createClient({ transport: custom({ request }, { retryCount: 0 }) }), calls };
}

test('a capped provider still yields every log, in order', async () => {
  const blocks = [5n, 999n, 1000n, 1001n, 25_000n, 49_999n];
  const { client, calls } = cappedRpc(1000n, blocks, 50_000n);
  const logs = await scanEvents(client, { address, abi, eventName: 'Ping', fromBlock: 0n });
  assert.deepEqual(logs.map((l) => l.args.n), blocks);
  assert.ok(calls.length < 200, `${calls.length} requests`);
});

test('an uncapped provider is read in few, growing ranges', async () => {
  const { client, calls } = cappedRpc(10n ** 9n, [3n, 70_000n], 200_000n);
  const logs = await scanEvents(client, { address, abi, eventName: 'Ping', fromBlock: 0n });
  assert.deepEqual(logs.map((l) => l.args.n), [3n, 70_000n]);
  assert.ok(calls.length <= 5, `${calls.length} requests`);
});
