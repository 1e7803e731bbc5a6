// The contributor page: datanets, an account's contributions, reputation, credits and earnings per
// epoch checked against the chain, and a one-transaction claim from a browser wallet.

import { getAddress, isAddress } from 'viem';
import { DatanetReader } from './chain.js';
import { loadConfig } from './config.js';
import { accountView, verifyEpochs } from './epochs.js';
import { fetchReport, linkFor } from './report.js';
import { duration, earningsChart, h, link, short, table, tokens, when } from './view.js';
import { errorCode, revertOf, USER_REJECTED, Wallet } from './wallet.js';

const timings = (window.datanetTimings = { start: performance.now() });
const $ = (id) => document.getElementById(id);

const state = { config: null, reader: null, token: null, datanets: [], epochs: null, address: null, wallet: null, loadId: 0 };

function mark(name) {
  timings[name] = Math.round(performance.now());
  document.body.dataset[name] = 'true';
}

/** One message line: kind is error | warning | info | success (and a data-kind for tests). */
function message(kind, code, text) {
  $('messages').replaceChildren(h('div', { class: `message ${kind}`, testid: 'message', dataset: { kind: code } }, text));
}

function clearMessage() {
  $('messages').replaceChildren();
}

async function main() {
  try {
    state.config = await loadConfig();
  } catch (e) {
    message('error', 'config', e.message);
    return;
  }
  const c = state.config;
  state.reader = new DatanetReader(c);
  $('network').replaceChildren(
    `chain ${c.chainId} · pool `,
    h('code', { title: c.attributionPool }, short(c.attributionPool)),
    ` · registry `,
    h('code', { title: c.datanetRegistry }, short(c.datanetRegistry)),
    c.contractsVersion ? ` · contracts v${c.contractsVersion}` : '',
  );
  $('address-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('address').value.trim();
    if (!isAddress(value)) {
      message('error', 'bad-address', `${JSON.stringify(value)} is not an address (0x followed by 40 hex digits)`);
      return;
    }
    showAccount(getAddress(value));
  });
  $('connect').addEventListener('click', connect);
  if (!Wallet.injected()) $('connect').title = 'No browser wallet (EIP-1193) found; type an address to see its impact';

  try {
    const head = await state.reader.snapshot();
    state.head = head;
    [state.token, state.datanets] = await Promise.all([state.reader.tokenInfo(), state.reader.datanets(head)]);
    renderDatanets();
    mark('firstRender');
    state.epochsLoading = loadEpochs(head);
    state.epochsLoading.catch(() => {}); // reported by the account view that awaits it
    if (c.address && isAddress(c.address)) {
      $('address').value = c.address;
      await showAccount(getAddress(c.address));
    }
  } catch (e) {
    message('error', 'rpc', `Could not read the chain through ${c.rpcUrl}: ${e.shortMessage ?? e.message}`);
  }
}

/** Accepted epochs with their reports fetched and checked (shared by every account view). */
async function loadEpochs(head) {
  const records = await state.reader.acceptedEpochs(head);
  const fetched = new Map();
  await Promise.all(
    records.map(async (r) => {
      if (!r.reportURI) return;
      try {
        fetched.set(r.epoch, await fetchReport(r.reportURI, state.config.gateway));
      } catch (e) {
        fetched.set(r.epoch, { error: e.message });
      }
    }),
  );
  state.epochs = verifyEpochs(records, fetched);
  return state.epochs;
}

function renderDatanets() {
  const rows = state.datanets.map((d) =>
    h(
      'tr',
      { dataset: { datanet: d.id.toString() } },
      h('td', {}, `#${d.id}`),
      h('td', {}, link(linkFor(d.metadataURI, state.config.gateway), d.metadataURI)),
      h('td', {}, h('code', { title: d.owner }, short(d.owner))),
      h('td', {}, d.bond === 0n ? h('span', { class: 'badge warn' }, 'no bond') : tokens(d.bond, state.token)),
      h('td', {}, duration(d.reviewPeriod)),
    ),
  );
  $('datanets').replaceChildren(
    h('h2', {}, 'Datanets'),
    table('datanets-table', ['id', 'metadata', 'owner', 'bond', 'review period'], rows, 'No datanet yet.'),
  );
}

