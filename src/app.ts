/**
 * The composition root: builds the logger, the DoT certificate (loaded, or self-signed into
 * state_dir), the upstream side (net exchanger → upstream policy → iterative resolver with its
 * DNSSEC trust anchors), the query
 * handler chain (policy, local hosts, local zones, DNS64 when on, then the resolver) and the server, and wires them
 * together. The only place that knows every folder.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { loadConfig, type Config, type RootHint } from './config/index.js';
import { createLogger, openQueryLog, setLogLevel, type Logger, type QueryLogFile } from './log/index.js';
import { createExchanger } from './net/index.js';
import { createUpstream, type TlsRule } from './upstream/index.js';
import { createResolver, ResolverStats, type Resolver } from './resolver/index.js';
import { connectRedis, DnsCache, emptySharedStats, SharedTier, type AnswerTier, type PeerAnswers } from './cache/index.js';
import { controlTarget, startControlServer, type FlushArgs } from './control/index.js';
import { createAdmin, type Admin } from './admin.js';
import { PolicyRuntime } from './app-policy.js';
import { dns64Handler, loadPolicy, type LoadedPolicy } from './policy/index.js';
import {
  chainHandlers, clientLabel, composeQueryLoggers, LocalHosts, LocalZones, queryLogger, startServer,
  type Answer, type ChainedHandler, type ClientLabel, type QueryHandler, type QueryLogger, type RunningServer,
} from './server/index.js';
import { createStatusCollector, statusRoutes, type StatusCollector } from './status/index.js';
import { loadOrCreateTlsMaterial, spkiPin, type LoadedTlsMaterial } from './tls/index.js';
import { formatRecord, normalizeName, parsePref64, parseRootHints, RCODE, ttlOf, type Pref64, type Record as WireRecord } from './wire/index.js';
import { isInlineAnchor, parseAnchorText, trustAnchors, type TrustAnchors } from './dnssec/index.js';
import { ConfigError, errorMessage, readSecretFile, systemClock, type Clock } from './util/index.js';
import { applyHeapGrowth } from './heap-growth.js';

export interface AppOptions {
  /** The config file the config came from (named in errors). */
  configPath: string;
  log?: Logger;
  clock?: Clock;
  /**
   * One of server.workers' worker processes (1, 2, ...): the primary holds the control channel and
   * the HTTP listener, so this process opens neither; its log lines and its query log file carry the number.
   */
  worker?: number;
  /** The other workers' answers (server.share_cache_between_workers), asked before cache.shared; the worker feeds it. */
  peers?: PeerAnswers;
}

export interface App {
  readonly server: RunningServer;
  /** SPKI pin (base64 SHA-256) of the DoT certificate, when a TLS listener is configured. */
  readonly pin?: string;
  readonly log: Logger;
  /** Stats, flush, cache dump and reload: what the control channel and metrics reach. */
  readonly admin: Admin;
  /** Where the control channel listens (socket path or address:port). */
  readonly control?: string;
  /** The metrics listener as bound, when http.listen is set. */
  readonly http?: { address: string; port: number };
  /** Stops accepting, finishes queries in flight, closes everything. */
  stop(): Promise<void>;
}

/** The DoT certificate and key, when any listener speaks TLS (created on first use, RFC 7858 §3). */
export function tlsMaterial(config: Config): LoadedTlsMaterial | undefined {
  if (!config.server.listen.some((l) => l.transport === 'tls')) return undefined;
  return loadOrCreateTlsMaterial(config.server.tls, config.server.state_dir);
}

/** The root hints: parsed from the configured file, or given inline. */
export function loadRootHints(config: Config, configPath: string): RootHint[] {
  const hints = config.resolver.root_hints;
  if (typeof hints !== 'string') return hints;
  let parsed: RootHint[];
  try {
    parsed = parseRootHints(readFileSync(hints, 'utf8'));
  } catch (err) {
    throw new ConfigError(configPath, 'resolver.root_hints', `a readable root hints file (${hints}: ${errorMessage(err)})`);
  }
  if (!parsed.some((h) => h.addresses.length > 0)) {
    throw new ConfigError(configPath, 'resolver.root_hints', `a file with root NS records and their addresses (${hints} has none)`);
  }
  return parsed;
}

