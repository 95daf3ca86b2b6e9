/**
 * `ward upstream` against the authoritative lab with DoT on NSD and BIND (Knot has none), through
 * the lab's counting relays:
 * - a cold run of 3,000 names with upstream.tls opportunistic: the DoT-capable servers at ≥ 95%
 *   encrypted share with ≥ 100 queries per TLS connection, Knot at 0%, and Ward's per-server figures
 *   (queries in clear, TLS connections) equal to what the relays counted;
 * - upstream.tls_rules: a strict rule with a wrong SPKI pin fails closed (SERVFAIL, EDE 22 naming
 *   the pin) with nothing sent in clear for the zone, and `ward upstream` says why; the right pin,
 *   and the lab's certificate as ca_file with its name, answer over DoT.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDnsperf } from '../../bench/dnsperf.js';
import { scaleTree } from '../../bench/scale-zones.js';
import { startLabResolver, type Target } from '../../bench/targets.js';
import { createApp, type App } from '../../src/app.js';
import { defaultConfig, type UpstreamTlsRule } from '../../src/config/index.js';
import { controlRequest } from '../../src/control/index.js';
import { spkiPin } from '../../src/tls/index.js';
import { findOpt, OPTION, peekQuestion, readEde } from '../../src/wire/index.js';
import { startLab, type Lab } from '../helpers/lab.js';
import { makeTempDir } from '../helpers/lab-process.js';
import { query, rcodeName } from '../helpers/lab-query.js';
import { LAB_ADDR } from '../helpers/lab-zones.js';
import { edeCodes } from '../helpers/hostile-world.js';

const tree = scaleTree(3000);
/** A zone of the tree on NSD (not hosted): z = 2 → z000.charlie. */
const STRICT_ZONE = 'z000.charlie.';
const seen: { name: string; from: string }[] = [];

interface ServerRow { address: string; queries: number; queries_tls: number; tls_connections: number; encrypted_share: number; last_error?: string; tls_rule?: string }

