// Paged event scans that work with RPC providers capping eth_getLogs ranges.

import { getBlockNumber, getLogs } from 'viem/actions';

/**
 * All logs of `event` at `address` from `fromBlock` to the latest block, in (block, log index)
 * order, fetched in chunks: a refused range is split until it passes (public RPCs cap ranges at
 * 1,000–10,000 blocks or by result count); while no range was refused, ranges grow.
 */
export async function scanEvents(client, { address, abi, eventName, args, fromBlock, toBlock, chunk = 10_000n }) {
  const event = abi.find((item) => item.type === 'event' && item.name === eventName);
  if (!event) return [];
  const last = toBlock ?? (await getBlockNumber(client));
  const logs = [];
  let from = BigInt(fromBlock ?? 0);
  let size = BigInt(chunk);
  let refused = false;
  while (from <= last) {
    const to = from + size - 1n < last ? from + size - 1n : last;
    try {
      logs.push(...(await getLogs(client, { address, event, args, fromBlock: from, toBlock: to, strict: true })));
      from = to + 1n;
      if (!refused && size < 1_000_000n) size *= 2n;
    } catch (e) {
      if (size === 1n) throw e;
      refused = true;
      size = size / 2n > 0n ? size / 2n : 1n;
    }
  }
  return logs;
}
