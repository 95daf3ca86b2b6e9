/**
 * The DNS64 link (RFC 6147) in front of a scripted rest of the chain: synthesis for NODATA, excluded
 * AAAA, CNAME chains (the A records of the last target), the TTL rule, AD, DO+CD, what passes
 * through unchanged, and PTR for the prefix's reverse names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dns64Handler } from '../../src/policy/index.js';
import { defaultConfig, type Dns64Config } from '../../src/config/index.js';
import type { Answer, ClientQuery, QueryHandler } from '../../src/server/index.js';
import { parseRecord, RCODE, type Record } from '../../src/wire/index.js';

const rr = (text: string): Record => parseRecord(text);
const SOA = 'example.test. 3600 IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 300';

function answer(rcode: number, records: string[], authority: string[] = [], extra: Partial<Answer> = {}): Answer {
  return { rcode, answer: records.map(rr), authority: authority.map(rr), additional: [], authenticated: true, cacheable: true, source: 'cache', ...extra };
}
const nodata = (): Answer => answer(RCODE.NOERROR, [], [SOA]);

/** The rest of the chain: answers by "name type" (lower case), NXDOMAIN otherwise; records every question. */
function scripted(answers: { [key: string]: Answer }): { next: QueryHandler; asked: string[] } {
  const asked: string[] = [];
  const next: QueryHandler = (q) => {
    const key = `${q.question.name.toLowerCase()} ${q.question.type}`;
    asked.push(key);
    return answers[key] ?? answer(RCODE.NXDOMAIN, [], [SOA]);
  };
  return { next, asked };
}

function query(name: string, type: string, flags: Partial<ClientQuery['flags']> = {}): ClientQuery {
  return {
    question: { name, type, class: 'IN' }, flags: { rd: true, cd: false, do: false, ad: false, ...flags },
    peer: { address: '127.0.0.1', port: 5353, transport: 'udp' },
  } as ClientQuery;
}

async function ask(q: ClientQuery, answers: { [key: string]: Answer }, config: Partial<Dns64Config> = {}): Promise<{ ans: Answer; asked: string[] }> {
  const { next, asked } = scripted(answers);
  const link = dns64Handler({ ...defaultConfig().dns64, enabled: true, ...config }, 'test.yaml');
  return { ans: await link(q, new AbortController().signal, next), asked };
}

const text = (records: Record[]): string[] => records.map((r) => `${r.name} ${(r as { ttl?: number }).ttl} ${r.type} ${JSON.stringify((r as { data: unknown }).data)}`);

test('NODATA for AAAA: AAAA synthesized from the A records in the prefix, AD cleared, sections of the A answer', async () => {
  const { ans, asked } = await ask(query('www.example.test', 'AAAA'), {
    'www.example.test AAAA': nodata(),
    'www.example.test A': answer(RCODE.NOERROR, ['www.example.test. 600 IN A 192.0.2.33', 'www.example.test. 600 IN A 198.51.100.7'], [], { additional: [rr('ns.example.test. 60 IN A 192.0.2.1')] }),
  });
  assert.deepEqual(asked, ['www.example.test AAAA', 'www.example.test A']);
  assert.equal(ans.rcode, RCODE.NOERROR);
  // RFC 6147 §5.1.7: TTL = min(A TTL 600, SOA MINIMUM 300).
  assert.deepEqual(text(ans.answer), ['www.example.test 300 AAAA "64:ff9b::c000:221"', 'www.example.test 300 AAAA "64:ff9b::c633:6407"']);
  assert.deepEqual(ans.authority, [], 'no SOA: the answer is positive');
  assert.deepEqual(text(ans.additional), ['ns.example.test 60 A "192.0.2.1"'], 'additional data of the A answer');
  assert.equal(ans.authenticated, false);
  assert.equal(ans.aa, false);
  assert.equal(ans.cacheable, true);
});

test('the TTL is the A TTL when it is lower than the SOA minimum, and another prefix length embeds by RFC 6052', async () => {
  const { ans } = await ask(query('www.example.test', 'AAAA'), {
    'www.example.test AAAA': nodata(),
    'www.example.test A': answer(RCODE.NOERROR, ['www.example.test. 42 IN A 192.0.2.33']),
  }, { prefix: '2001:db8:100::/40' });
  assert.deepEqual(text(ans.answer), ['www.example.test 42 AAAA "2001:db8:1c0:2:21::"']);
});

