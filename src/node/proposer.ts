import { RaftError } from '../../raft/errors.js';
import type { RaftHandle } from '../../raft/raft-handle.js';
import { CodedError } from '../common/error-codes.js';
import { encodeCommand } from '../meta/commands.js';
import type { MetaCommand } from '../meta/commands.js';
import type { ApplyResult } from '../meta/meta-table.js';
import type { FieldModel } from '../meta/model.js';

/** Raft failures as API errors: a timeout leaves the outcome unknown; the rest are retriable. */
export function codedFromRaft(error: unknown): unknown {
  if (!(error instanceof RaftError)) return error;
  if (error.code === 'Timeout') return new CodedError('OutcomeUnknown', error.message);
  if (error.code === 'QueueFull' || error.code === 'UncommittedLogFull') return new CodedError('QueueFull', error.message);
  return new CodedError('ServiceNotReady', error.message);
}

/**
 * Replicates a MetaCommand and resolves once it is applied here; a failed precondition is an error.
 * Only as the leader of the term `leaderTerm()` names (-1: refused at once). `fieldText`: the stored
 * text of a field (the catalog's, so that a shared field is not stringified again).
 */
export function makeProposer(raft: RaftHandle, leaderTerm: () => number, fieldText: (field: FieldModel) => string): (command: MetaCommand) => Promise<void> {
  return async (command) => {
    let applied: { result: unknown };
    try {
      const term = leaderTerm();
      if (term < 0) throw new CodedError('ServiceNotReady', `node ${raft.id} is not the leader`);
      applied = await raft.propose(encodeCommand(command, fieldText), term);
    } catch (error) {
      throw codedFromRaft(error);
    }
    const result = applied.result as ApplyResult;
    if (!result.ok) throw new CodedError('Unexpected', result.reason);
  };
}
