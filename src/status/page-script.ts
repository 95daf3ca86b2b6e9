/**
 * The status page's script, run by the browser: fetches status.json, fills the figures and tables
 * and draws the charts as inline SVG (no library, nothing from the network), then again every 10 s.
 * Text from the data (names, clients) only ever goes through textContent, never markup. Plain
 * JavaScript in a string: no build step; it must not contain backquotes (it sits in a TS template).
 */
export const PAGE_SCRIPT = `
'use strict';
const SVG_NS = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);
const num = (n) => Math.round(n).toLocaleString('en-US');
const pct = (x) => (x * 100).toFixed(1) + '%';
const clock = (ms, seconds) => new Date(ms).toLocaleTimeString('en-GB', seconds ? {} : { hour: '2-digit', minute: '2-digit' });

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = String(text);
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const k of Object.keys(attrs)) e.setAttribute(k, String(attrs[k]));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

/** Stacked bars (answered, blocked) per time slot, with a scale and the first and last slot's time. */
function timeChart(id, series) {
  const W = 720, H = 170, left = 44, bottom = 20, top = 8;
  const buckets = series.buckets;
  const max = Math.max(1, ...buckets.map((b) => b.total));
  const plotH = H - top - bottom;
  const bw = (W - left) / buckets.length;
  const y = (v) => top + plotH - (v / max) * plotH;
  const root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', class: 'chart' });
  for (const v of [max, max / 2, 0]) {
    root.append(svg('line', { x1: left, x2: W, y1: y(v), y2: y(v), class: 'grid' }));
    root.append(svg('text', { x: left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, num(v)));
  }
  buckets.forEach((b, i) => {
    const x = left + i * bw + 1, w = Math.max(1, bw - 2);
    const g = svg('g', {});
    g.append(svg('title', {}, clock(b.start, series.width_seconds < 60) + ': ' + num(b.total) + ' queries, ' + num(b.blocked) + ' blocked'));
    g.append(svg('rect', { x, width: w, y: y(b.total), height: y(b.blocked) - y(b.total), class: 'bar-ok' }));
    g.append(svg('rect', { x, width: w, y: y(b.blocked), height: y(0) - y(b.blocked), class: 'bar-blocked' }));
    root.append(g);
  });
  const first = buckets[0], last = buckets[buckets.length - 1];
  root.append(svg('text', { x: left, y: H - 4, class: 'axis' }, clock(first.start, series.width_seconds < 60)));
  root.append(svg('text', { x: W, y: H - 4, class: 'axis', 'text-anchor': 'end' }, clock(last.start, series.width_seconds < 60)));
  $(id).replaceChildren(root);
  const sum = buckets.reduce((s, b) => s + b.total, 0);
  const blocked = buckets.reduce((s, b) => s + b.blocked, 0);
  $(id + '-sum').textContent = num(sum) + ' queries, ' + num(blocked) + ' blocked';
}

/** Horizontal bars: one row per [label, count], widths relative to the largest. */
function barList(id, rows) {
  const total = rows.reduce((s, r) => s + r[1], 0);
  const max = Math.max(1, ...rows.map((r) => r[1]));
  const W = 160, H = 10;
  const body = $(id).tBodies[0];
  body.replaceChildren(...rows.map(([label, n]) => {
    const tr = el('tr');
    tr.append(el('td', 'key', label), el('td', 'count', num(n)), el('td', 'share', total === 0 ? '' : pct(n / total)));
    const bar = el('td');
    const s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'minibar' });
    s.append(svg('rect', { x: 0, y: 0, height: H, width: (n / max) * W, class: 'bar-ok' }));
    bar.append(s);
    tr.append(bar);
    return tr;
  }));
}

/** A top table: key, count (~ when the bounded table may over-count it), share of all queries. */
function topTable(id, entries, of) {
  const body = $(id).tBodies[0];
  if (entries.length === 0) {
    const tr = el('tr');
    const td = el('td', 'empty', 'none yet');
    td.colSpan = 3;
    tr.append(td);
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(...entries.map((e) => {
    const tr = el('tr');
    const count = el('td', 'count', num(e.count));
    if (e.error > 0) count.title = 'at most ' + num(e.error) + ' of these may belong to names no longer counted';
    tr.append(el('td', 'key', e.key), count, el('td', 'share', of === 0 ? '' : pct(e.count / of)));
    return tr;
  }));
}

const RECENT_COLUMNS = ['time', 'client', 'name', 'type', 'transport', 'rcode', 'source', 'dnssec', 'duration_ms'];

function recentTable(lines) {
  $('recent-off').hidden = lines !== null;
  $('recent').hidden = lines === null;
  if (lines === null) return;
  $('recent').tBodies[0].replaceChildren(...lines.map((line) => {
    const tr = el('tr', line.source === 'policy' ? 'blocked' : '');
    for (const k of RECENT_COLUMNS) {
      const v = line[k];
      tr.append(el('td', k, v === null || v === undefined ? '' : k === 'time' ? clock(Date.parse(v), true) : v));
    }
    return tr;
  }));
}

function render(d) {
  const q = d.queries;
  $('total').textContent = num(q.total);
  $('blocked').textContent = num(q.blocked);
  $('blocked-share').textContent = pct(q.blocked_share);
  $('encrypted-share').textContent = pct(d.upstream.encrypted_share);
  // Of all queries received (the same counters as the hits), not of hits + misses: answers from
  // local data and the policy are neither.
  const received = q.by_transport.udp + q.by_transport.tcp + q.by_transport.tls;
  $('cache-share').textContent = received === 0 ? '-' : pct(d.cache.hits / received);
  $('uptime').textContent = 'up ' + num(d.uptime_seconds) + ' s since ' + new Date(d.started_at).toLocaleString('en-GB');
  $('generated').textContent = 'as of ' + clock(Date.parse(d.generated_at), true);
  timeChart('per-minute', d.per_minute);
  timeChart('per-ten-seconds', d.per_ten_seconds);
  topTable('top-names', d.top_names, q.total);
  topTable('top-blocked', d.top_blocked, q.blocked);
  topTable('top-clients', d.top_clients, q.total);
  barList('dnssec', ['secure', 'insecure', 'bogus', 'indeterminate'].map((k) => [k, d.dnssec[k]]));
  barList('upstream', [['udp', d.upstream.udp], ['tcp', d.upstream.tcp], ['tls (encrypted)', d.upstream.tls]]);
  barList('rcodes', Object.entries(q.by_rcode).sort((a, b) => b[1] - a[1]));
  recentTable(d.recent);
  $('error').hidden = true;
}

async function load() {
  try {
    const res = await fetch('status.json', { cache: 'no-store' });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    render(await res.json());
  } catch (err) {
    $('error').textContent = 'Cannot load status.json: ' + err.message;
    $('error').hidden = false;
  }
  setTimeout(load, 10000);
}

load();
`;
