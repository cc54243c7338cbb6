import type { MemoryCheck } from './memory-check.js';

/**
 * Replica checks: replicas that applied the same entries must hold the same catalog. The leader
 * proposes a mark (`digestMark`); every replica takes its digest (meta-digest.ts) at the mark's index,
 * after applying it and before the next entry. The leader then proposes its own digest there
 * (`digestCompare`), and every replica compares its own with it. A replica whose catalog was damaged
 * while it ran (a bit flipped on disk or in memory, a defect that applied an entry differently) says
 * so in its log and its metrics, instead of serving that catalog silently until a restart refuses it.
 *
 * What a replica does with a difference is the operator's call (README, Operations): it goes on
 * serving, as the entries it applies are still the cluster's. One follower that differs is the damaged
 * one; every follower differing from the leader points at the leader.
 */
export const REPLICA_CHECK_RESULTS = ['match', 'mismatch', 'unavailable'] as const;
export type ReplicaCheckResult = (typeof REPLICA_CHECK_RESULTS)[number];

/** How a replica's log line about a difference begins (scripts/chaos looks for it). */
export const REPLICA_DIFFERS_LOG = "replica check: this replica's catalog differs from the leader's";

/**
 * At each mark, every replica (the leader too) also compares its memory, what it serves, with its own
 * store (memory-check.ts): 'same', 'different', or 'unavailable' (the check failed, as when the store
 * could not be read).
 */
export const MEMORY_CHECK_RESULTS = ['same', 'different', 'unavailable'] as const;
export type MemoryCheckResult = (typeof MEMORY_CHECK_RESULTS)[number];

/** A replica's log line when its memory was found the same as its store (scripts/chaos counts them). */
export const MEMORY_SAME_LOG = "replica check: this replica's memory is the same as its own catalog store";

/** How a replica's log line about its memory differing from its store begins (scripts/chaos looks for it). */
export const MEMORY_DIFFERS_LOG = "replica check: this replica's memory differs from its own catalog store";

/** The marks whose digests a replica keeps: a comparison comes a few seconds after its mark. */
const MARKS_KEPT = 4;

