import { assert } from './assert.js';
import { Progress } from './progress.js';
import { committedIndex, hasQuorum, voteResult, VoteResult } from './quorum.js';
import { ConfChangeType } from './types.js';
import type { ConfChange, ConfState } from './types.js';

/** The current membership (voters and learners), each member's Progress, and the votes of an election. */
export class ProgressTracker {
  voters = new Set<number>();
  learners = new Set<number>();
  readonly progress = new Map<number, Progress>();
  readonly votes = new Map<number, boolean>();

  constructor(
    private readonly inflightCountMax: number,
    private readonly inflightBytesMax: number,
  ) {}

  confState(): ConfState {
    return { voters: [...this.voters].sort((a, b) => a - b), learners: [...this.learners].sort((a, b) => a - b) };
  }

  /** Replace the membership (on start or snapshot restore); every progress starts probing at `next`. */
  restore(confState: ConfState, next: number): void {
    this.voters = new Set(confState.voters);
    this.learners = new Set(confState.learners);
    for (const id of this.learners) assert(!this.voters.has(id), `node ${id} is both voter and learner`);
    this.progress.clear();
    for (const id of this.voters) this.progress.set(id, this.newProgress(next, false));
    for (const id of this.learners) this.progress.set(id, this.newProgress(next, true));
  }

  private newProgress(next: number, isLearner: boolean): Progress {
    return new Progress(next, this.inflightCountMax, this.inflightBytesMax, isLearner);
  }

  /** A conf change is invalid if it cannot be applied as is; returns the reason, or null. */
  validate(cc: ConfChange): string | null {
    switch (cc.type) {
      case ConfChangeType.AddVoter:
        return this.voters.has(cc.nodeId) ? `node ${cc.nodeId} is already a voter` : null;
      case ConfChangeType.AddLearner:
        if (this.voters.has(cc.nodeId)) return `node ${cc.nodeId} is a voter; demotion is not supported`;
        return this.learners.has(cc.nodeId) ? `node ${cc.nodeId} is already a learner` : null;
      case ConfChangeType.RemoveNode:
        if (!this.voters.has(cc.nodeId) && !this.learners.has(cc.nodeId)) return `node ${cc.nodeId} is not a member`;
        return this.voters.has(cc.nodeId) && this.voters.size === 1 ? 'cannot remove the last voter' : null;
    }
  }

  /** Apply one committed single-server change. Invalid changes are ignored (they were validated when proposed). */
  apply(cc: ConfChange, next: number): void {
    if (this.validate(cc) !== null) return;
    const existing = this.progress.get(cc.nodeId);
    switch (cc.type) {
      case ConfChangeType.AddVoter:
        this.learners.delete(cc.nodeId);
        this.voters.add(cc.nodeId);
        if (existing === undefined) this.progress.set(cc.nodeId, this.newProgress(next, false));
        else existing.isLearner = false;
        break;
      case ConfChangeType.AddLearner:
        this.learners.add(cc.nodeId);
        if (existing === undefined) this.progress.set(cc.nodeId, this.newProgress(next, true));
        break;
      case ConfChangeType.RemoveNode:
        this.voters.delete(cc.nodeId);
        this.learners.delete(cc.nodeId);
        this.progress.delete(cc.nodeId);
        break;
    }
  }

  isVoter(id: number): boolean {
    return this.voters.has(id);
  }

  committed(): number {
    return committedIndex(this.voters, (id) => this.progress.get(id)?.match ?? 0);
  }

  quorumActive(): boolean {
    return hasQuorum(this.voters, (id) => this.progress.get(id)?.recentActive === true);
  }

  recordVote(id: number, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): VoteResult {
    return voteResult(this.voters, this.votes);
  }
}
