/**
 * The shared tier's store on Redis through ioredis, loaded only when cache.shared is set (its import
 * costs start-up time nobody else should pay). Start-up never waits for Redis: the connection is
 * made in the background and remade after a loss (a try after 0.2 s, 0.4 s, ... then every 2 s). A
 * command sent while it is not up waits for the connection and fails when a connection try fails
 * (maxRetriesPerRequest 0); one unanswered after COMMAND_TIMEOUT_MS fails too. The tier's own
 * timeout and circuit breaker bound how many can wait at once.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/index.js';

/** The key-value store under the shared tier. */
export interface SharedStore {
  get(key: string): Promise<Buffer | null>;
  /** Stores `value` under `key`, expiring after `ttlMs` (Redis PX). */
  set(key: string, value: Buffer, ttlMs: number): Promise<void>;
  /** Deletes every key matching one of the glob `patterns` (Redis SCAN MATCH); resolves with how many. */
  removeMatching(patterns: string[]): Promise<number>;
  close(): Promise<void>;
}

/** Keys read per SCAN step: SCAN walks the keyspace in steps, so Redis serves others in between. */
const SCAN_COUNT = 1_000;

const COMMAND_TIMEOUT_MS = 1_000;
const CONNECT_TIMEOUT_MS = 1_000;

export async function connectRedis(url: string, log: Logger): Promise<SharedStore> {
  const { Redis: RedisClient } = await import('ioredis');
  const client: Redis = new RedisClient(url, {
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (times: number) => Math.min(times * 200, 2_000),
  });
  const where = redacted(url);
  let up = false;
  client.on('ready', () => { up = true; log.info({ redis: where }, 'shared cache connected'); });
  // Without a listener ioredis prints every failed reconnect; one warning per outage is enough.
  client.on('error', (err: unknown) => {
    if (up) log.warn({ redis: where, err: errorMessage(err) }, 'shared cache unreachable: answers go on without it');
    else log.debug({ redis: where, err: errorMessage(err) }, 'shared cache connect failed');
    up = false;
  });
  return {
    get: (key) => client.getBuffer(key),
    set: async (key, value, ttlMs) => { await client.set(key, value, 'PX', ttlMs); },
    async removeMatching(patterns) {
      let removed = 0;
      for (const pattern of patterns) {
        let cursor = '0';
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
          cursor = next;
          // UNLINK frees the values in the background, like DEL without the pause.
          if (keys.length > 0) removed += await client.unlink(...keys);
        } while (cursor !== '0');
      }
      return removed;
    },
    close: async () => { client.disconnect(); },
  };
}

/** The URL without its password, for logs. */
function redacted(url: string): string {
  const u = new URL(url);
  if (u.password !== '') u.password = '***';
  return u.toString();
}
