/**
 * The cold-cache benchmark's pieces on real sockets, at a small scale: the generated tree
 * (bench/scale-zones.ts) served by the lab with `zones`, delaying relays reporting every upstream query
 * (`onQuery`, with the source address: Ward's upstream.source_address), dnsperf going through the names once (`passes: 1`) with RCODE counts, and Ward resolving
 * every name right (wildcards, in-zone CNAMEs, out-of-bailiwick name servers).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDnsperf } from '../../bench/dnsperf.js';
import { NAMES_PER_ZONE, SCALE_TLDS, scaleTree } from '../../bench/scale-zones.js';
import { startLabResolver, type Target } from '../../bench/targets.js';
import { peekQuestion } from '../../src/wire/index.js';
import { startLab, type Lab } from '../helpers/lab.js';
import { makeTempDir } from '../helpers/lab-process.js';
import { answerView, query } from '../helpers/lab-query.js';

const tree = scaleTree(100);
const seen: { name: string; from: string }[] = [];
let lab: Lab | undefined;
let ward: Target | undefined;
const tmp = makeTempDir('ward-bench-cold');

before(async () => {
  lab = await startLab({ rttMs: 10, zones: tree.zones, dot: false, onQuery: (m, from) => {
    seen.push({ name: peekQuestion(m)?.name.toLowerCase() ?? '?', from });
  } });
  ward = await startLabResolver('Ward', lab, tmp.dir);
});

after(async () => {
  await ward?.stop();
  await lab?.stop();
  tmp.remove();
});

test('the generated tree: unique names, zones per TLD, one expected address per name', () => {
  assert.equal(tree.zoneCount, 10);
  assert.equal(tree.names.length, 10 * NAMES_PER_ZONE);
  assert.equal(new Set(tree.names).size, tree.names.length);
  for (const tld of SCALE_TLDS) assert.ok(tree.zones[`${tld}.`], `${tld}. is served`);
  assert.ok(tree.zones['z000.alpha.'][1].includes('*.dyn.z000.alpha.'), 'wildcard');
  assert.match(tree.zones['z000.alpha.'][1], /NS ns2\.hosting\.bravo\./, 'every 5th zone is hosted out of bailiwick');
  assert.equal(tree.expected.get('cdn.z001.bravo.'), tree.expected.get('www.z001.bravo.'));
  assert.deepEqual(scaleTree(100).names, tree.names, 'the shuffle is deterministic');
});

test('dnsperf resolves every name once through the relayed tree; answers are right', { timeout: 60_000 }, async () => {
  assert.ok(ward && lab);
  const queryFile = join(tmp.dir, 'names.txt');
  writeFileSync(queryFile, tree.names.map((n) => `${n} A\n`).join(''));
  const before = seen.length;
  const r = await runDnsperf({
    server: ward.address, port: ward.ports.udp, mode: 'udp', queryFile, passes: 1, seconds: 30, timeoutS: 5,
    clients: 1, outstanding: 20, latencies: true,
  });
  assert.equal(r.sent, tree.names.length, 'each name once (-n 1)');
  assert.deepEqual(r.rcodes, { NOERROR: tree.names.length });
  assert.equal(r.latenciesMs.length, tree.names.length);
  const upstream = seen.slice(before);
  assert.ok(upstream.length >= tree.names.length * 0.8, `${upstream.length} upstream queries reported`);
  assert.ok(upstream.some((q) => q.name === 'alpha'), 'the TLD was asked (minimised) at the root');
  assert.deepEqual([...new Set(upstream.map((q) => q.from))], [ward.address], 'Ward queries from its own address');
  const total = Object.values(lab.traffic()).reduce((a, t) => a + t.udpQueries + t.tcpQueries, 0);
  assert.equal(total, seen.length, 'onQuery sees exactly what the relays count');
  for (const name of tree.names.slice(0, 30)) {
    const view = answerView(await query(ward.address, ward.ports.udp, name, 'A'));
    assert.equal(view.rcode, 'NOERROR', name);
    assert.ok(view.answers.some((a) => a.endsWith(` A ${tree.expected.get(name)}`)), `${name}: ${view.answers.join(', ')}`);
  }
});
