/**
 * The most frequent keys of an unbounded stream in bounded memory: Space-Saving with its
 * Stream-Summary (Metwally, Agrawal, El Abbadi, "Efficient computation of frequent and top-k
 * elements in data streams", 2005). At most `capacity` keys are held. When the table is full, a new
 * key takes the place of one with the lowest count and starts from that count (kept as its
 * `error`), so a count is an upper bound, exact as long as fewer than `capacity` distinct keys were
 * seen, and every key seen more than total / capacity times is in the table. A flood of unique
 * names therefore churns the bottom of the table and leaves the heavy hitters in place.
 *
 * Keys with equal counts share a bucket; the buckets form a list in count order, so an increment
 * moves a key to the next bucket and costs O(1) whatever the capacity. A key may carry a label (its
 * text, when the key is a hash): set when the key enters the table, so made once, not per add.
 */

interface Bucket<K> { count: number; keys: Set<Counted<K>>; prev: Bucket<K> | undefined; next: Bucket<K> | undefined }
interface Counted<K> { key: K; label: string | undefined; error: number; bucket: Bucket<K> }

export interface TopEntry<K = string> {
  key: K;
  label: string | undefined;
  /** Times seen (an upper bound once keys were evicted). */
  count: number;
  /** How much of `count` may belong to evicted keys (0: exact). */
  error: number;
}

export class SpaceSaving<K = string> {
  private readonly entries = new Map<K, Counted<K>>();
  /** The bucket of the lowest count (where evictions come from) and of the highest (where top() starts). */
  private min: Bucket<K> | undefined;
  private max: Bucket<K> | undefined;

  constructor(readonly capacity: number) {}

  get size(): number { return this.entries.size; }

  /** Counts `key` once more; true when it entered the table now (it has no label yet). */
  add(key: K): boolean {
    const known = this.entries.get(key);
    if (known) { this.bump(known); return false; }
    if (this.entries.size < this.capacity) {
      const one = this.min?.count === 1 ? this.min : this.link({ count: 1, keys: new Set(), prev: undefined, next: this.min });
      const e: Counted<K> = { key, label: undefined, error: 0, bucket: one };
      one.keys.add(e);
      this.entries.set(key, e);
      return true;
    }
    // Full: the oldest key of the lowest count gives its place (and its count) to the new one.
    const victim = (this.min as Bucket<K>).keys.values().next().value as Counted<K>;
    this.entries.delete(victim.key);
    victim.key = key;
    victim.label = undefined;
    victim.error = victim.bucket.count;
    this.entries.set(key, victim);
    this.bump(victim);
    return true;
  }

  /** Names a key in the table (see add). */
  label(key: K, label: string): void {
    const e = this.entries.get(key);
    if (e) e.label = label;
  }

  /** The `n` highest counts, highest first; equal counts in the order of their labels (or keys). */
  top(n: number): TopEntry<K>[] {
    const out: TopEntry<K>[] = [];
    const text = (e: Counted<K>): string => e.label ?? String(e.key);
    for (let b = this.max; b && out.length < n; b = b.prev) {
      const keys = [...b.keys].sort((x, y) => (text(x) < text(y) ? -1 : text(x) > text(y) ? 1 : 0));
      for (const e of keys.slice(0, n - out.length)) out.push({ key: e.key, label: e.label, count: b.count, error: e.error });
    }
    return out;
  }

  private bump(e: Counted<K>): void {
    const from = e.bucket;
    // Alone in its bucket with no bucket at the next count: the bucket itself moves up (no allocation).
    if (from.keys.size === 1 && from.next?.count !== from.count + 1) { from.count++; return; }
    const to = from.next?.count === from.count + 1
      ? from.next
      : this.link({ count: from.count + 1, keys: new Set(), prev: from, next: from.next });
    from.keys.delete(e);
    to.keys.add(e);
    e.bucket = to;
    if (from.keys.size === 0) this.unlink(from);
  }

  /** Puts a new bucket between its `prev` and `next`. */
  private link(b: Bucket<K>): Bucket<K> {
    if (b.prev) b.prev.next = b; else this.min = b;
    if (b.next) b.next.prev = b; else this.max = b;
    return b;
  }

  private unlink(b: Bucket<K>): void {
    if (b.prev) b.prev.next = b.next; else this.min = b.next;
    if (b.next) b.next.prev = b.prev; else this.max = b.prev;
  }
}
