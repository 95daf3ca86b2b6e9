/**
 * Builds the resolver: cache, mesh, iterator and validator wired together behind the `Resolver`
 * contract (types.ts); server selection is the upstream's. Pipeline per client query: cache lookup →
 * mesh/iterator → DNSSEC validation (validation.ts; the state is stored with the cached data) →
 * answer; without RD only the cache answers. A client whose abort signal fires (its connection went
 * away) stops waiting at once (chain.ts); work shared with others goes on (mesh.ts). Upstream
 * queries set DO; DNSSEC records reach only clients that set DO (RFC 4035 §3.2.1). Replies keep the
 * client's spelling of the query name and are minimal (no additional section) unless
 * resolver.minimal_responses is off.
 */
import type { Record } from '../wire/index.js';
import type { Logger } from '../log/index.js';
import { RCODE, normalizeName } from '../wire/index.js';
import { DnsCache } from '../cache/index.js';
import { ChainResolver } from './chain.js';
import { iterate } from './iterator.js';
import type { IterEnv } from './iter-types.js';
import { Mesh } from './mesh.js';
import { Distrusted } from './distrust.js';
import { Validator, sentinelFails, type Security } from '../dnssec/index.js';
import { ResolverStats } from './stats.js';
import { EDE } from './ede.js';
import { StepValidation, chainFetcher, type FetchVia } from './validation.js';
import { resolveWithShared } from './shared-answers.js';
import { PrivateAddresses, servedWithoutPrivateAddresses } from './private-addresses.js';
import type { Resolution, ResolveRequest, Resolver, ResolverOptions } from './types.js';

const REFUSED_TYPES = new Set(['AXFR', 'IXFR', 'OPT']);
/** Records a client without DO does not get unless it asked for them (RFC 4035 §3.2.1). */
const DNSSEC_TYPES = new Set(['RRSIG', 'NSEC', 'NSEC3']);

