/**
 * Operating a running `ward` process through its control channel and metrics listener: after a
 * known mix of queries (dig over UDP and TCP, kdig over TLS, and the test's own client), `ward stats
 * --json` and a Prometheus scrape give exactly the counts sent; `ward reload` with a changed local
 * zone answers the new data on a client's open TLS connection, which stays open; a broken config
 * is refused (exit code non-zero, the error on stderr) and the old data keeps answering; SIGHUP
 * reloads likewise; a control command against a Ward that is not running names the socket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type TLSSocket } from 'node:tls';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { query, rcodeName, recordText } from '../helpers/lab-query.js';
import { makeTempDir } from '../helpers/lab-process.js';
import { decodeMessage, encodeMessage, FLAG, frame, FrameDecoder, type Message } from '../../src/wire/index.js';
import { freePort, runCommand, series, startWard, wardCli, type WardProcess } from './ward-under-test.js';

const ADDR = '127.0.2.47';


async function wardJson(w: WardProcess, args: string[]): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await wardCli([...args, '--json', '--config', w.configFile]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** One TLS connection kept open, carrying framed queries one at a time. */
class TlsClient {
  private readonly decoder = new FrameDecoder(65535);
  private waiting: ((m: Message) => void) | undefined;
  closed = false;

  private constructor(private readonly sock: TLSSocket) {
    sock.on('data', (chunk: Buffer) => {
      for (const f of this.decoder.push(chunk).frames) this.waiting?.(decodeMessage(f) as Message);
    });
    sock.on('close', () => { this.closed = true; });
  }

  static open(address: string, port: number): Promise<TlsClient> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host: address, port, rejectUnauthorized: false });
      sock.once('secureConnect', () => resolve(new TlsClient(sock)));
      sock.once('error', reject);
    });
  }

  ask(name: string, id: number): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${name} on the TLS connection`)), 5_000);
      this.waiting = (m) => { clearTimeout(timer); resolve(m); };
      this.sock.write(frame(encodeMessage({ id, type: 'query', flags: FLAG.RD, questions: [{ name, type: 'A', class: 'IN' }] })));
    });
  }

  close(): void { this.sock.destroy(); }
}

const addressOf = (m: Message): string[] => (m.answers ?? []).map(recordText);

/** The value of one Prometheus series in a scrape (exposition text). */
test('stats and metrics count exactly the queries sent, by transport', async () => {
  const metricsPort = await freePort(ADDR);
  const w = await startWard(ADDR, {}, { http: { listen: { address: ADDR, port: metricsPort } } });
  try {
    const before = await wardJson(w, ['stats']);
    // startWard's readiness probes asked localhost. over UDP and TCP: count from here.
    const base = before.queries;
    for (let i = 0; i < 3; i++) assert.equal((await runCommand('dig', [`@${ADDR}`, '-p', String(w.port), '+short', 'www.ward.test', 'A'])).stdout.trim(), '192.0.2.80');
    for (let i = 0; i < 2; i++) assert.equal((await runCommand('dig', [`@${ADDR}`, '-p', String(w.port), '+tcp', '+short', 'www.ward.test', 'AAAA'])).stdout.trim(), '2001:db8::80');
    const k = await runCommand('kdig', [`@${ADDR}`, '-p', String(w.tlsPort), '+tls', '+short', 'www.ward.test', 'A']);
    assert.equal(k.stdout.trim(), '192.0.2.80', k.stderr);
    const tls = await TlsClient.open(ADDR, w.tlsPort);
    assert.deepEqual(addressOf(await tls.ask('www.ward.test.', 7)), ['www.ward.test A 192.0.2.80']);
    tls.close();
    const nx = await query(ADDR, w.port, 'nothing.ward.test.', 'A', { transport: 'udp' });
    assert.equal(rcodeName(nx), "NXDOMAIN");

    const after = await wardJson(w, ['stats']);
    const q = after.queries;
    assert.equal(q.udp - base.udp, 4, '3 dig + 1 own client over UDP');
    assert.equal(q.tcp - base.tcp, 2);
    assert.equal(q.tls - base.tls, 2, 'kdig and the own TLS client');
    assert.equal(q.total - base.total, 8);
    assert.equal((q.by_rcode.NXDOMAIN ?? 0) - (base.by_rcode.NXDOMAIN ?? 0), 1);
    // The second and third identical UDP questions come from the packet cache.
    assert.ok(after.cache.packet_hits - before.cache.packet_hits >= 2, JSON.stringify(after.cache));
    assert.equal(typeof after.memory.rss_bytes, 'number');

    const res = await fetch(`http://${ADDR}:${metricsPort}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const scrape = await res.text();
    for (const t of ['udp', 'tcp', 'tls'] as const) assert.equal(series(scrape, `ward_queries_total{transport="${t}"}`), q[t], t);
    assert.equal(series(scrape, 'ward_responses_total{rcode="NXDOMAIN"}'), q.by_rcode.NXDOMAIN);
    assert.equal(series(scrape, 'ward_answer_duration_seconds_count'), q.answered);
    assert.ok(series(scrape, 'ward_nodejs_eventloop_lag_seconds') >= 0, 'event-loop delay is exported');
    assert.equal((await fetch(`http://${ADDR}:${metricsPort}/other`)).status, 404);

    // --reset: the next report counts from zero in since_reset, and from start at the top level.
    await wardJson(w, ['stats', '--reset']);
    await query(ADDR, w.port, 'www.ward.test.', 'A', { transport: 'tcp' });
    const reset = await wardJson(w, ['stats']);
    assert.equal(reset.since_reset.queries.tcp, 1);
    assert.equal(reset.queries.tcp, q.tcp + 1);
    const table = await wardCli(['stats', '--config', w.configFile]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /queries\s+\d+\s+1\n/);
  } finally {
    assert.equal(await w.stop(), 0);
  }
});

