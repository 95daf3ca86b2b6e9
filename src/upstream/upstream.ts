/**
 * createUpstream: the authority-facing side assembled from its parts: address-family policy, de-duplication
 * of identical in-flight queries, the transport policy (Do53/DoT, RFC 9539) and the fallback ladder over
 * the net core's Exchanger, with the infrastructure cache fed by every query and exposed for selection.
 */
import { isIP } from 'node:net';
import { errorMessage } from '../util/index.js';
import { InfraCache } from './infra-cache.js';
import { familyAllowed, orderServers, type SelectionPolicy } from './selection.js';
import { DOT_PORT, TransportPolicy } from './transport-policy.js';
import { InflightDedup } from './dedup.js';
import type { ManagedUpstream, ServerAddress, UpstreamOptions, UpstreamQuery, UpstreamResult } from './types.js';

export function createUpstream(opts: UpstreamOptions): ManagedUpstream {
  const { clock, config } = opts;
  const log = opts.log.child({ component: 'upstream' });
  const infra = new InfraCache(clock, config.timeout_ms, opts.infraCacheSize);
  const policy = new TransportPolicy(
    { exchanger: opts.exchanger, infra, clock, maxTimeoutMs: config.timeout_ms, sourceAddress: config.source_address ?? undefined },
    config.tls, opts.dotPort ?? DOT_PORT, log,
  );
  const dedup = new InflightDedup(() => clock.monotonic());
  const selection: SelectionPolicy = {
    ipv4: config.ipv4, ipv6: config.ipv6, strictDot: config.tls === 'strict', random: opts.random ?? Math.random,
  };

  const send = (q: UpstreamQuery): Promise<UpstreamResult> => policy.run(q).catch((err: unknown) => {
    log.error({ err: errorMessage(err), server: q.server.address }, 'upstream exchange threw');
    return { kind: 'fail', reason: 'network', elapsedMs: 0 } as const;
  });

  return {
    async query(q: UpstreamQuery): Promise<UpstreamResult> {
      if (!familyAllowed(q.server.address, selection)) {
        log.debug({ server: q.server.address, family: isIP(q.server.address) }, 'address family disabled or invalid');
        return { kind: 'fail', reason: 'network', elapsedMs: 0 };
      }
      if (q.signal?.aborted) return { kind: 'fail', reason: 'aborted', elapsedMs: 0 };
      return dedup.run(q, send);
    },
    orderServers: (candidates: readonly ServerAddress[], zone?: string) => orderServers(infra, candidates, selection, zone),
    selectServer: (candidates: readonly ServerAddress[], zone?: string) => orderServers(infra, candidates, selection, zone)[0],
    markLame: (server: ServerAddress, zone: string, ttlMs?: number) => infra.markLame(server, zone, ttlMs),
    serverInfo: (server: ServerAddress) => infra.info(server),
    settle: () => policy.settle(),
  };
}
