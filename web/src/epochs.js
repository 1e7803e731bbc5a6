// Verifies accepted epochs against their reports and computes what an account earned and can
// claim. Pure: chain records and fetched report bytes in, per-epoch verdicts and figures out.
//
// Each epoch's tree holds every account's cumulative amount. A report lists (at least) the
// accounts paid in its epoch, so the cumulative amounts of epoch N are those of epoch N − 1
// updated with report N; the rebuilt root must equal the accepted root. A report that lists
// everyone verifies on its own even when an earlier report cannot be read.

import { getAddress } from 'viem';
import { RewardTree } from './merkle.js';
import { parseReport } from './report.js';

const decoder = new TextDecoder();

/**
 * @param records accepted epochs, ascending: { epoch, rewardsRoot, reportHash, reportURI }
 * @param fetched Map epoch → { bytes, hash, url } or { error }
 * @returns epochs with { verdict: 'verified' | 'hash-mismatch' | 'root-mismatch' | 'unreadable'
 *          | 'malformed', reason, report, tree }
 */
export function verifyEpochs(records, fetched) {
  let previous = new Map(); // cumulative amounts after the last epoch that verified
  let chainIntact = true; // whether `previous` is the complete state of the last epoch
  return records.map((record) => {
    const out = { ...record, verdict: 'unreadable', reason: '', report: null, tree: null };
    const got = fetched.get(record.epoch);
    if (!record.reportURI) {
      out.reason = 'no EpochProposed event names this epoch’s report';
    } else if (!got || got.error) {
      out.reason = `report not readable: ${got?.error ?? 'not fetched'}`;
    } else if (got.hash.toLowerCase() !== record.reportHash.toLowerCase()) {
      out.verdict = 'hash-mismatch';
      out.reason = `keccak256 of the report is ${got.hash}, the chain says ${record.reportHash}`;
    } else {
      try {
        out.report = parseReport(decoder.decode(got.bytes));
      } catch (e) {
        out.verdict = 'malformed';
        out.reason = e.message;
      }
    }
    if (!out.report) {
      chainIntact = false;
      return out;
    }
    const candidates = [];
    if (chainIntact) candidates.push(new Map([...previous, ...out.report.cumulative]));
    candidates.push(new Map(out.report.cumulative));
    for (const cumulative of candidates) {
      if (cumulative.size === 0) continue;
      const tree = new RewardTree(cumulative);
      if (tree.root.toLowerCase() === record.rewardsRoot.toLowerCase()) {
        out.verdict = 'verified';
        out.tree = tree;
        previous = cumulative;
        chainIntact = true;
        return out;
      }
    }
    out.verdict = 'root-mismatch';
    out.reason = chainIntact
      ? 'the root rebuilt from the report’s cumulative amounts differs from the accepted root'
      : 'an earlier report could not be checked and this report alone does not rebuild the accepted root';
    chainIntact = false;
    return out;
  });
}

/**
 * What `account` earned per epoch (from verified or at least hash-checked reports), its credits
 * per contribution, and its claim: cumulative amount and proof in the latest accepted epoch.
 */
export function accountView(epochs, account) {
  const me = getAddress(account);
  const perEpoch = [];
  const perContribution = new Map();
  let cumulative = 0n;
  for (const e of epochs) {
    const row = { epoch: e.epoch, verdict: e.verdict, reason: e.reason, reportURI: e.reportURI, credited: null, earned: null, cumulative: null };
    if (e.report) {
      row.credited = 0n;
      for (const c of e.report.credits.values()) {
        if (c.contributor !== me) continue;
        row.credited += c.credit;
        const sum = perContribution.get(c.contributionId) ?? { credit: 0n, amount: 0n, epochs: [] };
        sum.credit += c.credit;
        sum.amount += c.amount;
        sum.epochs.push(e.epoch);
        perContribution.set(c.contributionId, sum);
      }
      const listed = e.report.cumulative.get(me);
      const total = e.tree?.amountOf(me) ?? listed ?? cumulative;
      row.earned = e.report.earned.get(me) ?? total - cumulative;
      row.cumulative = total;
      cumulative = total;
    }
    perEpoch.push(row);
  }
  const latest = epochs.at(-1) ?? null;
  let claim = null;
  if (latest) {
    const amount = latest.tree?.amountOf(me);
    claim = {
      epoch: latest.epoch,
      verified: latest.verdict === 'verified',
      verdict: latest.verdict,
      reason: latest.reason,
      cumulative: amount ?? 0n,
      proof: amount !== undefined ? latest.tree.proofFor(me) : [],
      root: latest.rewardsRoot,
    };
  }
  return { perEpoch, perContribution, claim };
}
