/**
 * DNSSEC in the resolver pipeline (cache → iterator → validator → cache): a signed root (the trust
 * anchor) delegating a signed `test.`, served by scripted servers. Checks AD only for secure data
 * and only to clients that set DO or AD (RFC 6840 §5.8), RRSIGs only with DO (RFC 4035 §3.2.1),
 * bogus → SERVFAIL with EDE 6 (RFC 8914) unless CD (RFC 4035 §3.2.2), the security state kept with
 * cached data (a hit validates nothing again), bogus data asked again of another server, and no
 * validation without anchors; a stub zone judged through its parent's DS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../src/config/index.js';
import { ManualClock } from '../../src/util/index.js';
import { silentLogger } from '../../src/log/index.js';
import { FLAG, RCODE, type Message, type Record } from '../../src/wire/index.js';
import { createResolver, type Resolution } from '../../src/resolver/index.js';
import { trustAnchors } from '../../src/dnssec/index.js';
import type { UpstreamQuery } from '../../src/upstream/index.js';
import { FakeNet, ROOT, type Server } from './resolver-fake-net.js';
import { EXPIRATION, INCEPTION, NOW, makeDs, makeKey, rrs, signRRset, type TestKey } from './dnssec-fixtures.js';

const rootKey = makeKey('', 13);
const testKey = makeKey('test', 15);
const TEST_NS = '10.0.1.1';

function signed(text: string, key: TestKey): Record[] {
  const set = rrs(text);
  return [...set, signRRset(set, key, INCEPTION, EXPIRATION)];
}
const keyText = (k: TestKey): string => {
  const d = (k.dnskey as unknown as { data: { flags: number; algorithm: number; key: Buffer } }).data;
  return `${d.flags} 3 ${d.algorithm} ${d.key.toString('base64')}`;
};

const ds = [makeDs(testKey), signRRset([makeDs(testKey)], rootKey, INCEPTION, EXPIRATION)];
const bad = signed('bad.test. 300 IN A 192.0.2.66', testKey);
(bad[0] as unknown as { data: string }).data = '192.0.2.67'; // the signature no longer matches

type Answers = { [nameType: string]: Partial<Message> };
const ROOT_DATA: Answers = {
  '|DNSKEY': { answers: signed(`. 3600 IN DNSKEY ${keyText(rootKey)}`, rootKey) },
  'test|DS': { answers: ds },
};
const TEST_DATA: Answers = {
  'test|DNSKEY': { answers: signed(`test. 3600 IN DNSKEY ${keyText(testKey)}`, testKey) },
  'www.test|A': { answers: signed('www.test. 300 IN A 192.0.2.1', testKey) },
  'ns.test|A': { answers: signed('ns.test. 300 IN A 10.0.1.1', testKey) },
  'bad.test|A': { answers: bad },
  // NXDOMAIN with NSEC proofs: ns.test..www.test covers nx1/nx2.test, the apex NSEC covers *.test.
  'nx1.test|A': {
    flags: RCODE.NXDOMAIN,
    authorities: [
      ...signed('test. 300 IN SOA ns.test. h.test. 1 2 3 4 300', testKey),
      ...signed('ns.test. 300 IN NSEC www.test. A RRSIG NSEC', testKey),
      ...signed('test. 300 IN NSEC bad.test. SOA NS DNSKEY RRSIG NSEC', testKey),
    ],
  },
};
/** A second server for test. whose copy of flip.test is good, while the first server's is bogus. */
const TEST_NS2 = '10.0.1.2';
const flip = signed('flip.test. 300 IN A 192.0.2.5', testKey);
const TEST2_DATA: Answers = { ...TEST_DATA, 'flip.test|A': { answers: flip } };
TEST_DATA['flip.test|A'] = { answers: [flip[0], signRRset(rrs('flip.test. 300 IN A 192.0.2.6'), testKey, INCEPTION, EXPIRATION)] };