test('a name with its own AAAA keeps it: the A records are not asked for', async () => {
  const own = answer(RCODE.NOERROR, ['www.example.test. 600 IN AAAA 2001:db8::1']);
  const { ans, asked } = await ask(query('www.example.test', 'AAAA'), { 'www.example.test AAAA': own });
  assert.equal(ans, own);
  assert.deepEqual(asked, ['www.example.test AAAA']);
});

test('RFC 6147 §5.1.4: AAAA records all in an excluded prefix count as none; one outside keeps the answer', async () => {
  const a = answer(RCODE.NOERROR, ['www.example.test. 600 IN A 192.0.2.33']);
  const mapped = answer(RCODE.NOERROR, ['www.example.test. 600 IN AAAA ::ffff:192.0.2.33']);
  const synthesized = await ask(query('www.example.test', 'AAAA'), { 'www.example.test AAAA': mapped, 'www.example.test A': a });
  assert.deepEqual(text(synthesized.ans.answer), ['www.example.test 600 AAAA "64:ff9b::c000:221"'], 'the mapped AAAA is replaced');
  const mixed = answer(RCODE.NOERROR, ['www.example.test. 600 IN AAAA ::ffff:192.0.2.33', 'www.example.test. 600 IN AAAA 2001:db8::1']);
  assert.equal((await ask(query('www.example.test', 'AAAA'), { 'www.example.test AAAA': mixed, 'www.example.test A': a })).ans, mixed);
  const ownExclude = await ask(query('www.example.test', 'AAAA'), { 'www.example.test AAAA': mixed, 'www.example.test A': a }, { exclude: ['::ffff:0:0/96', '2001:db8::/32'] });
  assert.deepEqual(text(ownExclude.ans.answer), ['www.example.test 600 AAAA "64:ff9b::c000:221"'], 'a configured exclude prefix');
});

test('RFC 6147 §5.5: a client with DO and CD gets the real answer; DO alone or CD alone gets the synthesis', async () => {
  const answers = { 'www.example.test AAAA': nodata(), 'www.example.test A': answer(RCODE.NOERROR, ['www.example.test. 600 IN A 192.0.2.33']) };
  const real = await ask(query('www.example.test', 'AAAA', { do: true, cd: true }), answers);
  assert.equal(real.ans, answers['www.example.test AAAA']);
  assert.deepEqual(real.asked, ['www.example.test AAAA']);
  for (const flags of [{ do: true }, { cd: true }]) {
    const { ans } = await ask(query('www.example.test', 'AAAA', flags), answers);
    assert.deepEqual(text(ans.answer), ['www.example.test 300 AAAA "64:ff9b::c000:221"'], JSON.stringify(flags));
    assert.equal(ans.authenticated, false, JSON.stringify(flags));
  }
});

test('RFC 6147 §5.1.7: a CNAME chain without AAAA: the A records of its last target, the CNAMEs and their RRSIGs kept', async () => {
  const sig = (covered: string, owner: string): string => `${owner}. 600 IN RRSIG ${covered} 13 3 600 20300101000000 20200101000000 12345 example.test. AAAA`;
  const { ans, asked } = await ask(query('Alias.Example.Test', 'AAAA', { do: true }), {
    'alias.example.test AAAA': answer(RCODE.NOERROR, [
      'alias.example.test. 600 IN CNAME hop.example.test.', sig('CNAME', 'alias.example.test'),
      'hop.example.test. 600 IN CNAME end.example.test.',
    ], [SOA]),
    'end.example.test A': answer(RCODE.NOERROR, ['end.example.test. 120 IN A 192.0.2.33', sig('A', 'end.example.test')]),
  });
  assert.deepEqual(asked, ['alias.example.test AAAA', 'end.example.test A']);
  assert.deepEqual(ans.answer.map((r) => `${r.name} ${r.type}`), [
    'alias.example.test CNAME', 'alias.example.test RRSIG', 'hop.example.test CNAME', 'end.example.test AAAA',
  ], 'no RRSIG over the A records');
  assert.deepEqual(text(ans.answer.slice(-1)), ['end.example.test 120 AAAA "64:ff9b::c000:221"']);
  assert.equal(ans.authenticated, false);
});

