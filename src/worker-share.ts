/**
 * A worker's side of server.share_cache_between_workers: the PeerAnswers store the resolver asks
 * after its own cache (cache/peer-answers.ts), fed by the primary with what the other workers
 * resolved, and whose offers go to the primary in batches: what a window of WINDOW_MS gathers, at
 * most BATCH answers a message. Each IPC message costs a write here, a read and N-1 writes in the
 * primary and a read in every other worker (system calls and a structured clone each): a window
 * spreads that over many answers (bench/results/cold-signed-workers-share-2026-12-07.md). A name
 * asked of another worker within the window is resolved there too.
 * The store is bounded by a quarter of cache.max_bytes, on top of the RRset cache.
 */
import { PeerAnswers } from './cache/index.js';
import type { Clock } from './util/index.js';
import { IpcBacklog } from './worker-backlog.js';
import { isSharedAnswers, type WorkerMessage } from './worker-messages.js';

/** Answers per message, at most. */
const BATCH = 256;
/** How long an offer waits for others to go in the same message. */
const WINDOW_MS = 10;
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
    if (keys.length === 0) setTimeout(post, WINDOW_MS).unref();
    keys.push(key);
    values.push(value);
    if (keys.length >= BATCH) post();
    return true;
  });
  process.on('message', (m: unknown) => {
    if (!isSharedAnswers(m)) return;
    for (let i = 0; i < m.keys.length; i++) {
      // A value arrives as a view into the whole message: an own copy lets the message go, so the
      // store holds (and counts against its bound) only the answer's octets.
      const v = m.values[i];
      const own = Buffer.allocUnsafeSlow(v.byteLength);
      own.set(v);
      peers.receive(m.keys[i], own);
    }
  });
  return peers;
}