describe('ward upstream in the DoT lab', { timeout: 240_000 }, () => {
  let lab: Lab | undefined;
  const tmp = makeTempDir('ward-ops-upstream');
  before(async () => {
    lab = await startLab({ rttMs: 0, zones: tree.zones, onQuery: (m, from) => { seen.push({ name: peekQuestion(m)?.name.toLowerCase() ?? '?', from }); } });
  });
  after(async () => {
    await lab?.stop();
    tmp.remove();
  });

  test('a cold run: encrypted share per server agrees with the relays', { timeout: 180_000 }, async (ctx) => {
    assert.ok(lab);
    assert.equal(tree.zones[STRICT_ZONE]?.[0], 'nsd');
    let ward: Target | undefined;
    try {
      ward = await startLabResolver('Ward', lab, tmp.dir);
      const queryFile = join(tmp.dir, 'names.txt');
      writeFileSync(queryFile, tree.names.map((n) => `${n} A\n`).join(''));
      const r = await runDnsperf({
        server: ward.address, port: ward.ports.udp, mode: 'udp', queryFile, passes: 1, seconds: 120, timeoutS: 5, clients: 1, outstanding: 100,
      });
      assert.equal(r.sent, tree.names.length);
      assert.deepEqual(r.rcodes, { NOERROR: tree.names.length });
      const report = await controlRequest({ socket: join(tmp.dir, 'ward-state', 'control.sock') }, { command: 'upstream' }) as { servers: ServerRow[]; encrypted_share: number };
      const traffic = lab.traffic();
      for (const [address, dot] of [[LAB_ADDR.nsd, true], [LAB_ADDR.bind, lab.software.bind === 'bind'], [LAB_ADDR.knot, false]] as const) {
        const row = report.servers.find((s) => s.address === address);
        const t = traffic[address];
        assert.ok(row && t, `${address}: a row and relay counts`);
        const what = `${address}: ${JSON.stringify(row)} relays ${JSON.stringify(t)}`;
        ctx.diagnostic(`${address}: ${row.queries} queries, encrypted share ${(row.encrypted_share * 100).toFixed(1)}%, ${row.tls_connections} TLS connections`);
        assert.equal(row.queries - row.queries_tls, t.udpQueries + t.tcpQueries, `${what}: queries in clear`);
        assert.equal(row.tls_connections, t.dotConnections, `${what}: TLS connections`);
        if (dot) {
          assert.ok(row.encrypted_share >= 0.95, `${what}: encrypted share`);
          assert.ok(row.queries_tls / row.tls_connections >= 100, `${what}: queries per TLS connection`);
        } else {
          assert.equal(row.encrypted_share, 0, what);
        }
      }
      assert.ok(report.encrypted_share > 0.5, `overall ${report.encrypted_share}`);
    } finally {
      await ward?.stop();
    }
  });

  /** An in-process Ward through the lab with one tls_rules entry for STRICT_ZONE. */
  async function wardWithRule(rule: Partial<UpstreamTlsRule>, n: number): Promise<App> {
    assert.ok(lab);
    const config = defaultConfig();
    config.server.listen = [{ address: '127.0.2.48', port: 0, transport: 'udp' }];
    config.server.state_dir = join(tmp.dir, `strict-${n}`);
    config.resolver = { ...config.resolver, root_hints: lab.rootHints, root_priming: false, do_not_query_localhost: false };
    config.upstream = {
      ...config.upstream, ipv6: false, timeout_ms: 1_000,
      tls_rules: [{ zone: STRICT_ZONE, address: null, mode: 'strict', pins: [], ca_file: null, name: null, ...rule }],
    };
    config.dnssec = { ...config.dnssec, trust_anchors: [] };
    config.log = { ...config.log, level: 'silent' };
    return createApp(config, { configPath: 'operations-upstream' });
  }

  test('a strict rule: a wrong pin fails closed and says why; the right pin and a CA file answer over DoT', async () => {
    assert.ok(lab);
    const labPin = spkiPin(readFileSync(join(lab.dir, 'cert.pem'), 'utf8'));
    const wrongPin = Buffer.alloc(32, 7).toString('base64');
    const cases: [Partial<UpstreamTlsRule>, boolean][] = [
      [{ pins: [wrongPin] }, false], [{ pins: [labPin] }, true], [{ ca_file: join(lab.dir, 'cert.pem'), name: 'lab' }, true],
    ];
    for (const [i, [rule, works]] of cases.entries()) {
      const app = await wardWithRule(rule, i);
      try {
        const port = app.server.sockets[0].port;
        const clearBefore = seen.filter((q) => q.name.endsWith(STRICT_ZONE.slice(0, -1)) && q.name !== STRICT_ZONE.slice(0, -1)).length;
        const msg = await query('127.0.2.48', port, `www.${STRICT_ZONE}`, 'A', { timeoutMs: 10_000 });
        const clear = seen.filter((q) => q.name.endsWith(STRICT_ZONE.slice(0, -1)) && q.name !== STRICT_ZONE.slice(0, -1)).length - clearBefore;
        assert.equal(clear, 0, `${JSON.stringify(rule)}: nothing below ${STRICT_ZONE} went in clear`);
        const row = app.admin.upstream().servers.find((s) => s.address === LAB_ADDR.nsd) as ServerRow | undefined;
        assert.ok(row, 'NSD has a row');
        assert.match(row.tls_rule ?? '', /zone z000\.charlie: strict/);
        if (works) {
          assert.equal(rcodeName(msg), 'NOERROR', JSON.stringify(rule));
          assert.ok(row.queries_tls > 0);
        } else {
          assert.equal(rcodeName(msg), 'SERVFAIL');
          assert.deepEqual(edeCodes(msg), [22]);
          const text = (findOpt(msg)?.options ?? []).filter((o) => o.code === OPTION.EDE).map((o) => readEde(o)?.extraText ?? '').join(' ');
          assert.match(text, /servers for 'z000\.charlie' failed: strict DoT .*SPKI pin \S+ not in pin set/);
          assert.match(row.last_error ?? '', /strict DoT \(rule zone z000\.charlie: strict, 1 SPKI pin\(s\)\): SPKI pin/);
        }
      } finally {
        await app.stop();
      }
    }
  });
});
