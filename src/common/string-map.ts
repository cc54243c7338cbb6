/** How many Maps a StringMap spreads its keys over. */
const BUCKETS = 256;

/** Code units hashed at each end of a longer key. */
const END_UNITS = 16;

/**
 * Which bucket a key goes to: FNV-1a over its length and UTF-16 code units (of a key longer than 32,
 * its first and last 16: a request key ends with a digest, a name often with a number), the low 8 bits.
 */
function bucketOf(key: string): number {
  const n = key.length;
  let hash = Math.imul(0x811c9dc5 ^ n, 0x01000193);
  if (n <= 2 * END_UNITS) {
    for (let i = 0; i < n; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  } else {
    for (let i = 0; i < END_UNITS; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
    for (let i = n - END_UNITS; i < n; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  }
  return (hash ^ (hash >>> 16)) & (BUCKETS - 1);
}

/**
 * A map keyed by strings, kept as 256 Maps by a hash of the key, so that no table holds more than
 * about 1/256 of the entries (see IdMap: growing a Map copies its whole table, 20 to 25 ms for 175,000
 * entries, and 300 to 400 ms of a loaded leader's request thread when several grew together). The
 * buckets grow at different moments (their sizes vary), each copy about 1/256 of the whole. Iteration
 * goes bucket by bucket: in no particular order.
 */
export class StringMap<V> implements Iterable<[string, V]> {
  private readonly buckets: Array<Map<string, V>> = Array.from({ length: BUCKETS }, () => new Map());
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    return (this.buckets[bucketOf(key)] as Map<string, V>).get(key);
  }

  has(key: string): boolean {
    return (this.buckets[bucketOf(key)] as Map<string, V>).has(key);
  }

  set(key: string, value: V): this {
    const bucket = this.buckets[bucketOf(key)] as Map<string, V>;
    const before = bucket.size;
    bucket.set(key, value);
    this.count += bucket.size - before;
    return this;
  }

  delete(key: string): boolean {
    if (!(this.buckets[bucketOf(key)] as Map<string, V>).delete(key)) return false;
    this.count--;
    return true;
  }

  clear(): void {
    for (const bucket of this.buckets) bucket.clear();
    this.count = 0;
  }

  /**
   * Its keys and their values (at the same positions), as arrays: a copy (a copy as a Map took 120 to
   * 180 ms for 200,000 entries, as arrays 45), `pause` awaited after each bucket. The caller keeps the
   * map unchanged until it resolves.
   */
  async columns(pause: () => Promise<void>): Promise<{ keys: string[]; values: V[] }> {
    const keys: string[] = [];
    const values: V[] = [];
    for (const bucket of this.buckets) {
      keys.push(...bucket.keys());
      values.push(...bucket.values());
      await pause();
    }
    return { keys, values };
  }

  /** Every entry; deleting the entry just visited while iterating is allowed (as with a Map). */
  *entries(): Generator<[string, V]> {
    for (const bucket of this.buckets) yield* bucket.entries();
  }

  [Symbol.iterator](): Generator<[string, V]> {
    return this.entries();
  }
}
