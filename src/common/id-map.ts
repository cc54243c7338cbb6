/** IDs per block: 4,096 consecutive IDs share one Map. */
const BLOCK_BITS = 12n;
const BLOCK_IDS = 1n << BLOCK_BITS;

/**
 * A map keyed by IDs that are issued in increasing order (IdAllocator's), kept as one Map per block of
 * 4,096 consecutive IDs, so that no table holds more than a block's entries. A JavaScript Map grows by
 * copying its whole table into one twice the size (and a deleted entry keeps its slot until such a
 * copy): a Map of all 175,000 collections took 20 to 25 ms to copy on this machine, and the table of
 * all collections, each database's and each database's names grew in the same apply, a stall of 300
 * to 400 ms of a leader's request thread under a fill's load. Here only the block being filled grows.
 * Iteration goes block by block, in the order blocks were first used, each in insertion order: for
 * increasing IDs, the order they were added.
 */
export class IdMap<V> {
  private readonly blocks = new Map<bigint, Map<bigint, V>>();
  private count = 0;
  /** The block last used and its IDs [lastFirst, lastEnd) (most uses are of the block being filled): no shift, no lookup. */
  private lastFirst = 0n;
  private lastEnd = 0n;
  private lastBlock: Map<bigint, V> | undefined = undefined;

  get size(): number {
    return this.count;
  }

  /** The block of `id`, if it has one. */
  private blockOf(id: bigint): Map<bigint, V> | undefined {
    if (this.lastBlock !== undefined && id >= this.lastFirst && id < this.lastEnd) return this.lastBlock;
    const key = id >> BLOCK_BITS;
    const block = this.blocks.get(key);
    if (block !== undefined) {
      this.lastFirst = key << BLOCK_BITS;
      this.lastEnd = this.lastFirst + BLOCK_IDS;
      this.lastBlock = block;
    }
    return block;
  }

  get(id: bigint): V | undefined {
    return this.blockOf(id)?.get(id);
  }

  has(id: bigint): boolean {
    return this.blockOf(id)?.has(id) ?? false;
  }

  set(id: bigint, value: V): this {
    let block = this.blockOf(id);
    if (block === undefined) {
      const key = id >> BLOCK_BITS;
      block = new Map();
      this.blocks.set(key, block);
      this.lastFirst = key << BLOCK_BITS;
      this.lastEnd = this.lastFirst + BLOCK_IDS;
      this.lastBlock = block;
    }
    const before = block.size;
    block.set(id, value);
    this.count += block.size - before;
    return this;
  }

  delete(id: bigint): boolean {
    const block = this.blockOf(id);
    if (block === undefined || !block.delete(id)) return false;
    this.count--;
    if (block.size === 0) {
      this.blocks.delete(id >> BLOCK_BITS);
      this.forgetLast();
    }
    return true;
  }

  clear(): void {
    this.blocks.clear();
    this.count = 0;
    this.forgetLast();
  }

  private forgetLast(): void {
    this.lastFirst = 0n;
    this.lastEnd = 0n;
    this.lastBlock = undefined;
  }

  *keys(): Generator<bigint> {
    for (const block of this.blocks.values()) yield* block.keys();
  }

  *values(): Generator<V> {
    for (const block of this.blocks.values()) yield* block.values();
  }

  /** The values as an array (faster than spreading values()). */
  valueArray(): V[] {
    const out: V[] = [];
    for (const block of this.blocks.values()) for (const value of block.values()) out.push(value);
    return out;
  }

  /** valueArray, `pause` awaited after each block (the caller keeps the map unchanged until it resolves). */
  async valueArrayPausing(pause: () => Promise<void>): Promise<V[]> {
    const out: V[] = [];
    for (const block of [...this.blocks.values()]) {
      for (const value of block.values()) out.push(value);
      await pause();
    }
    return out;
  }
}