async function showAccount(address) {
  const loadId = ++state.loadId;
  state.address = address;
  clearMessage();
  const url = new URL(window.location.href);
  url.searchParams.set('address', address);
  window.history.replaceState(null, '', url);
  $('account').replaceChildren(h('p', { class: 'muted' }, `Reading ${address}…`));
  try {
    const head = state.head;
    const [contributions, epochs] = await Promise.all([state.reader.contributionsOf(address, head), state.epochsLoading ?? loadEpochs(head)]);
    const datanetIds = [...new Set([...contributions.map((x) => x.datanetId), ...state.datanets.map((d) => d.id)].map(String))].map(BigInt);
    const [reputation, pool] = await Promise.all([state.reader.reputationOf(address, datanetIds), state.reader.poolState(address)]);
    if (loadId !== state.loadId) return;
    const view = accountView(epochs, address);
    renderAccount(address, contributions, reputation, view);
    renderClaim(address, view, pool);
    if (!timings.accountReady) mark('accountReady');
  } catch (e) {
    if (loadId !== state.loadId) return;
    message('error', 'rpc', `Could not read ${address}: ${e.shortMessage ?? e.message}`);
  }
}

const VERDICT_TEXT = {
  verified: 'verified',
  'hash-mismatch': 'report hash mismatch',
  'root-mismatch': 'root mismatch',
  unreadable: 'report unreadable',
  malformed: 'report malformed',
};

function renderAccount(address, contributions, reputation, view) {
  const t = state.token;
  const epochRows = view.perEpoch.map((e) =>
    h(
      'tr',
      { dataset: { epoch: String(e.epoch), verdict: e.verdict } },
      h('td', {}, String(e.epoch)),
      h('td', {}, h('span', { class: `badge ${e.verdict === 'verified' ? 'ok' : 'bad'}`, title: e.reason || 'root rebuilt from the report equals the on-chain root', testid: 'verdict' }, VERDICT_TEXT[e.verdict] ?? e.verdict)),
      h('td', { class: 'num', testid: 'credited' }, e.credited === null ? '—' : e.credited.toString()),
      h('td', { class: 'num' }, tokens(e.earned, t, 'earned')),
      h('td', { class: 'num' }, tokens(e.cumulative, t, 'cumulative')),
      h('td', {}, e.reportURI ? link(linkFor(e.reportURI, state.config.gateway), 'report') : '—'),
    ),
  );
  const contributionRows = contributions
    .sort((a, b) => Number(a.blockNumber - b.blockNumber))
    .map((c) => {
      const earned = view.perContribution.get(c.id.toLowerCase());
      return h(
        'tr',
        { dataset: { contribution: c.id.toLowerCase(), status: c.status } },
        h('td', {}, `#${c.datanetId}`),
        h('td', {}, h('span', { class: `badge status-${c.status.toLowerCase()}`, testid: 'status' }, c.status)),
        h('td', { class: 'uri' }, c.uri ? link(linkFor(c.uri, state.config.gateway), c.uri) : '—'),
        h('td', {}, when(c.submittedAt)),
        h('td', { class: 'num', testid: 'credited' }, earned ? earned.credit.toString() : '0'),
        h('td', { class: 'num' }, tokens(earned?.amount ?? 0n, t, 'earned')),
        h('td', {}, earned ? earned.epochs.join(', ') : '—'),
      );
    });
  const byId = new Map(state.datanets.map((d) => [d.id.toString(), d]));
  const reputationBlock = !reputation
    ? h('p', { class: 'muted' }, 'This registry records no reputation.')
    : table(
        'reputation-table',
        ['datanet', 'accepted', 'rejected', 'curation'],
        reputation.rows
          .filter((r) => !reputation.perDatanet || r.accepted > 0n || r.rejected > 0n)
          .map((r) => {
            const d = r.datanetId === null ? null : byId.get(r.datanetId.toString());
            const notes = [];
            if (!reputation.perDatanet) notes.push('all datanets (this registry counts per account, not per datanet)');
            if (d && d.owner === address) notes.push('self-curated');
            if (d && d.bond === 0n) notes.push('no bond');
            return h(
              'tr',
              { dataset: { datanet: r.datanetId === null ? 'all' : r.datanetId.toString() } },
              h('td', {}, r.datanetId === null ? 'all' : `#${r.datanetId}`),
              h('td', { class: 'num', testid: 'accepted' }, r.accepted.toString()),
              h('td', { class: 'num', testid: 'rejected' }, r.rejected.toString()),
              h('td', {}, notes.join('; ') || 'curated by the datanet owner'),
            );
          }),
        'No reviewed contribution yet.',
      );
  $('account').replaceChildren(
    h('h2', {}, 'Impact of ', h('code', { testid: 'shown-address' }, address)),
    h('section', { class: 'card' }, h('h3', {}, 'Earnings per epoch'), view.perEpoch.length ? earningsChart(view.perEpoch, t) : null,
      table('epochs-table', ['epoch', 'check', 'credited tokens', 'earned', 'cumulative', ''], epochRows, 'No epoch has been accepted yet.')),
    h('section', { class: 'card' }, h('h3', {}, 'Contributions'),
      table('contributions-table', ['datanet', 'status', 'URI', 'submitted', 'credited tokens', 'earned', 'epochs'], contributionRows, 'This address has contributed nothing yet.')),
    h('section', { class: 'card' }, h('h3', {}, 'Reputation per datanet'), reputationBlock),
  );
}

