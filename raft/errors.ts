/** Typed, coded errors of the Raft library. Callers branch on `code`, never on the message. */
export type RaftErrorCode =
  | 'ProposalDropped'
  | 'NotLeader'
  | 'UncommittedLogFull'
  | 'ConfChangePending'
  | 'InvalidConfChange'
  | 'TransferInProgress'
  | 'StepLocalMessage'
  | 'StepPeerNotFound'
  | 'Closed'
  | 'Timeout'
  | 'LeadershipLost'
  | 'QueueFull';

const retriableCodes: ReadonlySet<RaftErrorCode> = new Set<RaftErrorCode>([
  'ProposalDropped',
  'NotLeader',
  'UncommittedLogFull',
  'ConfChangePending',
  'TransferInProgress',
  'Timeout',
  'LeadershipLost',
  'QueueFull',
]);

export class RaftError extends Error {
  override name = 'RaftError';
  readonly retriable: boolean;
  constructor(
    readonly code: RaftErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.retriable = retriableCodes.has(code);
  }
}

/** Storage errors the core understands (modelled on etcd-io/raft's ErrCompacted / ErrUnavailable). */
export class LogCompactedError extends Error {
  override name = 'LogCompactedError';
}
export class LogUnavailableError extends Error {
  override name = 'LogUnavailableError';
}
export class SnapshotTemporarilyUnavailableError extends Error {
  override name = 'SnapshotTemporarilyUnavailableError';
}
export class SnapshotOutOfDateError extends Error {
  override name = 'SnapshotOutOfDateError';
}

/**
 * What to do about a member whose stored state is corrupt or lost. Not "wipe its data and start it
 * again": under its old ID an empty member has forgotten its votes and the entries it acknowledged, so
 * it could elect a leader that lacks committed entries (see LogLostError).
 */
export const CORRUPT_MEMBER_RECOVERY =
  "This member's data cannot be trusted and it must not start on it: remove the member and add it back with an " +
  'empty data directory, which gives it a new ID (rootcoord: `scripts/cluster remove <id>`, then `scripts/cluster add`). ' +
  'It must not start again under its old ID with its data directory wiped or replaced by an older copy: it would ' +
  'have forgotten its votes and the entries it acknowledged.';

/**
 * This member's log lacks entries it had: the state machine applied entries past the log's end, or the
 * leader has committed entries here that this member acknowledged (a leader never tells a follower a
 * commit index past what it acknowledged) and its log does not reach them. Its data directory was wiped
 * or replaced by an older copy, or the disk lost writes. Fatal, as in etcd ("tocommit is out of range"):
 * such a member would vote and acknowledge on a log it does not have.
 */
export class LogLostError extends Error {
  override name = 'LogLostError';
  constructor(readonly reason: string) {
    super(`this member's raft log has lost entries: ${reason}. ${CORRUPT_MEMBER_RECOVERY}`);
  }
}

/**
 * The leader's log differs from an entry this member committed: a leader holds every committed entry
 * (Raft's Leader Completeness), so a majority of members lost entries they had acknowledged (their logs
 * cut, or restored from older copies) and elected a leader without them. Fatal on this member, which
 * holds the entries the others lost: it stops instead of serving a catalog that the cluster's new
 * history contradicts. Not recorded as a lost log (it lost nothing); its data is the copy to keep.
 */
export class LogDivergedError extends Error {
  override name = 'LogDivergedError';
  constructor(readonly reason: string) {
    super(
      `the leader's raft log contradicts an entry this member committed: ${reason}. A majority of members lost entries they had acknowledged (their logs were cut or replaced by older copies); ` +
        "the cluster's later writes may contradict acknowledged ones. Keep this member's data directory: it holds the entries the others lost. Stop the cluster and restore it from a copy that has them.",
    );
  }
}

