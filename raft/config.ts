import type { Random } from './prng.js';

/**
 * Deliberately unsafe behaviours, each switching off one safety mechanism. They exist only so the test
 * suite can prove that the simulator catches the bug each one introduces; never enable them otherwise.
 */
export interface UnsafeKnobs {
  /** Grant votes without the "candidate's log is at least as up to date" check. */
  readonly voteWithoutLogCheck?: boolean;
  /** Answer ReadIndex at once from the leader's own commit index, without a heartbeat round. */
  readonly readWithoutQuorum?: boolean;
  /** On snapshot install, keep the log entries after the snapshot even though they conflict. */
  readonly keepLogOnSnapshot?: boolean;
}

export interface RaftConfig {
  readonly id: number;
  /** T: a follower campaigns after a random timeout in [T, 2T) ticks without hearing from a leader. */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly random: Random;
  readonly checkQuorum?: boolean;
  readonly preVote?: boolean;
  /** The index the host's state machine has already applied (entries up to it are not re-delivered). */
  readonly applied?: number;
  readonly maxMsgBytes?: number;
  readonly maxInflightMsgs?: number;
  readonly maxInflightBytes?: number;
  /** Proposals are refused while the leader's uncommitted tail is larger than this. */
  readonly maxUncommittedBytes?: number;
  readonly maxApplyBytes?: number;
  readonly maxPendingReads?: number;
  readonly unsafe?: UnsafeKnobs;
}

export interface ResolvedRaftConfig {
  readonly id: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly random: Random;
  readonly checkQuorum: boolean;
  readonly preVote: boolean;
  readonly applied: number;
  readonly maxMsgBytes: number;
  readonly maxInflightMsgs: number;
  readonly maxInflightBytes: number;
  readonly maxUncommittedBytes: number;
  readonly maxApplyBytes: number;
  readonly maxPendingReads: number;
  readonly unsafe: UnsafeKnobs;
}

export function resolveConfig(config: RaftConfig): ResolvedRaftConfig {
  if (!Number.isSafeInteger(config.id) || config.id <= 0) throw new RangeError(`raft: id must be a positive integer, got ${config.id}`);
  if (config.heartbeatTicks <= 0) throw new RangeError(`raft: heartbeatTicks must be > 0, got ${config.heartbeatTicks}`);
  if (config.electionTicks <= config.heartbeatTicks) {
    throw new RangeError(`raft: electionTicks (${config.electionTicks}) must exceed heartbeatTicks (${config.heartbeatTicks})`);
  }
  return {
    id: config.id,
    electionTicks: config.electionTicks,
    heartbeatTicks: config.heartbeatTicks,
    random: config.random,
    checkQuorum: config.checkQuorum ?? true,
    preVote: config.preVote ?? true,
    applied: config.applied ?? 0,
    maxMsgBytes: config.maxMsgBytes ?? 1024 * 1024,
    maxInflightMsgs: config.maxInflightMsgs ?? 256,
    maxInflightBytes: config.maxInflightBytes ?? 32 * 1024 * 1024,
    maxUncommittedBytes: config.maxUncommittedBytes ?? 64 * 1024 * 1024,
    maxApplyBytes: config.maxApplyBytes ?? 16 * 1024 * 1024,
    maxPendingReads: config.maxPendingReads ?? 100_000,
    unsafe: config.unsafe ?? {},
  };
}