function renderClaim(address, view, pool) {
  const t = state.token;
  const claim = view.claim;
  const panel = h('section', { class: 'card claim', testid: 'claim-panel' }, h('h3', {}, 'Rewards'));
  const cumulative = claim?.cumulative ?? 0n;
  const claimable = cumulative > pool.claimed ? cumulative - pool.claimed : 0n;
  panel.append(
    h(
      'dl',
      {},
      h('dt', {}, claim ? `Earned up to epoch ${claim.epoch}` : 'Earned'),
      h('dd', {}, tokens(claim?.verified ? cumulative : null, t, 'total-earned')),
      h('dt', {}, 'Claimed'),
      h('dd', {}, tokens(pool.claimed, t, 'claimed')),
      h('dt', {}, 'Claimable'),
      h('dd', {}, tokens(claim?.verified ? claimable : null, t, 'claimable')),
      h('dt', {}, 'Balance'),
      h('dd', {}, tokens(pool.balance, t, 'balance')),
    ),
  );
  let button = null;
  if (!claim) {
    panel.append(h('p', { class: 'muted' }, 'No epoch has been accepted yet: nothing can be claimed.'));
  } else if (!claim.verified) {
    message('error', 'mismatch', `Epoch ${claim.epoch} cannot be claimed from this page: ${VERDICT_TEXT[claim.verdict]} — ${claim.reason}. A proof built from a report that does not match the chain is not offered.`);
  } else if (pool.rewardsRoot.toLowerCase() !== claim.root.toLowerCase() || pool.currentEpoch !== claim.epoch) {
    message('warning', 'stale', `The pool moved on (epoch ${pool.currentEpoch}) since the page read its epochs; reload the page.`);
  } else if (pool.paused) {
    const until = pool.pausedUntil ? ` until ${when(Number(pool.pausedUntil))}` : '';
    message('warning', 'paused', `The pool is paused by its guardian${until}: claims resume when the pause ends.`);
  } else if (claimable === 0n) {
    message('info', 'nothing', cumulative === 0n
      ? `Nothing to claim: this address has no reward in epoch ${claim.epoch}.`
      : `Nothing to claim: everything earned up to epoch ${claim.epoch} has been claimed.`);
  } else {
    button = h('button', { testid: 'claim', class: 'primary', onclick: () => doClaim(address, claim) }, 'Claim');
    panel.append(button);
    panel.append(h('p', { class: 'muted small' }, 'One transaction pays everything owed up to the latest accepted epoch. Anyone may send it; the tokens only go to this address.'));
  }
  $('claim').replaceChildren(panel);
}

