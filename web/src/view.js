// DOM helpers, formatting and the earnings chart. Everything from the chain or a report is set as
// text (never parsed as HTML), and only http(s) targets become links.

import { formatUnits } from 'viem';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'testid') el.dataset.testid = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function link(url, text) {
  return url && /^https?:\/\//i.test(url) ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, text) : text;
}

export function short(hex) {
  return hex ? `${hex.slice(0, 6)}…${hex.slice(-4)}` : '';
}

/** `amount` in whole tokens, up to 6 decimals, with the exact wei in a data attribute. */
export function tokens(amount, token, testid) {
  if (amount === null || amount === undefined) return h('span', { class: 'muted', testid }, '—');
  const full = formatUnits(amount, token.decimals);
  const [whole, fraction = ''] = full.split('.');
  const cut = fraction.slice(0, 6).replace(/0+$/, '');
  const text = cut ? `${whole}.${cut}${fraction.length > 6 && /[1-9]/.test(fraction.slice(6)) ? '…' : ''}` : whole;
  return h('span', { class: 'amount', title: `${full} ${token.symbol}`, testid, dataset: { wei: amount.toString() } }, `${text} ${token.symbol}`);
}

export function when(seconds) {
  if (!seconds) return '—';
  return new Date(seconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function duration(seconds) {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return `${seconds} s`;
}

export function table(testid, head, rows, empty) {
  if (!rows.length) return h('p', { class: 'muted', testid }, empty);
  return h(
    'table',
    { testid },
    h('thead', {}, h('tr', {}, head.map((c) => h('th', {}, c)))),
    h('tbody', {}, rows),
  );
}

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Bars of earnings per epoch; verified epochs solid, others hatched red. */
export function earningsChart(rows, token) {
  const width = 640;
  const height = 220;
  const pad = { left: 64, right: 12, top: 16, bottom: 36 };
  const values = rows.map((r) => Number(formatUnits(r.earned ?? 0n, token.decimals)));
  const max = Math.max(...values, 0) || 1;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `earnings per epoch in ${token.symbol}`, 'data-testid': 'earnings-chart' });
  const plotH = height - pad.top - pad.bottom;
  const plotW = width - pad.left - pad.right;
  for (const f of [0, 0.5, 1]) {
    const y = pad.top + plotH * (1 - f);
    svg.append(s('line', { x1: pad.left, x2: width - pad.right, y1: y, y2: y, class: 'grid' }));
    svg.append(s('text', { x: pad.left - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' }, formatAxis(max * f)));
  }
  const slot = plotW / Math.max(rows.length, 1);
  const barW = Math.min(48, slot * 0.6);
  rows.forEach((row, i) => {
    const x = pad.left + slot * i + (slot - barW) / 2;
    const barH = (values[i] / max) * plotH;
    const bar = s('rect', {
      x,
      y: pad.top + plotH - barH,
      width: barW,
      height: Math.max(barH, values[i] > 0 ? 1 : 0),
      class: row.verdict === 'verified' ? 'bar' : 'bar unverified',
      'data-epoch': row.epoch,
      'data-wei': (row.earned ?? 0n).toString(),
    });
    bar.append(s('title', {}, `epoch ${row.epoch}: ${formatUnits(row.earned ?? 0n, token.decimals)} ${token.symbol} (${row.verdict})`));
    svg.append(bar);
    svg.append(s('text', { x: x + barW / 2, y: height - pad.bottom + 16, 'text-anchor': 'middle', class: 'axis' }, `epoch ${row.epoch}`));
  });
  svg.append(s('text', { x: 4, y: 12, class: 'axis' }, token.symbol));
  return svg;
}

function formatAxis(v) {
  if (v === 0) return '0';
  if (v >= 1000) return `${(v / 1000).toFixed(1)}k`;
  return v >= 10 ? v.toFixed(0) : v.toPrecision(2);
}
