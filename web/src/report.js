// Epoch reports: fetched from their URI, checked against the on-chain reportHash, read
// defensively (only the fields the page uses, in the shapes v1 and v2 reports give them).

import { getAddress, keccak256 } from 'viem';

/** The URL a browser fetches for `uri`, or throws with the reason it cannot. */
export function resolveUri(uri, gateway) {
  const text = String(uri ?? '').trim();
  if (/^https?:\/\//i.test(text)) return text;
  if (/^ipfs:\/\//i.test(text)) {
    if (!gateway) throw new Error(`no IPFS gateway is configured to read ${text}`);
    const base = gateway.replace(/\/+$/, '');
    const rest = text.replace(/^ipfs:\/\/(ipfs\/)?/i, '');
    return /\/ipfs$/i.test(base) ? `${base}/${rest}` : `${base}/ipfs/${rest}`;
  }
  if (/^file:\/\//i.test(text)) {
    throw new Error(`${text} is a file on the attestor's machine; a browser cannot read it`);
  }
  throw new Error(`unsupported URI ${JSON.stringify(text)} (expected https://, http:// or ipfs://)`);
}

/** A link target for display, or null when the URI has no browsable form. */
export function linkFor(uri, gateway) {
  try {
    return resolveUri(uri, gateway);
  } catch {
    return null;
  }
}

/** Fetches a report: { bytes, hash } (hash = keccak256 of the exact bytes served). */
export async function fetchReport(uri, gateway, fetchImpl = fetch) {
  const url = resolveUri(uri, gateway);
  const response = await fetchImpl(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { url, bytes, hash: keccak256(bytes) };
}

function amount(value, what) {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^(0|[1-9][0-9]*|0x[0-9a-fA-F]+)$/.test(value)) return BigInt(value);
  throw new Error(`${what} is not an amount: ${JSON.stringify(value)}`);
}

function count(value) {
  if (value === undefined || value === null) return 0n;
  return amount(value, 'a credit');
}

function address(value, what) {
  try {
    return getAddress(String(value));
  } catch {
    throw new Error(`${what} is not an address: ${JSON.stringify(value)}`);
  }
}

/**
 * Reads the fields the page uses from a report's JSON text:
 * - epoch (parameters.epoch), format, rewardsRoot (the report's own claim, informative only);
 * - cumulative: Map account → cumulative amount of every account the report lists
 *   (`accounts[].cumulativeAmount`; v1 lists the accounts paid in this epoch, a complete report
 *   lists all — the caller merges epochs, so both work);
 * - earned: Map account → amount earned in this epoch (`epochAmount`);
 * - credits: per (contribution, contributor) credited tokens and amount, from a top-level
 *   `contributions` list when the report has one, else summed over `inferences[].credits`.
 */
export function parseReport(text) {
  let json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`the report is not JSON (${e.message})`);
  }
  if (!json || typeof json !== 'object') throw new Error('the report is not a JSON object');
  const epochValue = json.parameters?.epoch ?? json.epoch;
  const report = {
    format: typeof json.format === 'string' ? json.format : 'unknown',
    epoch: epochValue === undefined ? undefined : Number(epochValue),
    rewardsRoot: typeof json.rewardsRoot === 'string' ? json.rewardsRoot : null,
    cumulative: new Map(),
    earned: new Map(),
    credits: new Map(),
  };
  const accounts = Array.isArray(json.accounts) ? json.accounts : Array.isArray(json.rewards) ? json.rewards : [];
  for (const [i, entry] of accounts.entries()) {
    const who = address(entry.account, `accounts[${i}].account`);
    report.cumulative.set(who, amount(entry.cumulativeAmount ?? entry.cumulative, `accounts[${i}].cumulativeAmount`));
    if (entry.epochAmount !== undefined) report.earned.set(who, amount(entry.epochAmount, `accounts[${i}].epochAmount`));
  }
  const add = (entry, where) => {
    const id = String(entry.contributionId ?? entry.contribution ?? '').toLowerCase();
    if (!/^0x[0-9a-f]{64}$/.test(id)) throw new Error(`${where}.contributionId is not a contribution id`);
    const contributor = address(entry.contributor, `${where}.contributor`);
    const key = `${id}:${contributor}`;
    const sum = report.credits.get(key) ?? { contributionId: id, contributor, credit: 0n, amount: 0n, inferences: 0 };
    sum.credit += count(entry.credit ?? entry.credits ?? entry.tokens);
    sum.amount += amount(entry.amount ?? 0, `${where}.amount`);
    sum.inferences += Number(entry.inferences ?? 1);
    report.credits.set(key, sum);
  };
  if (Array.isArray(json.contributions)) {
    json.contributions.forEach((c, i) => add(c, `contributions[${i}]`));
  } else if (Array.isArray(json.inferences)) {
    json.inferences.forEach((inference, i) =>
      (Array.isArray(inference.credits) ? inference.credits : []).forEach((c, j) =>
        add(c, `inferences[${i}].credits[${j}]`),
      ),
    );
  }
  // Earnings per account when the report leaves epochAmount out: its credits' amounts.
  if (report.earned.size === 0) {
    for (const c of report.credits.values()) {
      report.earned.set(c.contributor, (report.earned.get(c.contributor) ?? 0n) + c.amount);
    }
  }
  return report;
}