test('NXDOMAIN, errors, and a name without A either pass through unchanged', async () => {
  const nx = answer(RCODE.NXDOMAIN, [], [SOA]);
  assert.equal((await ask(query('nx.example.test', 'AAAA'), { 'nx.example.test AAAA': nx })).ans, nx);
  const servfail = answer(RCODE.SERVFAIL, [], [], { authenticated: false, cacheable: false });
  const failed = await ask(query('bogus.example.test', 'AAAA'), { 'bogus.example.test AAAA': servfail });
  assert.equal(failed.ans, servfail);
  assert.deepEqual(failed.asked, ['bogus.example.test AAAA'], 'no A query after an error');
  const empty = nodata();
  assert.equal((await ask(query('txt.example.test', 'AAAA'), { 'txt.example.test AAAA': empty, 'txt.example.test A': nodata() })).ans, empty);
});

test('a synthesis is cacheable only when both answers were and its TTL is above 0', async () => {
  const cases: [Answer, Answer, boolean][] = [
    [nodata(), answer(RCODE.NOERROR, ['www.example.test. 0 IN A 192.0.2.33']), false],
    [{ ...nodata(), cacheable: false }, answer(RCODE.NOERROR, ['www.example.test. 60 IN A 192.0.2.33']), false],
    [nodata(), answer(RCODE.NOERROR, ['www.example.test. 60 IN A 192.0.2.33'], [], { cacheable: false }), false],
    [nodata(), answer(RCODE.NOERROR, ['www.example.test. 60 IN A 192.0.2.33']), true],
  ];
  for (const [aaaa, a, cacheable] of cases) {
    const { ans } = await ask(query('www.example.test', 'AAAA'), { 'www.example.test AAAA': aaaa, 'www.example.test A': a });
    assert.equal(ans.cacheable, cacheable);
  }
});

test('other questions pass through untouched', async () => {
  const a = answer(RCODE.NOERROR, ['www.example.test. 600 IN A 192.0.2.33']);
  assert.equal((await ask(query('www.example.test', 'A'), { 'www.example.test A': a })).ans, a);
  const chaos = await ask({ ...query('www.example.test', 'AAAA'), question: { name: 'www.example.test', type: 'AAAA', class: 'CH' } }, {});
  assert.equal(chaos.ans.rcode, RCODE.NXDOMAIN);
  const ptr = answer(RCODE.NOERROR, ['1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 600 IN PTR host.example.test.']);
  const other = await ask(query('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa', 'PTR'), {
    '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa PTR': ptr,
  });
  assert.equal(other.ans, ptr, 'a reverse name outside the prefix');
});

test('RFC 6147 §5.3.1: PTR for a reverse name under the prefix is a CNAME to the in-addr.arpa name, followed', async () => {
  // 64:ff9b::c000:221 (192.0.2.33)
  const name = '1.2.2.0.0.0.0.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.9.f.f.4.6.0.0.ip6.arpa';
  const { ans, asked } = await ask(query(name, 'PTR'), {
    '33.2.0.192.in-addr.arpa PTR': answer(RCODE.NOERROR, ['33.2.0.192.in-addr.arpa. 900 IN PTR www.example.test.']),
  });
  assert.deepEqual(asked, ['33.2.0.192.in-addr.arpa PTR']);
  assert.deepEqual(text(ans.answer), [`${name} 900 CNAME "33.2.0.192.in-addr.arpa"`, '33.2.0.192.in-addr.arpa 900 PTR "www.example.test"']);
  assert.equal(ans.authenticated, false);
  const missing = await ask(query(name, 'PTR'), {});
  assert.equal(missing.ans.rcode, RCODE.NXDOMAIN);
  assert.deepEqual(text(missing.ans.answer), [`${name} 300 CNAME "33.2.0.192.in-addr.arpa"`], 'the CNAME, with the negative TTL of the SOA');
});
