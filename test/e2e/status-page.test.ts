/**
 * The status page in a real browser (headless Chromium from Debian): the page's script fetches
 * /status.json and renders it, and the test reads the numbers off the rendered DOM. First a real
 * `ward` process after a known set of queries from a client on its own address (5 × www.ward.test,
 * 3 × an NXDOMAIN name): totals, top names and clients, the charts' sums and the recent query log
 * must show exactly those. Then a listener fed known counters with blocked answers, DNSSEC
 * outcomes and upstream traffic that a Ward without a policy or a lab cannot produce. Screenshots
 * are kept as artefacts (the path is printed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { artefactDir, renderPage, tableRows, textById } from '../helpers/chromium.js';
import { decodeMessage, encodeMessage, FLAG, MalformedMessage, rcodeOf } from '../../src/wire/index.js';
import { startMetricsServer } from '../../src/metrics/index.js';
import { createStatusCollector, statusRoutes } from '../../src/status/index.js';
import { silentLogger } from '../../src/log/index.js';
import type { StatsReport } from '../../src/control/index.js';
import type { InboundQuery } from '../../src/net/index.js';
import { freePort, startWard, wardCli } from './ward-under-test.js';

const ADDR = '127.0.2.51';
/** The test's own client address: its queries are told apart from startWard's readiness probes. */
const CLIENT = '127.0.2.52';
const FAKE_LISTENER = '127.0.2.53';

/** Sends `count` UDP queries for `name` from CLIENT, one after the other; resolves with the RCODEs. */
function askFromClient(port: number, name: string, count: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const rcodes: number[] = [];
    const timer = setTimeout(() => { sock.close(); reject(new Error(`no answer for ${name}`)); }, 5_000);
    const send = (): void => {
      sock.send(encodeMessage({ id: rcodes.length + 1, type: 'query', flags: FLAG.RD, questions: [{ name, type: 'A', class: 'IN' }] }), port, ADDR);
    };
    sock.on('message', (buf) => {
      const msg = decodeMessage(buf);
      if (msg instanceof MalformedMessage || msg.id !== rcodes.length + 1) return;
      rcodes.push(rcodeOf(msg.flags ?? 0));
      if (rcodes.length < count) { send(); return; }
      clearTimeout(timer);
      sock.close();
      resolve(rcodes);
    });
    sock.on('error', reject);
    sock.bind(0, CLIENT, send);
  });
}

async function wardStats(configFile: string): Promise<{ queries: { total: number } }> {
  const r = await wardCli(['stats', '--json', '--config', configFile]);
  if (r.code !== 0) throw new Error(`ward stats failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** "1,234" → 1234. */
const count = (text: string): number => Number(text.replace(/,/g, ''));

test('the status page of a running Ward shows the queries it answered', async (t) => {
  const httpPort = await freePort(ADDR);
  const w = await startWard(ADDR, {}, { http: { listen: { address: ADDR, port: httpPort } }, log: { level: 'warn', queries: { enabled: true } } });
  try {
    assert.deepEqual(await askFromClient(w.port, 'www.ward.test', 5), [0, 0, 0, 0, 0]);
    assert.deepEqual(await askFromClient(w.port, 'nothing.ward.test', 3), [3, 3, 3]);
    const url = `http://${ADDR}:${httpPort}/`;
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'sha256-/);
    assert.equal((await fetch(`${url}status.json`)).headers.get('content-type'), 'application/json');

    const dir = artefactDir('status-page');
    t.diagnostic(`status page screenshots in ${dir}`);
    const dom = await renderPage(url, join(dir, 'ward.png'));
    // The figures, against Ward's own counter of received queries (startWard's probes included).
    const stats = await wardStats(w.configFile);
    const total = count(textById(dom, 'total'));
    assert.equal(total, stats.queries.total, 'the page total is what `ward stats` counts');
    assert.equal(textById(dom, 'blocked'), '0');
    assert.equal(textById(dom, 'blocked-share'), '0.0%');
    assert.equal(textById(dom, 'encrypted-share'), '0.0%', 'no upstream traffic: a Ward of local data');
    assert.equal(textById(dom, 'per-minute-sum'), `${total} queries, 0 blocked`);
    assert.equal(textById(dom, 'per-ten-seconds-sum'), `${total} queries, 0 blocked`);

    const names = tableRows(dom, 'top-names');
    assert.deepEqual(names.slice(0, 2).map((r) => r.slice(0, 2)), [['www.ward.test', '5'], ['nothing.ward.test', '3']]);
    assert.equal(names.reduce((n, r) => n + count(r[1]), 0), total, 'every query is under one of the names shown');
    assert.deepEqual(tableRows(dom, 'top-blocked'), [['none yet']]);
    const clients = tableRows(dom, 'top-clients');
    assert.deepEqual(clients.find((r) => r[0] === CLIENT)?.slice(0, 3), [CLIENT, '8', `${(800 / total).toFixed(1)}%`]);
    assert.deepEqual(tableRows(dom, 'rcodes').find((r) => r[0] === 'NXDOMAIN')?.slice(0, 2), ['NXDOMAIN', '3']);
    assert.deepEqual(tableRows(dom, 'dnssec').map((r) => r.slice(0, 2)), [['secure', '0'], ['insecure', '0'], ['bogus', '0'], ['indeterminate', '0']]);

    // The recent query log, newest first: the 3 NXDOMAIN questions, then the 5 others.
    const recent = tableRows(dom, 'recent').slice(0, 8).map((r) => [r[1], r[2], r[5]]);
    assert.deepEqual(recent, [
      ...Array.from({ length: 3 }, () => [CLIENT, 'nothing.ward.test', 'NXDOMAIN']),
      ...Array.from({ length: 5 }, () => [CLIENT, 'www.ward.test', 'NOERROR']),
    ]);
  } finally {
    assert.equal(await w.stop(), 0);
  }
});

