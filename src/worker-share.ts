/**
 * A worker's side of server.share_cache_between_workers: the PeerAnswers store the resolver asks
 * after its own cache (cache/peer-answers.ts), fed by the primary with what the other workers
 * resolved, and whose offers go to the primary in batches, one IPC message per turn of the event
 * loop (at most BATCH answers), so a burst of resolutions costs a few messages, not one each.
 * The store is bounded by a quarter of cache.max_bytes, on top of the RRset cache.
 */
import { PeerAnswers } from './cache/index.js';
import type { Clock } from './util/index.js';
import { IpcBacklog } from './worker-backlog.js';
import { isSharedAnswers, type WorkerMessage } from './worker-messages.js';

/** Answers per message. */
const BATCH = 256;
/** Messages to the primary not yet written before offers are dropped. */
const MAX_UNWRITTEN = 64;
/** The store's share of cache.max_bytes (on top of it). */
export const PEER_STORE_FRACTION = 0.25;

export function startWorkerShare(cacheMaxBytes: number, clock: Clock): PeerAnswers {
  const backlog = new IpcBacklog(MAX_UNWRITTEN);
  let keys: string[] = [];
  let values: Buffer[] = [];
  const post = (): void => {
    if (keys.length === 0) return;
    const m: WorkerMessage = { ward: 'share', keys, values };
    keys = [];
    values = [];
    backlog.send((written) => process.send!(m, undefined, undefined, written));
  };
  const peers = new PeerAnswers(Math.floor(cacheMaxBytes * PEER_STORE_FRACTION), clock, (key, value) => {
    if (!process.connected || backlog.full) return false;
    if (keys.length === 0) setImmediate(post);
    keys.push(key);
    values.push(value);
    if (keys.length >= BATCH) post();
    return true;
  });
  process.on('message', (m: unknown) => {
    if (!isSharedAnswers(m)) return;
    for (let i = 0; i < m.keys.length; i++) {
      const v = m.values[i];
      peers.receive(m.keys[i], Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    }
  });
  return peers;
}