async function connect() {
  const provider = Wallet.injected();
  if (!provider) {
    message('error', 'no-wallet', 'No browser wallet found (no window.ethereum). Install one, or type an address to see its impact.');
    return null;
  }
  const wallet = new Wallet(provider, state.config);
  try {
    const account = await wallet.connect();
    state.wallet = wallet;
    $('wallet').replaceChildren('wallet ', h('code', { testid: 'wallet-account', title: account }, short(account)));
    if (!state.listening) {
      state.listening = true;
      provider.on?.('accountsChanged', (accounts) => accounts?.[0] && isAddress(accounts[0]) && showAccount(getAddress(accounts[0])));
      provider.on?.('chainChanged', () => state.wallet && checkNetwork(state.wallet));
    }
    if (state.address !== account) {
      $('address').value = account;
      await showAccount(account);
    }
    await checkNetwork(wallet, true);
    return wallet;
  } catch (e) {
    if (errorCode(e) === USER_REJECTED) message('warning', 'rejected', 'You declined the connection request in your wallet.');
    else message('error', 'wallet', `The wallet failed: ${e.shortMessage ?? e.message}`);
    return null;
  }
}

/** Asks the wallet to move to the deployment's chain; shows the wrong-network message if it will not. */
async function checkNetwork(wallet, ask = false) {
  try {
    if (ask ? await wallet.ensureChain() : (await wallet.chainId()) === state.config.chainId) {
      if ($('messages').querySelector('[data-kind="wrong-network"]')) clearMessage();
      return true;
    }
  } catch (e) {
    if (errorCode(e) !== USER_REJECTED && errorCode(e) !== 4902) {
      message('error', 'wallet', `The wallet could not switch networks: ${e.shortMessage ?? e.message}`);
      return false;
    }
  }
  const current = await wallet.chainId().catch(() => '?');
  message('error', 'wrong-network', `Wrong network: your wallet is on chain ${current}, this deployment is on chain ${state.config.chainId}. Switch networks in your wallet to claim.`);
  return false;
}

async function doClaim(address, claim) {
  const wallet = state.wallet ?? (await connect());
  if (!wallet) return;
  if (!(await checkNetwork(wallet, true))) return;
  const button = document.querySelector('[data-testid="claim"]');
  if (button) button.disabled = true;
  message('info', 'pending', 'Confirm the claim in your wallet…');
  let hash;
  try {
    hash = await wallet.claim(state.reader, address, claim.cumulative, claim.proof);
  } catch (e) {
    if (button) button.disabled = false;
    const revert = revertOf(e);
    if (errorCode(e) === USER_REJECTED) message('warning', 'rejected', 'You rejected the transaction in your wallet: nothing was sent.');
    else if (revert?.name === 'PoolPaused' || revert?.name === 'EnforcedPause') message('warning', 'paused', 'The pool is paused by its guardian: claims resume when the pause ends.');
    else if (revert?.name === 'NothingToClaim') message('info', 'nothing', 'Nothing to claim: everything earned has been claimed.');
    else if (revert) message('error', 'revert', `The pool refused the claim: ${revert.name}(${revert.args.map(String).join(', ')}).`);
    else message('error', 'wallet', `The claim failed: ${e.shortMessage ?? e.message}`);
    return;
  }
  message('info', 'pending', `Claim sent in ${hash}; waiting for it to be mined…`);
  try {
    const receipt = await state.reader.waitForReceipt(hash);
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
    const pool = await state.reader.poolState(address);
    const view = accountView(state.epochs, address);
    renderClaim(address, view, pool);
    $('messages').replaceChildren(
      h(
        'div',
        { class: 'message success', testid: 'message', dataset: { kind: 'claimed' } },
        'Claimed: transaction ',
        h('code', { testid: 'tx-hash' }, hash),
        ` in block ${receipt.blockNumber}. Balance now `,
        tokens(pool.balance, state.token, 'new-balance'),
        '.',
      ),
    );
  } catch (e) {
    message('error', 'wallet', `The claim transaction failed: ${e.shortMessage ?? e.message}`);
  }
}

main();
