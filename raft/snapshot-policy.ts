import type { Clock } from './clock.js';
import type { StateMachine } from './raft-node.js';
import type { LogStore } from './storage.js';
import { discardSource } from './snapshot-data.js';
import type { SnapshotSource } from './snapshot-data.js';
import type { ConfState } from './types.js';

/** What the snapshot policy needs of its node. */
export interface SnapshotHost {
  readonly storage: LogStore;
  readonly stateMachine: StateMachine;
  readonly clock: Clock;
  /** Take a snapshot after this many applied entries. */
  readonly snapshotEntries: number;
  /** Entries kept in the log behind a snapshot. */
  readonly snapshotEntriesKept: number;
  /** Record snapshots beside the Ready loop (RaftNodeOptions.backgroundSnapshots). */
  readonly background: boolean;
  appliedIndex(): number;
  confState(): ConfState;
  /** A snapshot was recorded at `index`. */
  recorded(index: number): void;
  /** A background snapshot failed: the node stops. */
  fail(error: Error): void;
  log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
}

/**
 * When to snapshot and compact the log, and how: every `snapshotEntries` applied entries, when asked
 * (snapshotNow), or when a peer needs the state that only the state machine holds. One snapshot at a
 * time; with a state machine that persists itself, a snapshot records an index only.
 */
export class SnapshotPolicy {
  private readonly requests: Array<(index: number) => void> = [];
  /** A snapshot being made beside the Ready loop (option backgroundSnapshots). */
  private snapshotting: Promise<void> | null = null;

  constructor(private readonly host: SnapshotHost) {}

  /** The snapshot being recorded, if any. */
  get inProgress(): Promise<void> | null {
    return this.snapshotting;
  }

  /** Someone waits for a snapshot (snapshotNow): the Ready loop takes one before anything else. */
  get requested(): boolean {
    return this.requests.length > 0;
  }

  /** Resolves with the newest snapshot's index once one at the applied index (or later) is recorded. */
  request(): Promise<number> {
    return new Promise<number>((resolve) => this.requests.push(resolve));
  }

  async maybeSnapshot(force = false): Promise<void> {
    const { storage, stateMachine } = this.host;
    const waiting = this.requests.splice(0);
    const newest = storage.newestSnapshot();
    const appliedIndex = this.host.appliedIndex();
    const due = appliedIndex - newest.metadata.index >= this.host.snapshotEntries;
    // One snapshot at a time; a peer's wish for data is taken only when it can be acted on.
    if (this.snapshotting === null) {
      // A peer needs the newest snapshot to catch up, and its state is only in the state machine.
      const dataWanted = newest.data === null && storage.takeSnapshotDataWanted();
      // Someone waits for a snapshot (snapshotNow during a Ready): take it now, not just when due.
      if (((force || due || waiting.length > 0) && appliedIndex > newest.metadata.index) || dataWanted) {
        // A state machine that keeps its state durable needs no copy of it to compact the log behind.
        this.snapshotting = this.record(appliedIndex, this.host.confState(), dataWanted || stateMachine.persist === undefined);
      }
    }
    const recorded = this.snapshotting ?? Promise.resolve();
    const answer = (): void => {
      for (const resolve of waiting) resolve(storage.newestSnapshot().metadata.index);
    };
    if (this.host.background) {
      // Those waiting are answered once the snapshot being made (if any) is recorded.
      if (waiting.length > 0) void recorded.then(answer);
      return;
    }
    await recorded;
    answer();
  }

  /**
   * Record a snapshot of the state machine at `index` (applied), compacting the log behind it: with a
   * copy of its state (`withData`), or, for a state machine that persists itself, once it has made
   * everything up to `index` durable, by index only.
   */
  private async record(index: number, confState: ConfState, withData: boolean): Promise<void> {
    const { storage, stateMachine, clock } = this.host;
    try {
      // Without a copy, only a state machine that persists itself (maybeSnapshot decides).
      let data: SnapshotSource | null = null;
      const startedAt = clock.monotonicMs();
      if (withData) data = await stateMachine.snapshot();
      else await stateMachine.persist?.();
      // A snapshot from the leader may have overtaken ours while the state machine serialised itself.
      const newest = storage.newestSnapshot();
      if (index > newest.metadata.index || (index === newest.metadata.index && newest.data === null && data !== null)) {
        const recorded = await storage.createSnapshot(index, confState, data, this.host.snapshotEntriesKept);
        if (data !== null && stateMachine.persist !== undefined) this.host.log?.('info', 'made a copy of the state machine for a peer that needs a snapshot', { index, bytes: recorded.data.byteLength, ms: Math.round(clock.monotonicMs() - startedAt) });
        this.host.recorded(index);
      } else if (data !== null) {
        await discardSource(data);
      }
    } catch (error) {
      if (!this.host.background) throw error;
      this.host.fail(error as Error);
    } finally {
      this.snapshotting = null;
    }
  }
}