/**
 * The DNSSEC trust anchors (dnssec.trust_anchors: files or inline DS/DNSKEY records; [] turns
 * validation off) and negative trust anchors (RFC 7646).
 */
export function loadTrustAnchors(config: Config, configPath: string): TrustAnchors {
  return trustAnchors(anchorRecords(config, configPath), config.dnssec.negative_trust_anchors);
}

/** The DS and DNSKEY records of dnssec.trust_anchors, read and parsed. */
function anchorRecords(config: Config, configPath: string): WireRecord[] {
  return config.dnssec.trust_anchors.flatMap((entry, i) => {
    const inline = isInlineAnchor(entry);
    try {
      return parseAnchorText(inline ? entry : readFileSync(entry, 'utf8'));
    } catch (err) {
      const what = inline ? `a DS or DNSKEY record (entry ${i}: ${errorMessage(err)})` : `a readable file of DS or DNSKEY records (${entry}: ${errorMessage(err)})`;
      throw new ConfigError(configPath, 'dnssec.trust_anchors', what);
    }
  });
}

/** A resolver answer as the server's handler port wants it; only answers worth a microcache entry are marked. */
function resolverHandler(resolver: Resolver): QueryHandler {
  return async (q, signal): Promise<Answer> => {
    const r = await resolver.resolve(q, signal);
    // RFC 1035 §3.2.1: TTL 0 means "do not cache"; SERVFAIL is never worth repeating from the microcache.
    const cacheable = r.rcode !== RCODE.SERVFAIL && [...r.answer, ...r.authority].every((rr) => ttlOf(rr) > 0);
    return { ...r, cacheable };
  };
}

/** The parts a config builds that reload rebuilds: validated before anything running is touched. */
interface Built {
  config: Config; rootHints: RootHint[]; anchors: TrustAnchors; localHosts: LocalHosts; localZones: LocalZones; tlsRules: TlsRule[]; policy: LoadedPolicy;
  /** The links between local zones and the resolver: DNS64 when dns64.enabled. */
  policyLinks: ChainedHandler[];
  /** The trust anchors and negative trust anchors as text: a change flushes the cache on reload. */
  anchorText: string;
  /** upstream.nat64.prefix, parsed (refused when bad even while NAT64 is off), when upstream.nat64.enabled. */
  nat64?: Pref64;
}

async function build(config: Config, configPath: string, log: Logger): Promise<Built> {
  const records = anchorRecords(config, configPath);
  const ntas = config.dnssec.negative_trust_anchors;
  // Built even when off, so that a bad dns64.prefix is refused before it is turned on.
  const dns64 = dns64Handler(config.dns64, configPath);
  const nat64 = parsePref64(config.upstream.nat64.prefix, configPath, 'upstream.nat64.prefix');
  return {
    config, rootHints: loadRootHints(config, configPath), anchors: trustAnchors(records, ntas),
    localHosts: new LocalHosts(config.local_hosts, configPath), localZones: new LocalZones(config.local_zones, configPath, [...config.forward_zones, ...config.stub_zones].map((z) => z.name)), anchorText: JSON.stringify([records.map(formatRecord), ntas]),
    tlsRules: loadTlsRules(config, configPath), policy: await loadPolicy(config, configPath, log.child({ component: 'policy' })),
    policyLinks: config.dns64.enabled ? [dns64] : [], ...(config.upstream.nat64.enabled ? { nat64 } : {}),
  };
}

