/**
 * The other workers' answers (server.workers > 1 with server.share_cache_between_workers): each
 * worker offers what it resolved and validated (the rule of cache.shared, shared-answers.ts in the
 * resolver) to `publish`, which posts it to the primary; the primary hands it to every other worker,
 * which keeps it here (receive) until a client asks for it. Entries are kept encoded (shared-entry.ts,
 * with the time of writing, so TTLs go on counting down) in an LRU bounded by bytes; a hit is decoded,
 * kept in the worker's own cache by the resolver and then dropped from here (kept), so the store holds
 * mostly answers this worker has not been asked for yet. Per-process state, like the local cache.
 */
import { LRUCache } from 'lru-cache';
import { isSubdomain, normalizeName } from '../wire/index.js';
import type { Clock } from '../util/index.js';
import { decodeShared, sharedKey, storable, type AnswerTier, type SharedAnswer, type SharedFlush, type SharedQuestion } from './shared-entry.js';

/** `ward stats` cache.workers: what this worker took from, offered to and received from the others. */
export interface PeerAnswerStats {
  hits: number;
  /** Lookups that found nothing usable (absent, or a TTL run out). */
  misses: number;
  /** Entries found with a TTL run out (dropped, not served). */
  expired: number;
  /** Answers offered to the other workers. */
  sent: number;
  /** Answers received from the other workers. */
  received: number;
  /** Answers not offered because the channel to the primary was full. */
  dropped: number;
}

export function emptyPeerStats(): PeerAnswerStats {
  return { hits: 0, misses: 0, expired: 0, sent: 0, received: 0, dropped: 0 };
}

/** Bytes an entry costs beyond its value and key: the Buffer object, the key string, lru-cache's slots. */
const ENTRY_OVERHEAD = 250;

/** Posts one answer to the other workers; false when it could not be sent (the channel is full). */
export type PublishAnswer = (key: string, value: Buffer) => boolean;

export class PeerAnswers implements AnswerTier {
  private readonly counts = emptyPeerStats();
  private readonly lru: LRUCache<string, Buffer>;

  constructor(maxBytes: number, private readonly clock: Clock, private readonly publish: PublishAnswer) {
    this.lru = new LRUCache<string, Buffer>({ maxSize: Math.max(1024, maxBytes), sizeCalculation: (v, k) => v.length + k.length + ENTRY_OVERHEAD });
  }

  lookup(q: SharedQuestion): SharedAnswer | undefined {
    const key = sharedKey('', q);
    const value = this.lru.get(key);
    if (value === undefined) { this.counts.misses++; return undefined; }
    const entry = decodeShared(q, value, this.clock.now());
    if (typeof entry === 'string') {
      this.lru.delete(key);
      if (entry === 'expired') this.counts.expired++;
      this.counts.misses++;
      return undefined;
    }
    this.counts.hits++;
    return entry;
  }

  kept(q: SharedQuestion): void {
    this.lru.delete(sharedKey('', q));
  }

  write(q: SharedQuestion, a: SharedAnswer): void {
    const entry = storable(q, a, this.clock.now());
    if (entry === undefined) return;
    if (this.publish(sharedKey('', q), entry.value)) this.counts.sent++; else this.counts.dropped++;
  }

  /** Keeps an answer another worker resolved (its key as sharedKey('', question) gives it). */
  receive(key: string, value: Buffer): void {
    this.counts.received++;
    this.lru.set(key, value);
  }

  /** Drops what `f` names (ward flush reaches every worker); returns how many entries. */
  flush(f: SharedFlush): number {
    if (f.all) { const n = this.lru.size; this.lru.clear(); return n; }
    const target = normalizeName(f.name ?? '');
    let n = 0;
    for (const key of [...this.lru.keys()]) {
      const [owner, type] = key.split('|');
      const named = f.subtree ? isSubdomain(owner, target) : owner === target;
      if (named && (f.type === undefined || f.type === type) && this.lru.delete(key)) n++;
    }
    return n;
  }

  stats(): PeerAnswerStats {
    return { ...this.counts };
  }

  get entries(): number { return this.lru.size; }
  get bytes(): number { return this.lru.calculatedSize; }
}