test('reload: new local data on an open TLS connection; a broken config is refused; SIGHUP reloads', async () => {
  const w = await startWard(ADDR);
  try {
    const tls = await TlsClient.open(ADDR, w.tlsPort);
    assert.deepEqual(addressOf(await tls.ask('www.ward.test.', 1)), ['www.ward.test A 192.0.2.80']);
    const config = YAML.parse(readFileSync(w.configFile, 'utf8'));
    const setAddress = (a: string): void => {
      config.local_zones[0].records = config.local_zones[0].records.map((r: string) => r.replace(/IN A \S+$/, `IN A ${a}`));
      writeFileSync(w.configFile, YAML.stringify(config));
    };

    config.server = { ...config.server, heap_growth_percent: 20 };
    setAddress('192.0.2.81');
    const r = await wardCli(['reload', '--config', w.configFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /local_zones/);
    assert.match(r.stdout, /server\.heap_growth_percent/, 'the collector setting is applied live');
    assert.deepEqual(addressOf(await tls.ask('www.ward.test.', 2)), ['www.ward.test A 192.0.2.81']);
    assert.equal(tls.closed, false, 'the client connection stayed open across the reload');

    // A record that does not parse: refused with the start-up error; the running config keeps answering.
    setAddress('192.0.2.999');
    const bad = await wardCli(['reload', '--config', w.configFile]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /local_zones\[0\]\.records\[1\]: expected a record in zone-file syntax/);
    assert.deepEqual(addressOf(await tls.ask('www.ward.test.', 3)), ['www.ward.test A 192.0.2.81']);

    // SIGHUP: a valid change is applied, the broken one before it left no trace.
    setAddress('192.0.2.82');
    w.child.kill('SIGHUP');
    let seen: string[] = [];
    for (let i = 0; i < 50 && seen[0] !== 'www.ward.test A 192.0.2.82'; i++) {
      await new Promise((res) => setTimeout(res, 100));
      seen = addressOf(await tls.ask('www.ward.test.', 10 + i));
    }
    assert.deepEqual(seen, ['www.ward.test A 192.0.2.82']);
    // SIGHUP with a broken file: logged, not applied.
    setAddress('not-an-address');
    w.child.kill('SIGHUP');
    for (let i = 0; i < 50 && !/reload refused/.test(w.output()); i++) await new Promise((res) => setTimeout(res, 100));
    assert.match(w.output(), /reload refused: the running configuration is kept/);
    assert.deepEqual(addressOf(await tls.ask('www.ward.test.', 99)), ['www.ward.test A 192.0.2.82']);
    assert.equal(tls.closed, false);
    tls.close();
  } finally {
    assert.equal(await w.stop(), 0);
  }
});

test('query log: one JSON line per query with a keyed client hash, rotated by size', async () => {
  const tmp = makeTempDir('ward-qlog');
  const file = join(tmp.dir, 'q.log');
  const w = await startWard(ADDR, {}, { log: { level: 'warn', queries: { enabled: true, file, max_bytes: 4096, files: 2, anonymize: true } } });
  try {
    for (let i = 0; i < 3; i++) await query(ADDR, w.port, 'www.ward.test.', 'A', { transport: 'udp' });
    await query(ADDR, w.port, 'nothing.ward.test.', 'AAAA', { transport: 'tcp' });
    const lines = async (): Promise<any[]> => { // eslint-disable-line @typescript-eslint/no-explicit-any
      for (let i = 0; i < 50; i++) {
        const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
        if (/nothing\.ward\.test/.test(text)) return text.trim().split('\n').map((l) => JSON.parse(l));
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error('the query log did not get the lines');
    };
    const log = (await lines()).filter((l) => l.name !== 'localhost');
    assert.deepEqual(log.map((l) => [l.name, l.type, l.transport, l.rcode]), [
      ['www.ward.test', 'A', 'udp', 'NOERROR'], ['www.ward.test', 'A', 'udp', 'NOERROR'], ['www.ward.test', 'A', 'udp', 'NOERROR'],
      ['nothing.ward.test', 'AAAA', 'tcp', 'NXDOMAIN'],
    ]);
    assert.equal(log[0].source, 'local');
    assert.equal(log[1].source, 'packet-cache');
    assert.match(log[0].client, /^[0-9a-f]{16}$/, 'the address is replaced by a keyed hash');
    assert.ok(log.every((l) => l.client === log[0].client), 'one client, one hash');
    assert.ok(!readFileSync(file, 'utf8').includes(ADDR), 'the address itself is not in the log');
    assert.equal(typeof log[0].time, 'string');
    assert.equal(typeof log[0].duration_ms, 'number');
    // 4096 bytes hold about 20 lines: 60 more queries rotate twice; two old files are kept, no third.
    for (let i = 0; i < 60; i++) await query(ADDR, w.port, `n${i}.ward.test.`, 'A', { transport: 'udp' });
    for (let i = 0; i < 50 && !existsSync(`${file}.2`); i++) await new Promise((res) => setTimeout(res, 100));
    assert.ok(existsSync(`${file}.1`) && existsSync(`${file}.2`), 'rotated files');
    assert.equal(existsSync(`${file}.3`), false);
  } finally {
    assert.equal(await w.stop(), 0);
    tmp.remove();
  }
});

test('a control command with no Ward running names the socket it tried', async () => {
  const tmp = makeTempDir('ward-ctl');
  try {
    const file = join(tmp.dir, 'ward.yaml');
    writeFileSync(file, `server:\n  state_dir: ${join(tmp.dir, 'state')}\n`);
    const r = await wardCli(['stats', '--config', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`control socket ${join(tmp.dir, 'state', 'control.sock').replace(/[.]/g, '\\.')}.*is Ward running`));
    const usage = await wardCli(['flush', '--config', file]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /flush needs a NAME or --all/);
  } finally {
    tmp.remove();
  }
});