/** upstream.tls_rules with each ca_file read. */
export function loadTlsRules(config: Config, configPath: string): TlsRule[] {
  return config.upstream.tls_rules.map((r, i) => {
    let ca: string | undefined;
    if (r.ca_file !== null) {
      try {
        ca = readFileSync(r.ca_file, 'utf8');
      } catch (err) {
        throw new ConfigError(configPath, `upstream.tls_rules[${i}].ca_file`, `a readable PEM file (${r.ca_file}: ${errorMessage(err)})`);
      }
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
        throw new ConfigError(configPath, `upstream.tls_rules[${i}].ca_file`, `PEM certificates (${r.ca_file} has none)`);
      }
    }
    return {
      mode: r.mode, pins: r.pins, ...(r.zone !== null ? { zone: r.zone } : {}), ...(r.address !== null ? { address: r.address } : {}),
      ...(ca ? { ca } : {}), ...(r.name !== null ? { name: r.name } : {}),
    };
  });
}

/** How clients appear in the query log and on the status page: with log.queries.anonymize, a keyed hash (the key kept in state_dir). */
function clientLabelOf(config: Config): ClientLabel {
  if (!config.log.queries.anonymize) return clientLabel();
  const dir = config.server.state_dir;
  mkdirSync(dir, { recursive: true });
  return clientLabel(Buffer.from(readSecretFile(join(dir, 'query-log.key'), 'log.queries.anonymize', true)));
}

/**
 * The query log (log.queries) when on: the file, and the per-query line maker for the server. The
 * status page's recent queries (`recent`) get the same lines.
 */
function openQueryLogOf(config: Config, client: ClientLabel, worker: number | undefined, recent?: { write(entry: object): void }): { file: QueryLogFile; logger: QueryLogger } | undefined {
  const q = config.log.queries;
  if (!q.enabled) return undefined;
  const path = q.file ?? join(config.server.state_dir, 'queries.log');
  // Each worker rotates its own file (queries-worker2.log): two processes renaming one file would lose lines.
  const file = openQueryLog(worker === undefined ? path : workerFile(path, worker), q.max_bytes, q.files);
  const lines = recent ? { write: (entry: object): void => { file.write(entry); recent.write(entry); } } : file;
  return { file, logger: queryLogger(lines, client) };
}