test('the status page shows blocked answers, DNSSEC outcomes and the encrypted share it is given', async (t) => {
  const collector = createStatusCollector({ now: () => Date.now(), capacity: 100, recent: 0, client: (a) => a });
  const seen = (name: string, address: string, source: string): void => {
    const q = {
      bytes: encodeMessage({ id: 1, type: 'query', flags: FLAG.RD, questions: [{ name, type: 'A', class: 'IN' }] }),
      peer: { address, port: 5353, transport: 'udp' },
    } as InboundQuery;
    collector.observe(q, Buffer.alloc(12), 1, { source });
  };
  for (let i = 0; i < 6; i++) seen('www.example.test', '192.0.2.1', 'resolved');
  for (let i = 0; i < 3; i++) seen('ads.example.test', '192.0.2.2', 'policy');
  seen('tracker.example.test', '192.0.2.1', 'policy');
  const stats = {
    started_at: new Date().toISOString(), uptime_seconds: 42,
    queries: { udp: 10, tcp: 0, tls: 0, by_rcode: { NOERROR: 6, NXDOMAIN: 4 } }, cache: { hits: 1, misses: 5 },
    dnssec: { secure: 7, insecure: 1, bogus: 2, indeterminate: 0 },
    upstream: { queries: 8, udp: 2, tcp: 0, tls: 6 }, encrypted_share: 0.75,
  } as unknown as StatsReport;
  const admin = { stats: () => stats, upstream: () => ({ zones: [] }) };
  const port = await freePort(FAKE_LISTENER);
  const http = await startMetricsServer({
    listen: { address: FAKE_LISTENER, port }, admin, topZones: 0, log: silentLogger(), routes: statusRoutes((top) => collector.snapshot(top), admin, () => Date.now()),
  });
  try {
    const dir = artefactDir('status-page');
    t.diagnostic(`status page screenshot in ${dir}`);
    const dom = await renderPage(`http://${FAKE_LISTENER}:${port}/`, join(dir, 'blocked.png'));
    assert.equal(textById(dom, 'total'), '10');
    assert.equal(textById(dom, 'blocked'), '4');
    assert.equal(textById(dom, 'blocked-share'), '40.0%');
    assert.equal(textById(dom, 'cache-share'), '10.0%');
    assert.equal(textById(dom, 'encrypted-share'), '75.0%');
    assert.equal(textById(dom, 'per-minute-sum'), '10 queries, 4 blocked');
    assert.deepEqual(tableRows(dom, 'top-names'), [['www.example.test', '6', '60.0%'], ['ads.example.test', '3', '30.0%'], ['tracker.example.test', '1', '10.0%']]);
    assert.deepEqual(tableRows(dom, 'top-blocked'), [['ads.example.test', '3', '75.0%'], ['tracker.example.test', '1', '25.0%']]);
    assert.deepEqual(tableRows(dom, 'top-clients'), [['192.0.2.1', '7', '70.0%'], ['192.0.2.2', '3', '30.0%']]);
    assert.deepEqual(tableRows(dom, 'dnssec').map((r) => r.slice(0, 3)), [['secure', '7', '70.0%'], ['insecure', '1', '10.0%'], ['bogus', '2', '20.0%'], ['indeterminate', '0', '0.0%']]);
    assert.deepEqual(tableRows(dom, 'upstream').map((r) => r.slice(0, 3)), [['udp', '2', '25.0%'], ['tcp', '0', '0.0%'], ['tls (encrypted)', '6', '75.0%']]);
    assert.match(dom, /<p id="recent-off" class="muted">/, 'without the query log the page says it is off');
    assert.match(dom, /<table id="recent" hidden/);
  } finally {
    await http.close();
  }
});
