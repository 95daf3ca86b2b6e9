/**
 * DNS64 against the lab (issue 9): an in-process Ward with dns64 on, resolving through the lab's
 * private root. A name with only A gets AAAA synthesized in 64:ff9b::/96 (TTL capped by the SOA
 * minimum, RFC 6147 §5.1.7), a name with its own AAAA keeps it, a CNAME chain across zones gets the
 * AAAA of its last target, a client with DO and CD gets the real NODATA (§5.5), the reverse name of a
 * synthesized address is a CNAME into in-addr.arpa (§5.3.1), and a reload with dns64 off stops it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { createApp, type App } from '../../src/app.js';
import { defaultConfig, loadConfig, type Config } from '../../src/config/index.js';
import { startLab, type Lab } from '../helpers/lab.js';
import { makeTempDir } from '../helpers/lab-process.js';
import { answerView, query, type QueryOptions } from '../helpers/lab-query.js';
import type { RRType } from '../../src/wire/index.js';

/** Ward under test (DESIGN.md "Lab addresses": 127.0.2.x), on port 53 like the lab's other resolvers. */
const ADDRESS = '127.0.2.64';

describe('DNS64 against the lab', { timeout: 60_000 }, () => {
  let lab: Lab | undefined;
  let app: App | undefined;
  const tmp = makeTempDir('ward-dns64');
  const configFile = join(tmp.dir, 'ward.yaml');

  /** Ward through the lab, dns64 as given, written to configFile so that reload reads it. */
  const writeConfig = (dns64: Config['dns64']): void => {
    assert.ok(lab);
    const config = defaultConfig();
    config.server.listen = [{ address: ADDRESS, port: 53, transport: 'udp' }];
    config.server.state_dir = join(tmp.dir, 'state');
    config.resolver = { ...config.resolver, root_hints: lab.rootHints, root_priming: false, do_not_query_localhost: false };
    config.upstream = { ...config.upstream, ipv6: false, timeout_ms: 1_000 };
    config.dnssec = { ...config.dnssec, trust_anchors: [] };
    config.control = { ...config.control, enabled: false };
    config.log = { ...config.log, level: 'silent' };
    config.dns64 = dns64;
    writeFileSync(configFile, YAML.stringify(config));
  };

  const ask = async (name: string, type: RRType, opts: QueryOptions = {}): ReturnType<typeof query> => {
    assert.ok(app);
    return query(ADDRESS, 53, name, type, { timeoutMs: 10_000, ...opts });
  };

  before(async () => {
    lab = await startLab();
    writeConfig({ ...defaultConfig().dns64, enabled: true });
    app = await createApp(loadConfig(configFile), { configPath: configFile });
  });
  after(async () => {
    await app?.stop();
    await lab?.stop();
    tmp.remove();
  });

  test('a name with only A gets AAAA synthesized in 64:ff9b::/96, no longer than the NODATA holds', async () => {
    const msg = await ask('www.glue.test', 'AAAA');
    assert.deepEqual(answerView(msg), { rcode: 'NOERROR', answers: ['www.glue.test AAAA 64:ff9b::c000:20a'] }, '64:ff9b::192.0.2.10');
    // The A record's TTL is 3600, glue.test's SOA MINIMUM 300 (RFC 6147 §5.1.7).
    const ttls = msg.answers.map((rr) => (rr as { ttl?: number }).ttl ?? 0);
    assert.ok(ttls.every((ttl) => ttl > 0 && ttl <= 300), `TTLs ${ttls.join(', ')}`);
    assert.deepEqual(answerView(await ask('www.glue.test', 'A')), { rcode: 'NOERROR', answers: ['www.glue.test A 192.0.2.10'] }, 'A questions unchanged');
  });

  test('a name with its own AAAA keeps it', async () => {
    assert.deepEqual(answerView(await ask('dual.glue.test', 'AAAA')), { rcode: 'NOERROR', answers: ['dual.glue.test AAAA 2001:db8::13'] });
  });

  test('a CNAME chain across three zones: the CNAMEs and the AAAA of the last target', async () => {
    assert.deepEqual(answerView(await ask('chain.glue.test', 'AAAA')), {
      rcode: 'NOERROR', answers: ['chain.glue.test CNAME hop.oob.test', 'hop.oob.test CNAME www.lab', 'www.lab AAAA 64:ff9b::c000:203'],
    });
  });

  test('NXDOMAIN passes through; DO and CD together get the real NODATA', async () => {
    assert.deepEqual(answerView(await ask('nx.glue.test', 'AAAA')), { rcode: 'NXDOMAIN', answers: [] });
    assert.deepEqual(answerView(await ask('www.sub.glue.test', 'AAAA', { dnssecOk: true, checkingDisabled: true })), { rcode: 'NOERROR', answers: [] });
    assert.deepEqual(answerView(await ask('www.sub.glue.test', 'AAAA', { dnssecOk: true })), { rcode: 'NOERROR', answers: ['www.sub.glue.test AAAA 64:ff9b::c000:20c'] }, 'DO alone');
  });

  test('the reverse name of a synthesized address is a CNAME to its in-addr.arpa name', async () => {
    const name = `${'a.0.2.0.0.0.0.c.'}${'0.'.repeat(16)}b.9.f.f.4.6.0.0.ip6.arpa`;
    // The lab's root has no in-addr.arpa: the CNAME's target does not exist.
    assert.deepEqual(answerView(await ask(name, 'PTR')), { rcode: 'NXDOMAIN', answers: [`${name} CNAME 10.2.0.192.in-addr.arpa`] });
  });

  test('reload with dns64 off: the NODATA again', async () => {
    assert.ok(app);
    writeConfig({ ...defaultConfig().dns64, enabled: false });
    assert.ok((await app.admin.reload()).applied.includes('dns64'));
    assert.deepEqual(answerView(await ask('www.glue.test', 'AAAA')), { rcode: 'NOERROR', answers: [] });
  });
});
