// The contributor page in headless Chromium (Debian's package, driven by playwright-core; nothing
// downloads a browser), against the anvil scenario of `cargo xtask web-test`.
// Usage: node web/test/browser.mjs <fixture.json> <base URL of the served page>
// Env: CHROMIUM (default /usr/bin/chromium), SCREENSHOTS (default target/web-screenshots).

import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { createPublicClient, createWalletClient, getAddress, http } from 'viem';
import { installTestWallet } from './wallet-provider.mjs';

const [fixtureFile, base] = process.argv.slice(2);
if (!fixtureFile || !base) {
  console.error('usage: node web/test/browser.mjs <fixture.json> <base URL>  (run it through `cargo xtask web-test`)');
  process.exit(2);
}
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`${executablePath} is missing: the browser tests need Debian's chromium package (apt-get install -y chromium).`);
  process.exit(1);
}
const fixture = JSON.parse(readFileSync(fixtureFile, 'utf8'));
const shots = resolve(process.env.SCREENSHOTS ?? 'target/web-screenshots');
mkdirSync(shots, { recursive: true });
const site = resolve(dirname(fixtureFile), 'site');
const abi = JSON.parse(readFileSync(resolve('target/web/abi.json'), 'utf8')).contracts;
const { alice, bob, carol, guardian, nobody } = fixture.accounts;
const chain = { id: fixture.chainId, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [fixture.rpcUrl] } } };
const rpc = createPublicClient({ chain, transport: http(fixture.rpcUrl) });
const pool = getAddress(fixture.deployment.attributionPool);
const token = getAddress(fixture.deployment.token);
const expected = (account) => fixture.expected[getAddress(account)] ?? fixture.expected[account];

const userDataDir = mkdtempSync(join(tmpdir(), 'datanet-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    viewport: { width: 1100, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
} catch (e) {
  rmSync(userDataDir, { recursive: true, force: true });
  console.error(`could not start ${executablePath} headless (is Debian's chromium package complete? apt-get install -y chromium): ${e.message}`);
  process.exit(1);
}

const results = [];
const measurements = {};
async function scenario(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push([name, true]);
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push([name, false]);
    console.log(`FAIL ${name}: ${e.stack ?? e}`);
  }
}

/** A fresh page, with the test wallet installed when `wallet` is given. */
async function open(query, wallet) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`    page error: ${e.message}`));
  if (wallet) await page.addInitScript(installTestWallet, { rpcUrl: fixture.rpcUrl, anvilChainId: fixture.chainId, ...wallet });
  await page.goto(`${base}${query}`);
  return page;
}

/** Waits for the account's figures; fails at once with the page's error message if one shows. */
async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.accountReady || document.querySelector('.message.error'), null, { timeout: 30_000 });
  const error = await page.$('.message.error');
  if (error && !(await page.$('body[data-account-ready]'))) throw new Error(`the page says: ${await error.textContent()}`);
}
const wei = (page, selector) => page.getAttribute(selector, 'data-wei');
async function messageKind(page, kind) {
  await page.waitForSelector(`[data-testid="message"][data-kind="${kind}"]`, { timeout: 30_000 });
  return page.textContent(`[data-testid="message"][data-kind="${kind}"]`);
}
async function send(from, functionName, args = []) {
  const wallet = createWalletClient({ account: from, chain, transport: http(fixture.rpcUrl) });
  const hash = await wallet.writeContract({ address: pool, abi: abi.AttributionPool, functionName, args });
  const receipt = await rpc.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, 'success', `${functionName} reverted`);
}
const hasFn = (name, inputs) => abi.AttributionPool.some((f) => f.type === 'function' && f.name === name && f.inputs.length === inputs);