/** The root refers everything else under test. to its servers, with the signed DS (RFC 4035 §3.1.4). */
const REFERRAL: Partial<Message> = {
  authorities: [...rrs('test. 86400 IN NS ns.test.\ntest. 86400 IN NS ns2.test.'), ...ds],
  additionals: rrs(`ns.test. 86400 IN A ${TEST_NS}\nns2.test. 86400 IN A ${TEST_NS2}`),
};

function serve(data: Answers, otherwise: Partial<Message>) {
  return (q: UpstreamQuery): Partial<Message> => {
    const own = data[`${q.name.toLowerCase().replace(/\.$/, '')}|${q.type}`];
    return own ? { ...own, flags: FLAG.AA | (own.flags ?? 0) } : otherwise;
  };
}

/** A private stub zone corp. (unsigned, at 10.0.9.1) under the signed root, which answers `corp DS` with `rootDs`. */
interface StubCase { rootDs: Partial<Message>; ntas: string[] }
const STUB_NS = '10.0.9.1';

function setup(anchored = true, stub?: StubCase) {
  const servers: { [a: string]: Server } = {
    [ROOT]: { zones: [], behaviour: serve(stub ? { ...ROOT_DATA, 'corp|DS': stub.rootDs } : ROOT_DATA, REFERRAL) },
    [STUB_NS]: { zones: [], behaviour: serve({ 'www.corp|A': { answers: rrs('www.corp. 300 IN A 10.1.1.1') } }, { flags: RCODE.NXDOMAIN }) },
    [TEST_NS]: { zones: [], behaviour: serve(TEST_DATA, { flags: FLAG.AA | RCODE.NXDOMAIN }) },
    [TEST_NS2]: { zones: [], behaviour: serve(TEST2_DATA, { flags: FLAG.AA | RCODE.NXDOMAIN }) },
  };
  const net = new FakeNet(new Map(Object.entries(servers)));
  const config = defaultConfig();
  config.resolver.root_priming = false;
  config.upstream.ipv6 = false;
  const resolver = createResolver({
    upstream: net, clock: new ManualClock(NOW * 1000), log: silentLogger(), resolver: config.resolver, cache: config.cache,
    upstreamConfig: config.upstream, rootHints: [{ name: 'a.root', addresses: [ROOT] }],
    trustAnchors: anchored ? trustAnchors([makeDs(rootKey)], stub?.ntas) : undefined,
    ...(stub ? { stubZones: [{ name: 'corp', addresses: [STUB_NS], hosts: [], first: false }] } : {}),
  });
  const ask = (name: string, flags: { do?: boolean; ad?: boolean; cd?: boolean } = {}, type = 'A'): Promise<Resolution> =>
    resolver.resolve({ question: { name, type, class: 'IN' }, flags: { rd: true, cd: false, do: false, ad: false, ...flags } });
  return { net, ask };
}

test('secure data gets AD with DO or AD set, RRSIGs only with DO, and keeps its state in the cache', async () => {
  const { net, ask } = setup();
  const first = await ask('www.test', { do: true });
  assert.equal(first.rcode, RCODE.NOERROR);
  assert.equal(first.authenticated, true);
  assert.deepEqual(first.answer.map((rr) => rr.type).sort(), ['A', 'RRSIG']);
  const sent = net.log.length;
  const plain = await ask('www.test');
  assert.equal(plain.authenticated, false, 'no AD for a client that set neither DO nor AD');
  assert.deepEqual(plain.answer.map((rr) => rr.type), ['A']);
  const ad = await ask('www.test', { ad: true });
  assert.equal(ad.authenticated, true, 'AD for a client that set AD (RFC 6840 §5.7)');
  assert.equal(net.log.length, sent, 'cache hits: no new query, not even for keys');
});

