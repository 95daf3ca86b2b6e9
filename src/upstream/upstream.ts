/**
 * createUpstream: the authority-facing side assembled from its parts: address-family policy, de-duplication
 * of identical in-flight queries, the transport policy (Do53/DoT, RFC 9539) and the fallback ladder over
 * the net core's Exchanger, with the infrastructure cache fed by every query and exposed for selection.
 */
import { isIP } from 'node:net';
import { errorMessage } from '../util/index.js';
import type { UpstreamConfig } from '../config/index.js';
import { InfraCache } from './infra-cache.js';
import { familyAllowed, orderServers, type SelectionPolicy } from './selection.js';
import { DOT_PORT, TransportPolicy } from './transport-policy.js';
import { InflightDedup } from './dedup.js';
import { encryptedShare, serverShares, UpstreamTracker } from './tracker.js';
import { describeRule, TlsRules } from './tls-rules.js';
import type { ManagedUpstream, ServerAddress, TlsRule, UpstreamOptions, UpstreamQuery, UpstreamReport, UpstreamResult } from './types.js';

export function createUpstream(opts: UpstreamOptions): ManagedUpstream {
  const { clock } = opts;
  const log = opts.log.child({ component: 'upstream' });
  const infra = new InfraCache(clock, opts.config.timeout_ms, opts.infraCacheSize);
  const tracker = new UpstreamTracker();
  const dedup = new InflightDedup(() => clock.monotonic());
  // Rebuilt by reconfigure (reload); what was learnt about servers (infra, tracker) is kept.
  const configure = (config: UpstreamConfig, ruleList: TlsRule[]): { policy: TransportPolicy; selection: SelectionPolicy; rules: TlsRules } => {
    const rules = new TlsRules(ruleList);
    return {
      rules,
      policy: new TransportPolicy(
        { exchanger: opts.exchanger, infra, clock, maxTimeoutMs: config.timeout_ms, sourceAddress: config.source_address ?? undefined, tracker },
        config.tls, opts.dotPort ?? DOT_PORT, log, rules,
      ),
      selection: { ipv4: config.ipv4, ipv6: config.ipv6, strictDot: config.tls === 'strict', random: opts.random ?? Math.random },
    };
  };
  let { policy, selection, rules } = configure(opts.config, opts.tlsRules ?? []);
  const probing = new Set<TransportPolicy>();

  const send = (q: UpstreamQuery): Promise<UpstreamResult> => policy.run(q).catch((err: unknown) => {
    log.error({ err: errorMessage(err), server: q.server.address }, 'upstream exchange threw');
    return { kind: 'fail', reason: 'network', elapsedMs: 0 } as const;
  });

  const query = (q: UpstreamQuery): Promise<UpstreamResult> => {
    if (!familyAllowed(q.server.address, selection)) {
      log.debug({ server: q.server.address, family: isIP(q.server.address) }, 'address family disabled or invalid');
      return Promise.resolve({ kind: 'fail', reason: 'network', elapsedMs: 0 });
    }
    if (q.signal?.aborted) return Promise.resolve({ kind: 'fail', reason: 'aborted', elapsedMs: 0 });
    return dedup.run(q, send);
  };

  return {
    // Not async: it hands on the shared exchange's promise (no wrapper per query); a throw still comes back as a rejection.
    query(q: UpstreamQuery): Promise<UpstreamResult> {
      try {
        return query(q);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    orderServers: (candidates: readonly ServerAddress[], zone?: string) => orderServers(infra, candidates, selection, zone),
    selectServer: (candidates: readonly ServerAddress[], zone?: string) => orderServers(infra, candidates, selection, zone)[0],
    markLame: (server: ServerAddress, zone: string, ttlMs?: number) => infra.markLame(server, zone, ttlMs),
    serverInfo: (server: ServerAddress) => infra.info(server),
    settle: async () => { await Promise.all([policy, ...probing].map((p) => p.settle())); },
    reconfigure(config: UpstreamConfig, tlsRules: TlsRule[] = []): void {
      // Probes the old policy started still settle (tests and shutdown wait for them).
      const old = policy;
      probing.add(old);
      void old.settle().then(() => probing.delete(old));
      ({ policy, selection, rules } = configure(config, tlsRules));
    },
    report: () => report(tracker, infra, rules),
    totals: () => tracker.sums(),
    forgetServer(address: string): number {
      tracker.forget(address);
      return infra.forget(address);
    },
  };
}

/** The tracker's counters joined with the infra cache's view of each server. */
function report(tracker: UpstreamTracker, infra: InfraCache, rules: TlsRules): UpstreamReport {
  const snap = tracker.snapshot();
  return {
    ...snap,
    encrypted_share: encryptedShare(snap),
    servers: snap.servers.map((s) => {
      const info = infra.info(s);
      const rule = [undefined, ...s.zones].map((z) => rules.match(s, z)).find((r) => r !== undefined);
      return {
        ...(rule ? { tls_rule: describeRule(rule) } : {}),
        ...s, ...(info.srttMs !== undefined ? { srtt_ms: Math.round(info.srttMs * 10) / 10 } : {}), dot: info.dot,
        ...serverShares(s),
      };
    }),
    zones: snap.zones.map((z) => ({ ...z, encrypted_share: encryptedShare(z) })),
  };
}