await scenario('read-only view of a contributor matches the reports and the chain', async () => {
  const page = await open(`?address=${alice}`);
  await ready(page);
  const want = expected(alice);
  assert.equal(await page.locator('[data-testid="datanets-table"] tbody tr').count(), 2);
  for (const e of want.perEpoch) {
    const row = `[data-testid="epochs-table"] tr[data-epoch="${e.epoch}"]`;
    assert.equal(await page.getAttribute(row, 'data-verdict'), 'verified', `epoch ${e.epoch} verified`);
    assert.equal(await wei(page, `${row} [data-testid="earned"]`), e.earned, `epoch ${e.epoch} earnings`);
    assert.equal((await page.textContent(`${row} [data-testid="credited"]`)).trim(), e.credited, `epoch ${e.epoch} credited tokens`);
  }
  assert.equal(await page.locator('[data-testid="earnings-chart"] rect.bar').count(), want.perEpoch.length);
  assert.equal(await wei(page, '[data-testid="total-earned"]'), want.cumulative);
  assert.equal(await wei(page, '[data-testid="claimed"]'), want.claimed);
  assert.equal(await wei(page, '[data-testid="claimable"]'), (BigInt(want.cumulative) - BigInt(want.claimed)).toString());
  assert.equal(await wei(page, '[data-testid="balance"]'), want.balance);
  assert.equal(await page.locator('[data-testid="contributions-table"] tbody tr').count(), want.contributions);
  assert.equal(await page.locator('[data-testid="contributions-table"] tbody tr[data-status="Accepted"]').count(), want.contributions);
  // Per contribution, the credited tokens add up to the per-epoch credits.
  const perContribution = await page.$$eval('[data-testid="contributions-table"] [data-testid="credited"]', (cells) => cells.map((c) => BigInt(c.textContent.trim())).reduce((a, b) => a + b, 0n).toString());
  assert.equal(perContribution, want.perEpoch.reduce((s, e) => s + BigInt(e.credited), 0n).toString());
  assert.ok((await page.locator('[data-testid="reputation-table"] tbody tr').count()) >= 1);
  assert.ok(await page.isVisible('[data-testid="claim"]'), 'the claim button is offered');
  await page.screenshot({ path: join(shots, 'contributor.png'), fullPage: true });
  await page.close();
});

await scenario('configured by the query string alone (a page hosted without config.json)', async () => {
  const bare = join(site, 'bare');
  mkdirSync(bare, { recursive: true });
  for (const file of ['index.html', 'style.css', 'app.js']) cpSync(join(site, file), join(bare, file));
  writeFileSync(join(bare, 'deployment.json'), JSON.stringify(fixture.deployment));
  const unconfigured = await context.newPage();
  await unconfigured.goto(`${base}bare/`);
  assert.match(await messageKind(unconfigured, 'config'), /not configured/);
  await unconfigured.close();
  const query = new URLSearchParams({ deployment: 'deployment.json', rpc: fixture.rpcUrl, gateway: base, address: alice });
  const page = await context.newPage();
  await page.goto(`${base}bare/?${query}`);
  await ready(page);
  assert.equal(await page.locator('[data-testid="epochs-table"] tr[data-verdict="verified"]').count(), fixture.epochs.length);
  await page.close();
});

await scenario('a rejected contribution shows its status and reputation', async () => {
  const page = await open(`?address=${carol}`);
  await ready(page);
  assert.equal(await page.locator('[data-testid="contributions-table"] tbody tr').count(), expected(carol).contributions);
  assert.equal(await page.locator(`[data-testid="contributions-table"] tr[data-contribution="${fixture.rejected}"]`).getAttribute('data-status'), 'Rejected');
  const rejected = await page.$$eval('[data-testid="reputation-table"] [data-testid="rejected"]', (cells) => cells.reduce((s, c) => s + Number(c.textContent), 0));
  assert.equal(rejected, 1);
  await page.screenshot({ path: join(shots, 'rejected-contribution.png'), fullPage: true });
  await page.close();
});

await scenario('wrong network: the wallet refuses to switch', async () => {
  const page = await open(`?address=${alice}`, { account: alice, chainId: 1, rejectSwitch: true });
  await ready(page);
  await page.click('[data-testid="connect"]');
  const text = await messageKind(page, 'wrong-network');
  assert.match(text, new RegExp(`chain 1\\b.*chain ${fixture.chainId}`));
  await page.screenshot({ path: join(shots, 'wrong-network.png'), fullPage: true });
  await page.close();
});

await scenario('rejected signature: nothing is sent', async () => {
  const page = await open(`?address=${alice}`, { account: alice, chainId: 1, rejectSend: true });
  await ready(page);
  await page.click('[data-testid="connect"]');
  await page.waitForSelector('[data-testid="wallet-account"]');
  await page.waitForFunction((id) => window.__testWallet.chainId === id, fixture.chainId, { timeout: 10_000 });
  await page.click('[data-testid="claim"]');
  await messageKind(page, 'rejected');
  assert.equal(await page.evaluate(() => window.__testWallet.sent.length), 0);
  assert.equal((await rpc.readContract({ address: pool, abi: abi.AttributionPool, functionName: 'claimed', args: [alice] })).toString(), expected(alice).claimed);
  await page.screenshot({ path: join(shots, 'rejected-signature.png'), fullPage: true });
  await page.close();
});

await scenario('paused pool: no claim, a clear message', async () => {
  const pause = hasFn('pause', 0) ? ['pause', []] : ['setPaused', [true]];
  const unpause = hasFn('unpause', 0) ? ['unpause', []] : ['setPaused', [false]];
  await send(guardian, ...pause);
  try {
    const page = await open(`?address=${alice}`, { account: alice });
    await ready(page);
    await messageKind(page, 'paused');
    assert.equal(await page.locator('[data-testid="claim"]').count(), 0);
    await page.screenshot({ path: join(shots, 'paused.png'), fullPage: true });
    await page.close();
  } finally {
    await send(guardian, ...unpause);
  }
});