type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** The last difference found, kept across restarts until a check matches (ReplicaChecks' `record`). */
export interface Divergence {
  readonly index: number;
  readonly leader: number;
  readonly digest: string;
  readonly leaderDigest: string;
  /** Wall-clock ms when it was found. */
  readonly at: number;
}

/** Where a replica keeps its last difference (a file beside its catalog on a node; nowhere in a simulation). */
export interface DivergenceRecord {
  read(): Divergence | null;
  write(divergence: Divergence | null): void;
}

export class ReplicaChecks {
  /** This replica's digest at each recent mark, by the mark's index (null: it could not be taken there). */
  private readonly digests = new Map<number, Promise<string | null>>();
  /** The index of each recent mark, by the mark's ID. */
  private readonly marks = new Map<string, number>();
  /** Marks whose comparison waits for their digest (kept until it is done, even when no longer recent). */
  private readonly awaited = new Map<number, number>();
  /** The newest mark compared: an older one's result, settling later, does not change the verdict. */
  private newestCompared = 0;
  /** Comparisons with the leader's digest, by result (the leader compares none). */
  readonly counts: Record<ReplicaCheckResult, number> = { match: 0, mismatch: 0, unavailable: 0 };
  /** This replica's checks of its memory against its store, by result. */
  readonly memoryCounts: Record<MemoryCheckResult, number> = { same: 0, different: 0, unavailable: 0 };
  /**
   * Whether a check of this replica's memory found a difference and fewer checks in a row than it has
   * parts have found theirs the same since (a restart, reloading memory, clears it): a big catalog is
   * compared a part at each check (memory-check.ts), and a check of another part does not clear it.
   */
  memoryDiffers = false;
  /** Checks of memory in a row that found it the same. */
  private memorySameInARow = 0;
  /** The difference this replica's digest showed at the last mark compared (or recorded before this start), if any. */
  divergence: Divergence | null = null;

  /** Whether this replica's digest differed from the leader's at the last mark compared. */
  get diverged(): boolean {
    return this.divergence !== null;
  }

  /**
   * `record`: a difference found stays, through restarts, until a check matches (so that a restart of
   * a damaged replica does not clear its alert until the next check, an hour later by default).
   */
  constructor(
    private readonly self: number,
    private readonly log: Log,
    private readonly record: DivergenceRecord | null = null,
    private readonly nowMs: () => number = Date.now,
  ) {
    const recorded = record?.read() ?? null;
    if (recorded !== null) {
      this.divergence = recorded;
      this.log('error', `${REPLICA_DIFFERS_LOG} (found at a replica check before this start; it stands until a check matches)`, { ...recorded });
    }
  }

  /**
   * This replica's digest at the mark `id` at `index` is being taken (`taken`: meta-table.ts
   * digestForMark; null: not taken, as no one wanted it any more, see `wanted`).
   */
  taken(id: string, index: number, taken: Promise<{ digest: string; appliedIndex: number } | null>): void {
    const digest = taken.then(
      (result) => {
        if (result === null) return null;
        const { digest, appliedIndex } = result;
        if (appliedIndex === index) return digest;
        this.log('warn', "replica check: this replica's digest was taken at another index than its mark's; it is not compared", { index, appliedIndex });
        return null;
      },
      (error: unknown) => {
        this.log('warn', "replica check: this replica's digest could not be taken", { index, error: String(error) });
        return null;
      },
    );
    this.digests.set(index, digest);
    this.marks.set(id, index);
    for (const kept of [this.digests, this.marks] as const) {
      while (kept.size > MARKS_KEPT) kept.delete(kept.keys().next().value as never);
    }
  }

  /**
   * This replica's memory is being compared with its store (MetaTable.checkMemory; null: a check was
   * under way, and none was started).
   */
  async memoryChecked(check: Promise<MemoryCheck> | null): Promise<MemoryCheckResult | null> {
    if (check === null) return null;
    const started = this.nowMs();
    let result: MemoryCheck;
    try {
      result = await check;
    } catch (error) {
      this.memoryCounts.unavailable++;
      this.log('warn', "replica check: this replica's memory could not be compared with its store", { error: String(error) });
      return 'unavailable';
    }
    const { appliedIndex, differences } = result;
    if (differences.length === 0) {
      this.memorySameInARow++;
      if (this.memorySameInARow >= result.parts) this.memoryDiffers = false;
      this.memoryCounts.same++;
      this.log('info', MEMORY_SAME_LOG, { index: appliedIndex, part: `${result.part + 1} of ${result.parts}`, ms: this.nowMs() - started });
      return 'same';
    }
    this.memoryDiffers = true;
    this.memorySameInARow = 0;
    this.memoryCounts.different++;
    this.log(
      'error',
      `${MEMORY_DIFFERS_LOG} at the same applied index: it serves something else than it would after a restart (a defect, or damage in memory). Restart it, and if it happens again, report it with this log line`,
      { index: appliedIndex, part: `${result.part + 1} of ${result.parts}`, differences },
    );
    return 'different';
  }

  /** Whether the digest at the mark at `index` is still of use: a recent mark, or one a comparison waits for. */
  wanted(index: number): boolean {
    return this.digests.has(index) || this.awaited.has(index);
  }

  /** The index of the mark `id`, if this replica applied it recently. */
  markIndex(id: string): number | undefined {
    return this.marks.get(id);
  }

  /**
   * This replica's digest at the mark at `index`; undefined if it took none there (it installed a
   * snapshot past the mark, restarted since, or the mark is older than the last few); null if taking
   * it failed.
   */
  digestAt(index: number): Promise<string | null> | undefined {
    return this.digests.get(index);
  }

  /** The leader's digest at the mark at `index` is known: compare this replica's with it (a leader compares nothing). */
  async compare(index: number, leaderDigest: string, leader: number): Promise<ReplicaCheckResult | null> {
    if (leader === this.self) return null;
    // Looked up now, in log order: later marks may make it no longer recent before it is done.
    const taken = this.digestAt(index);
    this.awaited.set(index, (this.awaited.get(index) ?? 0) + 1);
    let own: string | null | undefined;
    try {
      own = await taken;
    } finally {
      const waiting = (this.awaited.get(index) ?? 1) - 1;
      if (waiting > 0) this.awaited.set(index, waiting);
      else this.awaited.delete(index);
    }
    const newest = index >= this.newestCompared;
    if (newest) this.newestCompared = index;
    if (own === undefined || own === null) {
      this.counts.unavailable++;
      this.log('info', 'replica check: this replica has no digest at the mark compared (it installed a snapshot past it or restarted since)', { index, leader });
      return 'unavailable';
    }
    if (own === leaderDigest) {
      this.counts.match++;
      if (newest && this.diverged) {
        this.keep(null);
        this.divergence = null;
      }
      return 'match';
    }
    this.counts.mismatch++;
    if (newest) {
      this.divergence = { index, leader, digest: own, leaderDigest, at: this.nowMs() };
      this.keep(this.divergence);
    }
    this.log(
      'error',
      `${REPLICA_DIFFERS_LOG} at the same log index (the same entries applied, something else held: damage on disk or in memory, or a defect). If the other followers match the leader, this replica is the damaged one: remove it, wipe its data directory and add it again (README, Operations)`,
      { index, leader, digest: own, leaderDigest },
    );
    return 'mismatch';
  }

  private keep(divergence: Divergence | null): void {
    try {
      this.record?.write(divergence);
    } catch (error) {
      this.log('warn', 'replica check: the record of a difference could not be written', { error: String(error) });
    }
  }
}
