import { EntryType } from '../types.js';
import type { Entry } from '../types.js';

const decoder = new TextDecoder();

export class SafetyViolation extends Error {
  override name = 'SafetyViolation';
}

function describe(entry: { term: number; data: string }): string {
  return `(term ${entry.term}, ${JSON.stringify(entry.data)})`;
}

/**
 * The safety properties of Raft, checked incrementally as the simulator observes each node's Ready:
 * election safety, log matching, monotonic log terms, leader completeness, state machine safety, and
 * that a committed entry never changes. Every check throws SafetyViolation naming what broke.
 */
export class SafetyChecker {
  private readonly leaderOfTerm = new Map<number, number>();
  /** (index, term) -> the entry's data and the term of the entry before it, as first seen. */
  private readonly entryAt = new Map<string, { data: string; prevTerm: number | null }>();
  /** The committed entry at each index, as first applied or committed anywhere. */
  private readonly committed = new Map<number, { term: number; data: string }>();
  committedMax = 0;

  observeLeader(nodeId: number, term: number): void {
    const existing = this.leaderOfTerm.get(term);
    if (existing !== undefined && existing !== nodeId) {
      throw new SafetyViolation(`election safety: nodes ${existing} and ${nodeId} are both leader in term ${term}`);
    }
    this.leaderOfTerm.set(term, nodeId);
  }

  /** A node persists `entries`; `termAt` reads its log (null when compacted or absent). */
  observeAppend(nodeId: number, entries: readonly Entry[], termAt: (index: number) => number | null): void {
    for (const entry of entries) {
      const prevTerm = termAt(entry.index - 1);
      if (prevTerm !== null && prevTerm > entry.term) {
        throw new SafetyViolation(`log terms: node ${nodeId} has term ${prevTerm} at ${entry.index - 1} before term ${entry.term} at ${entry.index}`);
      }
      const key = `${entry.index}/${entry.term}`;
      const data = decoder.decode(entry.data) + (entry.type === EntryType.ConfChange ? '#cc' : '');
      const seen = this.entryAt.get(key);
      if (seen === undefined) {
        this.entryAt.set(key, { data, prevTerm });
        continue;
      }
      if (seen.data !== data) {
        throw new SafetyViolation(`log matching: two different entries at index ${entry.index} term ${entry.term} (${JSON.stringify(seen.data)} on one node, ${JSON.stringify(data)} on node ${nodeId})`);
      }
      if (seen.prevTerm !== null && prevTerm !== null && seen.prevTerm !== prevTerm) {
        throw new SafetyViolation(`log matching: entry ${entry.index}/${entry.term} follows term ${seen.prevTerm} on one node and ${prevTerm} on node ${nodeId}`);
      }
    }
  }

  /** A node's commit index reached `commit`; every entry it holds up to it is committed. */
  observeCommit(nodeId: number, from: number, commit: number, entryAt: (index: number) => Entry | null): void {
    for (let index = from + 1; index <= commit; index++) {
      const entry = entryAt(index);
      if (entry !== null) this.recordCommitted(nodeId, 'committed', entry);
    }
    this.committedMax = Math.max(this.committedMax, commit);
  }

  observeApply(nodeId: number, entry: Entry): void {
    this.recordCommitted(nodeId, 'applied', entry);
  }

  private recordCommitted(nodeId: number, how: string, entry: Entry): void {
    const data = decoder.decode(entry.data) + (entry.type === EntryType.ConfChange ? '#cc' : '');
    const known = this.committed.get(entry.index);
    if (known === undefined) {
      this.committed.set(entry.index, { term: entry.term, data });
      return;
    }
    if (known.term !== entry.term || known.data !== data) {
      throw new SafetyViolation(`state machine safety: node ${nodeId} ${how} ${describe({ term: entry.term, data })} at index ${entry.index}, but ${describe(known)} was committed there`);
    }
  }

  /** A new leader must hold every committed entry it has not compacted. */
  checkLeaderCompleteness(nodeId: number, term: number, firstIndex: number, termAt: (index: number) => number | null): void {
    for (let index = Math.max(firstIndex, 1); index <= this.committedMax; index++) {
      const known = this.committed.get(index);
      if (known === undefined) continue;
      const ours = termAt(index);
      if (ours !== known.term) {
        throw new SafetyViolation(`leader completeness: node ${nodeId} became leader of term ${term} without committed entry ${index} (term ${known.term}); it has ${ours === null ? 'nothing' : `term ${ours}`}`);
      }
    }
  }

  committedEntry(index: number): { term: number; data: string } | undefined {
    return this.committed.get(index);
  }
}