await scenario('tampered report: hash mismatch, no claim button', async () => {
  for (const e of fixture.epochs) {
    const rel = e.reportUri.replace('ipfs://', 'ipfs/');
    mkdirSync(dirname(join(site, 'tampered', rel)), { recursive: true });
    cpSync(join(site, rel), join(site, 'tampered', rel));
  }
  const last = fixture.epochs.at(-1);
  const file = join(site, 'tampered', last.reportUri.replace('ipfs://', 'ipfs/'));
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const mine = report.accounts.find((a) => getAddress(a.account) === getAddress(alice));
  mine.cumulativeAmount = (BigInt(mine.cumulativeAmount) * 2n).toString();
  writeFileSync(file, JSON.stringify(report, null, 2));
  const page = await open(`?address=${alice}&gateway=${encodeURIComponent(`${base}tampered`)}`, { account: alice });
  await ready(page);
  const text = await messageKind(page, 'mismatch');
  assert.match(text, /hash/);
  assert.equal(await page.getAttribute(`[data-testid="epochs-table"] tr[data-epoch="${last.epoch}"]`, 'data-verdict'), 'hash-mismatch');
  assert.equal(await page.locator('[data-testid="claim"]').count(), 0);
  await page.screenshot({ path: join(shots, 'tampered-report.png'), fullPage: true });
  await page.close();
  rmSync(join(site, 'tampered'), { recursive: true });
});

await scenario('claim from the wallet: one transaction, balance changes', async () => {
  const want = expected(alice);
  const before = await rpc.readContract({ address: token, abi: abi.DatanetToken, functionName: 'balanceOf', args: [alice] });
  const page = await open(`?address=${alice}`, { account: alice });
  await ready(page);
  await page.click('[data-testid="connect"]');
  await page.waitForSelector('[data-testid="wallet-account"]');
  await page.click('[data-testid="claim"]');
  await messageKind(page, 'claimed');
  const paid = BigInt(want.cumulative) - BigInt(want.claimed);
  const after = await rpc.readContract({ address: token, abi: abi.DatanetToken, functionName: 'balanceOf', args: [alice] });
  assert.equal(after - before, paid, 'the balance grew by the claimable amount');
  assert.equal(await wei(page, '[data-testid="new-balance"]'), after.toString());
  assert.equal(await page.evaluate(() => window.__testWallet.sent.length), 1, 'one transaction');
  const hash = (await page.textContent('[data-testid="tx-hash"]')).trim();
  const receipt = await rpc.getTransactionReceipt({ hash });
  assert.equal(getAddress(receipt.from), getAddress(alice));
  assert.equal(getAddress(receipt.to), pool);
  await page.screenshot({ path: join(shots, 'claimed.png'), fullPage: true });
  await page.close();
});

await scenario('nothing to claim: after the claim, and for an account without rewards', async () => {
  for (const [account, pattern] of [[alice, /claimed/], [nobody, /no reward/]]) {
    const page = await open(`?address=${account}`, { account });
    await ready(page);
    assert.match(await messageKind(page, 'nothing'), pattern);
    assert.equal(await page.locator('[data-testid="claim"]').count(), 0);
    if (account === alice) await page.screenshot({ path: join(shots, 'nothing-to-claim.png'), fullPage: true });
    await page.close();
  }
});

await scenario('time to first render, median of 5 fresh loads', async () => {
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const page = await open(`?address=${bob}`);
    await ready(page);
    runs.push(await page.evaluate(() => window.datanetTimings));
    await page.close();
  }
  const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[2];
  measurements.firstRenderMs = median('firstRender');
  measurements.accountReadyMs = median('accountReady');
  measurements.runs = runs.map((r) => ({ firstRender: r.firstRender, accountReady: r.accountReady }));
  assert.ok(measurements.accountReadyMs < 10_000, 'the account view renders within 10 s');
});

await context.close();
rmSync(userDataDir, { recursive: true, force: true });
const passed = results.filter(([, ok]) => ok).length;
const failed = results.length - passed;
if (measurements.firstRenderMs !== undefined) {
  console.log(`first render ${measurements.firstRenderMs} ms, account figures ${measurements.accountReadyMs} ms after navigation (median of 5; anvil on ${fixture.rpcUrl})`);
  writeFileSync(join(dirname(fixtureFile), 'measurements.json'), `${JSON.stringify(measurements, null, 2)}\n`);
}
console.log(`screenshots in ${shots}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