test('bogus data is SERVFAIL with EDE 6, also from the cache; CD gets the data without AD', async () => {
  const { ask } = setup();
  const r = await ask('bad.test', { do: true });
  assert.equal(r.rcode, RCODE.SERVFAIL);
  assert.equal(r.ede?.[0]?.infoCode, 6);
  assert.equal(r.answer.length, 0);
  const again = await ask('bad.test');
  assert.equal(again.rcode, RCODE.SERVFAIL, 'the cached bogus state is not served as data');
  const cd = await ask('bad.test', { cd: true, do: true });
  assert.equal(cd.rcode, RCODE.NOERROR);
  assert.equal(cd.authenticated, false);
});

test('bogus data from one server is fetched again from another (blacklisting) and then validates', async () => {
  const { net, ask } = setup();
  await ask('www.test');
  const r = await ask('flip.test', { do: true });
  assert.equal(r.rcode, RCODE.NOERROR);
  assert.equal(r.authenticated, true);
  assert.deepEqual(net.log.filter((l) => l.name.startsWith('flip')).map((l) => l.server), [TEST_NS, TEST_NS2]);
});

test('validated NSECs answer other names and types without asking (RFC 8198)', async () => {
  const { net, ask } = setup();
  const first = await ask('nx1.test', { do: true });
  assert.deepEqual([first.rcode, first.authenticated], [RCODE.NXDOMAIN, true]);
  const sent = net.log.length;
  const other = await ask('nx2.test', { do: true });
  assert.deepEqual([other.rcode, other.authenticated], [RCODE.NXDOMAIN, true]);
  assert.deepEqual(other.authority.filter((rr) => rr.type === 'NSEC').map((rr) => rr.name).sort(), ['ns.test', 'test']);
  const nodata = await ask('ns.test', { do: true }, 'TXT');
  assert.deepEqual([nodata.rcode, nodata.answer.length, nodata.authenticated], [RCODE.NOERROR, 0, true]);
  assert.equal(net.log.length, sent, 'answered from the NSECs, no query');
});

test('without trust anchors nothing is validated and nothing is authenticated', async () => {
  const { net, ask } = setup(false);
  const r = await ask('bad.test', { do: true });
  assert.equal(r.rcode, RCODE.NOERROR);
  assert.equal(r.authenticated, false);
  assert.equal(net.count('test', 'DNSKEY'), 0);
});

test('a stub zone is validated through its parent: insecure below an unsigned delegation, bogus where the parent denies it unless an NTA names it', async () => {
  const soa = signed('. 86400 IN SOA a.root. h. 1 2 3 4 86400', rootKey);
  // The root proves corp. is a delegation without DS (NSEC with NS, no DS: RFC 4035 §5.2).
  const unsigned = { authorities: [...soa, ...signed('corp. 86400 IN NSEC test. NS RRSIG NSEC', rootKey)] };
  // The root proves corp. does not exist: its keys stay in force for the unsigned stub data.
  const absent = { flags: RCODE.NXDOMAIN, authorities: [...soa, ...signed('. 86400 IN NSEC test. NS SOA DNSKEY RRSIG NSEC', rootKey)] };
  const insecure = await setup(true, { rootDs: unsigned, ntas: [] }).ask('www.corp', { do: true });
  assert.deepEqual([insecure.rcode, insecure.security, insecure.authenticated, insecure.answer.length], [RCODE.NOERROR, 'insecure', false, 1]);
  const bogus = await setup(true, { rootDs: absent, ntas: [] }).ask('www.corp', { do: true });
  assert.deepEqual([bogus.rcode, bogus.security, bogus.ede?.[0].infoCode], [RCODE.SERVFAIL, 'bogus', 10], 'RRSIGs Missing; Unbound needs domain-insecure: too');
  const nta = await setup(true, { rootDs: absent, ntas: ['corp'] }).ask('www.corp', { do: true });
  assert.deepEqual([nta.rcode, nta.security, nta.authenticated, nta.answer.length], [RCODE.NOERROR, 'insecure', false, 1], 'a negative trust anchor');
});