/** `dir/name-workerN.ext` for `dir/name.ext`. */
function workerFile(path: string, worker: number): string {
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}-worker${worker}${ext}`;
}

/** Lines of the query log the status page shows, and keys each of its top tables holds (bounded memory). */
const STATUS_RECENT_LINES = 100;
const STATUS_TOP_CAPACITY = 2000;

/** The status page's counters, when the HTTP listener serves the page (http.listen and http.status_page). */
function statusCollectorOf(config: Config, clock: Clock, client: ClientLabel): StatusCollector | undefined {
  if (!config.http.listen || !config.http.status_page) return undefined;
  return createStatusCollector({
    now: () => clock.now(), capacity: STATUS_TOP_CAPACITY, client,
    recent: config.log.queries.enabled ? STATUS_RECENT_LINES : 0,
  });
}

/**
 * The shared cache tier when cache.shared is set: the Redis client is loaded and connects in the
 * background (start-up never waits for Redis, and does not load the client when the tier is off).
 */
async function sharedTierOf(config: Config, clock: Clock, log: Logger): Promise<SharedTier | undefined> {
  const c = config.cache.shared;
  if (!c) return undefined;
  const tierLog = log.child({ component: 'shared-cache' });
  return new SharedTier(await connectRedis(c.redis.url, tierLog), c, clock, tierLog);
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Forward and stub zones that a reload adds, removes or points elsewhere: what the cache holds at and
 * below them came by the old path (the old servers, or the delegation from the root), so it goes.
 */
function movedZones(a: Config, b: Config): string[] {
  const paths = (c: Config): Map<string, string> => new Map([
    ...c.forward_zones.map((z) => [normalizeName(z.name), JSON.stringify(['forward', z.addresses, z.hosts, z.tls])] as const),
    ...c.stub_zones.map((z) => [normalizeName(z.name), JSON.stringify(['stub', z.addresses, z.hosts])] as const),
  ]);
  const was = paths(a);
  const now = paths(b);
  return [...new Set([...was.keys(), ...now.keys()])].filter((name) => was.get(name) !== now.get(name));
}

/** Builds and starts Ward from a validated configuration. */
export async function createApp(config: Config, opts: AppOptions): Promise<App> {
  // Every line of a worker says which one wrote it.
  const log = opts.log ?? createLogger(config.log.level, opts.worker === undefined ? {} : { worker: opts.worker });
  const clock = opts.clock ?? systemClock;
  applyHeapGrowth(config.server.heap_growth_percent);
  let current = await build(config, opts.configPath, log);
  const tls = tlsMaterial(config);
  const pin = tls ? spkiPin(tls.cert) : undefined;
  if (tls) log.info({ certificate: tls.certPath, created: tls.created, spki_pin: pin }, 'DoT certificate');

  const exchanger = createExchanger({ log: log.child({ component: 'net' }), clock });
  const upstream = createUpstream({ exchanger, clock, log: log.child({ component: 'upstream' }), config: config.upstream, tlsRules: current.tlsRules });
  // The cache and the counters outlive a resolver rebuilt by reload.
  const store = new DnsCache(config.cache, clock);
  const shared = await sharedTierOf(config, clock, log);
  const resolverStats = new ResolverStats();
  const tiers: AnswerTier[] = [...(opts.peers ? [opts.peers] : []), ...(shared ? [shared] : [])];
  const makeResolver = (b: Built): Resolver => createResolver({
    upstream, clock, log: log.child({ component: 'resolver' }), resolver: b.config.resolver, cache: b.config.cache,
    upstreamConfig: b.config.upstream, rootHints: b.rootHints, forwardZones: b.config.forward_zones, stubZones: b.config.stub_zones, trustAnchors: b.anchors,
    ...(b.nat64 ? { nat64: b.nat64 } : {}), store, stats: resolverStats, ...(tiers.length > 0 ? { shared: tiers } : {}),
  });
  let resolver = makeResolver(current);
  let server: RunningServer | undefined;
  const policy = new PolicyRuntime(current.policy, config, opts.configPath, log.child({ component: 'policy' }), () => server?.flushMicrocache());
  const policyLink = policy.handler();
  const handlerOf = (b: Built, r: Resolver): QueryHandler => chainHandlers([policyLink, b.localHosts.handler, b.localZones.handler, ...b.policyLinks], resolverHandler(r));
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close();
  };
  closers.push(async () => { policy.close(); resolver.close(); await exchanger.close(); await shared?.close(); });
  try {
    const client = clientLabelOf(config);
    const status = statusCollectorOf(config, clock, client);
    const queryLog = openQueryLogOf(config, client, opts.worker, status?.recent);
    if (queryLog) closers.push(() => queryLog.file.close());
    const running = await startServer({
      server: config.server, handler: handlerOf(current, resolver), log, tls, clock,
      queryLog: composeQueryLoggers([queryLog?.logger, status?.observe]), microcachePartition: policy.partition,
    });
    server = running;
    closers.push(() => running.stop());

    const reload = async (): Promise<{ applied: string[] }> => {
      const next = await build(loadConfig(opts.configPath), opts.configPath, log);
      const applied = await apply(current, next);
      current = next;
      log.info({ applied }, 'configuration reloaded');
      return { applied };
    };
    /** Applies what changed from `was` to `now`; what cannot change live is named in a warning. */
    const apply = async (was: Built, now: Built): Promise<string[]> => {
      const a = was.config;
      const b = now.config;
      const applied: string[] = [];
      const anchorsChanged = was.anchorText !== now.anchorText;
      if (!same([a.upstream, was.tlsRules], [b.upstream, now.tlsRules])) { upstream.reconfigure(b.upstream, now.tlsRules); applied.push('upstream'); }
      if (!same(a.cache, b.cache)) { store.reconfigure(b.cache); applied.push('cache'); }
      const rebuild = anchorsChanged || !same(a.resolver, b.resolver) || !same(a.forward_zones, b.forward_zones) || !same(a.stub_zones, b.stub_zones)
        || !same(a.upstream, b.upstream) || !same(a.cache, b.cache) || !same(was.rootHints, now.rootHints);
      const old = resolver;
      if (rebuild) {
        resolver = makeResolver(now);
        applied.push('resolver');
      }
      // Data validated under other trust anchors is not to be trusted under these (RFC 4035 §4.3).
      if (anchorsChanged) { store.clear(); applied.push('dnssec (cache flushed)'); }
      const moved = anchorsChanged ? [] : movedZones(a, b);
      for (const name of moved) resolver.flush(name, { subtree: true });
      if (moved.length > 0) applied.push(`cache at and below ${moved.map((n) => n || '.').join(', ')} flushed`);
      policy.replace(now.policy, b);
      if (!same(a.policy, b.policy)) applied.push('policy');
      const listeners = await running.reconfigure(b.server, handlerOf(now, resolver));
      running.flushMicrocache();
      if (listeners.added + listeners.removed > 0) applied.push('server.listen');
      if (!same(a.server.access_control, b.server.access_control)) applied.push('server.access_control');
      if (!same(a.local_zones, b.local_zones)) applied.push('local_zones');
      if (was.localHosts.digest !== now.localHosts.digest) applied.push('local_hosts');
      if (!same(a.dns64, b.dns64)) applied.push('dns64');
      if (a.log.level !== b.log.level) { setLogLevel(log, b.log.level); applied.push('log.level'); }
      if (a.server.heap_growth_percent !== b.server.heap_growth_percent) { applyHeapGrowth(b.server.heap_growth_percent); applied.push('server.heap_growth_percent'); }
      if (old !== resolver) old.close();
      const restart: string[] = (['control', 'http'] as const).filter((k) => !same(a[k], b[k]));
      if (!same(a.cache.shared, b.cache.shared)) restart.push('cache.shared');
      if (!same(a.log.queries, b.log.queries)) restart.push('log.queries');
      for (const k of ['limits', 'tls', 'state_dir', 'tcp_fastopen_queue', 'workers', 'share_cache_between_workers'] as const) if (!same(a.server[k], b.server[k])) restart.push(`server.${k}`);
      if (restart.length > 0) log.warn({ keys: restart }, 'these settings take effect at the next restart');
      return applied;
    };

    const admin = createAdmin({ server: running, resolver: () => resolver, upstream, exchanger, reload, now: () => clock.now(), policy: () => policy.stats.snapshot(),
      shared: () => shared?.stats() ?? emptySharedStats(), ...(shared ? { sharedFlush: (a: FlushArgs) => shared.flush(a) } : {}), ...(opts.peers ? { peers: opts.peers } : {}), ...(status ? { status: (top: number) => status.snapshot(top) } : {}),
    });
    const operations = opts.worker === undefined;
    const control = config.control.enabled && operations
      ? await startControlServer({ handle: admin, log: log.child({ component: 'control' }), at: controlTarget(config, true) })
      : undefined;
    if (control) closers.push(() => control.close());
    const http = config.http.listen && operations
      // Loaded only when asked for: prom-client costs ~50 ms of start-up.
      ? await (await import('./metrics/index.js')).startMetricsServer({
        listen: config.http.listen, admin, topZones: config.http.top_zones, log: log.child({ component: 'http' }),
        routes: status ? statusRoutes((top) => status.snapshot(top), admin, () => clock.now()) : undefined,
      })
      : undefined;
    if (http) closers.push(() => http.close());
    const base = http?.url;
    if (operations) log.info({
      control: control?.where ?? 'off', ...(base ? { metrics: `${base}/metrics` } : {}), ...(base && status ? { status_page: `${base}/` } : {}),
    }, 'operations');
    return {
      server: running, pin, log, admin, ...(control ? { control: control.where } : {}), ...(http ? { http: { address: http.address, port: http.port } } : {}),
      stop: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