export function createResolver(opts: ResolverOptions): Resolver {
  const log = opts.log.child({ component: 'resolver' });
  const cache = opts.store ?? new DnsCache(opts.cache, opts.clock);
  const monotonic = (): number => opts.clock.monotonic();
  const forwardZones = opts.forwardZones ?? [];
  const stubZones = opts.stubZones ?? [];
  const privateAddresses = PrivateAddresses.from(opts.resolver);
  const env: IterEnv = {
    cache, upstream: opts.upstream, log,
    config: opts.resolver, upstreamConfig: opts.upstreamConfig, rootHints: opts.rootHints, forwardZones, stubZones,
    exempt: new Set([...opts.rootHints, ...forwardZones, ...stubZones].flatMap((h) => h.addresses)),
    distrusted: new Distrusted(opts.clock), privateAddresses, ...(opts.nat64 ? { nat64: opts.nat64 } : {}),
    validates: (name) => chain.validates(name),
    subResolve: async (name, type, parent) => {
      const r = await chain.resolve(name, type, { parent });
      return r.rcode === RCODE.NOERROR ? r.answer : [];
    },
  };
  const mesh = new Mesh((name, type, task) => iterate(name, type, task, env), monotonic);
  const validation = validationFor(opts, cache, log, {
    resolve: (name, type) => chain.resolve(name, type),
    distrust: (name, type) => chain.distrust(name, type),
  });
  const stats = opts.stats ?? new ResolverStats();
  const stale = { enabled: opts.cache.serve_stale, clientTimeoutMs: opts.cache.stale_client_timeout_ms };
  const chain = new ChainResolver(cache, mesh, stale, env.distrusted, validation, stats);
  let closed = false;

  return {
    async resolve(q: ResolveRequest, signal?: AbortSignal): Promise<Resolution> {
      const { name, type } = q.question;
      if (closed || q.question.class !== 'IN' || REFUSED_TYPES.has(type)) return empty(RCODE.REFUSED);
      // RFC 4035 §3.2.2: CD asks for no validation (and so no SERVFAIL for bogus data).
      const validating = validation !== undefined && !q.flags.cd;
      const how = { cacheOnly: !q.flags.rd, validate: validating, signal };
      const tiers = opts.shared ?? [];
      let r = tiers.length > 0 ? await resolveWithShared(chain, cache, tiers, normalizeName(name), type, how) : await chain.resolve(normalizeName(name), type, how);
      // A tier's hit is counted by the tier (cache.shared.hits, cache.workers.hits): neither resolved nor validated here.
      if (!('shared' in r)) count(stats, r, validating);
      if (privateAddresses) r = servedWithoutPrivateAddresses(r, type, privateAddresses);
      if (r.security === 'secure' && opts.trustAnchors && sentinelFails(name, type, opts.trustAnchors)) {
        const why = { infoCode: EDE.OTHER, extraText: 'RFC 8509 root key sentinel' };
        r = { rcode: RCODE.SERVFAIL, answer: [], authority: [], security: 'indeterminate', ede: [why] };
      }
      const keep = q.flags.do ? (): boolean => true : (rr: Record): boolean => !DNSSEC_TYPES.has(rr.type) || rr.type === type;
      return {
        rcode: r.rcode, answer: withClientCase(r.answer.filter(keep), name), authority: r.authority.filter(keep), additional: r.additional ?? [],
        // RFC 4035 §3.2.3 and RFC 6840 §5.8: AD only for secure data, and only to a client that set DO or AD.
        authenticated: r.security === 'secure' && (q.flags.do || q.flags.ad), ...(r.ede ? { ede: r.ede } : {}),
        source: 'shared' in r ? 'shared' : r.resolved ? 'resolved' : 'cache', ...(validating ? { security: r.security } : {}),
        ...(r.reuseForMs !== undefined ? { reuseForMs: r.reuseForMs } : {}),
      };
    },
    stats: () => ({
      cache_hits: stats.cacheHits, cache_misses: stats.cacheMisses, stale_served: stats.staleServed, prefetches: stats.prefetches,
      validation: { ...stats.validation }, cache_entries: cache.entries, cache_bytes: cache.bytes,
    }),
    flush(name, o) {
      validation?.forget();
      return cache.flush(name, o);
    },
    flushAll() {
      validation?.forget();
      cache.clear();
    },
    dump: (name) => cache.dump(name),
    close(): void {
      closed = true;
      // A cache handed in outlives this resolver (reload builds a new one on it).
      if (!opts.store) cache.clear();
    },
  };
}

/** One client question's outcome in the counters. */
function count(stats: ResolverStats, r: { resolved?: boolean; security: Security; ede?: { infoCode: number }[] }, validating: boolean): void {
  if (r.resolved) stats.cacheMisses++; else stats.cacheHits++;
  if (r.ede?.some((e) => e.infoCode === EDE.STALE_ANSWER)) stats.staleServed++;
  if (validating) stats.validation[r.security]++;
}

/** The validator when trust anchors are configured (none: validation is off). */
function validationFor(opts: ResolverOptions, cache: DnsCache, log: Logger, via: FetchVia): StepValidation | undefined {
  const anchors = opts.trustAnchors;
  if (!anchors || anchors.zones.size === 0) return undefined;
  const validator = new Validator({ anchors, fetch: chainFetcher(cache, via), clock: opts.clock });
  return new StepValidation(validator, cache, log, opts.clock);
}

function empty(rcode: number): Resolution {
  return { rcode, answer: [], authority: [], additional: [], authenticated: false };
}

/** Records owned by the query name get the client's spelling of it. */
function withClientCase(records: Record[], qname: string): Record[] {
  const lower = normalizeName(qname);
  return records.map((rr) => (normalizeName(rr.name) === lower && rr.name !== qname ? { ...rr, name: qname } as Record : rr));
}
