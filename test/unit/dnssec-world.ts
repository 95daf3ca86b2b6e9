/**
 * A small signed world for resolver-level DNSSEC tests: a root (ECDSA P-256, the trust anchor)
 * delegating a signed `test.` (Ed25519, served at 10.0.1.1 with the answers the test gives), over the
 * scripted FakeNet, with a ManualClock at the fixtures' NOW. QNAME minimisation is off so each
 * question reaches test.'s server as asked. With `shared`, the resolver uses that shared cache tier.
 */
import { defaultConfig, type Config } from '../../src/config/index.js';
import { ManualClock } from '../../src/util/index.js';
import { silentLogger } from '../../src/log/index.js';
import { FLAG, RCODE, type Message, type Record } from '../../src/wire/index.js';
import { createResolver, type Resolution } from '../../src/resolver/index.js';
import { trustAnchors } from '../../src/dnssec/index.js';
import type { AnswerTier } from '../../src/cache/index.js';
import type { UpstreamQuery } from '../../src/upstream/index.js';
import { FakeNet, ROOT } from './resolver-fake-net.js';
import { EXPIRATION, INCEPTION, NOW, makeDs, makeKey, rrs, signRRset, type TestKey } from './dnssec-fixtures.js';

export const rootKey = makeKey('', 13);
export const testKey = makeKey('test', 15);
export const TEST_NS = '10.0.1.1';

const withTtl = (records: Record[], t: number): Record[] => records.map((rr) => ({ ...rr, ttl: t }) as Record);

/**
 * An RRset from zone-file text with its RRSIG by `key`: signed with Original TTL `origTtl` (default:
 * its own TTL), served with TTL `served` (default: its own), expiring at `expiration`.
 */
export function signed(text: string, key: TestKey, opts: { origTtl?: number; served?: number; expiration?: number } = {}): Record[] {
  const set = rrs(text);
  const sig = signRRset(opts.origTtl === undefined ? set : withTtl(set, opts.origTtl), key, INCEPTION, opts.expiration ?? EXPIRATION);
  return opts.served === undefined ? [...set, sig] : withTtl([...set, sig], opts.served);
}

const keyText = (k: TestKey): string => {
  const d = (k.dnskey as unknown as { data: { flags: number; algorithm: number; key: Buffer } }).data;
  return `${d.flags} 3 ${d.algorithm} ${d.key.toString('base64')}`;
};

/**
 * The resolver over the world; `data` answers questions to test.'s server by "name|type" (AA set;
 * anything else is REFUSED) and may be changed while the test runs.
 */
export function setupSignedWorld(data: { [nameType: string]: Partial<Message> }, tweak?: (config: Config) => void, shared?: AnswerTier) {
  const ds = [makeDs(testKey), signRRset([makeDs(testKey)], rootKey, INCEPTION, EXPIRATION)];
  const rootData: { [nameType: string]: Partial<Message> } = {
    '|DNSKEY': { answers: signed(`. 3600 IN DNSKEY ${keyText(rootKey)}`, rootKey) },
    'test|DS': { answers: ds },
  };
  const testData = { 'test|DNSKEY': { answers: signed(`test. 3600 IN DNSKEY ${keyText(testKey)}`, testKey) } };
  const referral: Partial<Message> = { authorities: [...rrs('test. 86400 IN NS ns.test.'), ...ds], additionals: rrs(`ns.test. 86400 IN A ${TEST_NS}`) };
  const serve = (own: () => { [k: string]: Partial<Message> }, otherwise: Partial<Message>) => (q: UpstreamQuery): Partial<Message> => {
    const hit = own()[`${q.name.toLowerCase().replace(/\.$/, '')}|${q.type}`];
    return hit ? { ...hit, flags: FLAG.AA | (hit.flags ?? 0) } : otherwise;
  };
  const net = new FakeNet(new Map([
    [ROOT, { zones: [], behaviour: serve(() => rootData, referral) }],
    [TEST_NS, { zones: [], behaviour: serve(() => ({ ...testData, ...data }), { flags: FLAG.AA | RCODE.REFUSED }) }],
  ]));
  const config = defaultConfig();
  config.resolver.root_priming = false;
  config.resolver.qname_minimisation = false;
  config.upstream.ipv6 = false;
  tweak?.(config);
  const clock = new ManualClock(NOW * 1000);
  const resolver = createResolver({
    upstream: net, clock, log: silentLogger(), resolver: config.resolver, cache: config.cache,
    upstreamConfig: config.upstream, rootHints: [{ name: 'a.root', addresses: [ROOT] }], trustAnchors: trustAnchors([makeDs(rootKey)]),
    ...(shared ? { shared: [shared] } : {}),
  });
  const ask = (name: string, type = 'A'): Promise<Resolution> =>
    resolver.resolve({ question: { name, type, class: 'IN' }, flags: { rd: true, cd: false, do: true, ad: false } });
  /** Queries for `name` (any type) that reached test.'s server. */
  const asked = (name: string): number => net.log.filter((l) => l.server === TEST_NS && l.name.toLowerCase().replace(/\.$/, '') === name).length;
  return { ask, asked, clock, net, resolver };
}

/**
 * What the answer-tier tests serve at test.: a secure name, one with a 1 s TTL, another secure one,
 * a bogus one (its RRSIG is over other data) and one asked with CD.
 */
export function tierTestData(): { [nameType: string]: Partial<Message> } {
  return {
    'www.test|A': { answers: signed('www.test. 300 IN A 192.0.2.1', testKey) },
    'short.test|A': { answers: signed('short.test. 1 IN A 192.0.2.2', testKey) },
    'old.test|A': { answers: signed('old.test. 300 IN A 192.0.2.3', testKey) },
    'bad.test|A': { answers: [rrs('bad.test. 300 IN A 192.0.2.67')[0], signed('bad.test. 300 IN A 192.0.2.66', testKey)[1]] },
    'junk.test|A': { answers: signed('junk.test. 300 IN A 192.0.2.4', testKey) },
  };
}
