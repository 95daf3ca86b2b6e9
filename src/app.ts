/**
 * The composition root: builds the logger, the DoT certificate (loaded, or self-signed into
 * state_dir), the upstream side (net exchanger → upstream policy → iterative resolver with its
 * DNSSEC trust anchors), the query
 * handler chain (local zones, then the resolver) and the server, and wires them together. The only
 * place that knows every folder.
 */
import { readFileSync } from 'node:fs';
import type { Config, RootHint } from './config/index.js';
import { createLogger, type Logger } from './log/index.js';
import { createExchanger, sessionLimitsFromConfig } from './net/index.js';
import { createUpstream } from './upstream/index.js';
import { createResolver, type Resolver } from './resolver/index.js';
import { chainHandlers, LocalZones, startServer, type Answer, type QueryHandler, type RunningServer } from './server/index.js';
import { loadOrCreateTlsMaterial, spkiPin, type LoadedTlsMaterial } from './tls/index.js';
import { parseRootHints, RCODE } from './wire/index.js';
import { isInlineAnchor, parseAnchorText, trustAnchors, type TrustAnchors } from './dnssec/index.js';
import { ConfigError, errorMessage, systemClock, type Clock } from './util/index.js';

export interface AppOptions {
  /** The config file the config came from (named in errors). */
  configPath: string;
  log?: Logger;
  clock?: Clock;
}

export interface App {
  readonly server: RunningServer;
  /** SPKI pin (base64 SHA-256) of the DoT certificate, when a TLS listener is configured. */
  readonly pin?: string;
  readonly log: Logger;
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
  const records = config.dnssec.trust_anchors.flatMap((entry, i) => {
    const inline = isInlineAnchor(entry);
    try {
      return parseAnchorText(inline ? entry : readFileSync(entry, 'utf8'));
    } catch (err) {
      const what = inline ? `a DS or DNSKEY record (entry ${i}: ${errorMessage(err)})` : `a readable file of DS or DNSKEY records (${entry}: ${errorMessage(err)})`;
      throw new ConfigError(configPath, 'dnssec.trust_anchors', what);
    }
  });
  return trustAnchors(records, config.dnssec.negative_trust_anchors);
}

/** A resolver answer as the server's handler port wants it; only answers worth a microcache entry are marked. */
function resolverHandler(resolver: Resolver): QueryHandler {
  return async (q, signal): Promise<Answer> => {
    const r = await resolver.resolve(q, signal);
    // RFC 1035 §3.2.1: TTL 0 means "do not cache"; SERVFAIL is never worth repeating from the microcache.
    const cacheable = r.rcode !== RCODE.SERVFAIL && [...r.answer, ...r.authority].every((rr) => ((rr as { ttl?: number }).ttl ?? 0) > 0);
    return { ...r, cacheable };
  };
}

/** Builds and starts Ward from a validated configuration. */
export async function createApp(config: Config, opts: AppOptions): Promise<App> {
  const log = opts.log ?? createLogger(config.log.level);
  const clock = opts.clock ?? systemClock;
  const rootHints = loadRootHints(config, opts.configPath);
  const anchors = loadTrustAnchors(config, opts.configPath);
  const localZones = new LocalZones(config.local_zones, opts.configPath);
  const tls = tlsMaterial(config);
  const pin = tls ? spkiPin(tls.cert) : undefined;
  if (tls) log.info({ certificate: tls.certPath, created: tls.created, spki_pin: pin }, 'DoT certificate');

  const exchanger = createExchanger({ log: log.child({ component: 'net' }), clock });
  const upstream = createUpstream({ exchanger, clock, log: log.child({ component: 'upstream' }), config: config.upstream });
  const resolver = createResolver({
    upstream, clock, log: log.child({ component: 'resolver' }), resolver: config.resolver, cache: config.cache,
    upstreamConfig: config.upstream, rootHints, forwardZones: config.forward_zones, trustAnchors: anchors,
  });
  const handler = chainHandlers([localZones.handler], resolverHandler(resolver));
  let server: RunningServer;
  try {
    server = await startServer({ server: config.server, handler, log, tls, clock });
  } catch (err) {
    resolver.close();
    await exchanger.close();
    throw err;
  }
  const stop = async (): Promise<void> => {
    await server.stop();
    resolver.close();
    await exchanger.close();
  };
  return { server, pin, log, stop };
}
