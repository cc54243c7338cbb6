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
