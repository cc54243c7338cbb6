import type { DdlTask } from '../ddl/task.js';
import type { TaskPort } from './ports.js';
import type { PlainMessage } from './proto.js';

/**
 * Where a call runs: `leader` calls (DDL, TSO, IDs) run on the serving leader and are forwarded there;
 * `read` calls run on any node after a linearizable read barrier; `local` calls answer at once.
 */
export type CallKind = 'leader' | 'read' | 'local';

/** What a handler knows of its call besides the request. */
export interface CallContext {
  /**
   * The request's key for a DDL: the client's ID for it (metadata `x-rootcoord-request-id`, the same on
   * every retry) with a digest of the call (src/api/request-key.ts); the client's ID for other calls.
   */
  readonly requestId: string | null;
  /** The authenticated user when authorization is on; null when it is off. */
  readonly user: string | null;
}

export interface Handler {
  readonly kind: CallKind;
  /** A DDL task (admitted against the DDL budget, see Admission); unset for reads, TSO, IDs, time ticks. */
  readonly ddl?: true;
  readonly handle: (req: PlainMessage, call: CallContext) => Promise<PlainMessage>;
}

const EMPTY: PlainMessage = {};

export function leaderHandler(handle: (req: PlainMessage, call: CallContext) => Promise<PlainMessage>): Handler {
  return { kind: 'leader', handle };
}

/** A DDL call: the task runs on the serving leader, once per client request ID. */
export function ddlHandler(node: TaskPort, toTask: (req: PlainMessage, call: CallContext) => DdlTask): Handler {
  const handle = async (req: PlainMessage, call: CallContext): Promise<PlainMessage> => {
    await node.submit(toTask(req, call), call.requestId);
    return EMPTY;
  };
  return { kind: 'leader', ddl: true, handle };
}

/** A read, served after the read barrier on whichever node the call reached. */
export function readHandler(handle: (req: PlainMessage, call: CallContext) => PlainMessage | Promise<PlainMessage>): Handler {
  return { kind: 'read', handle: async (req, call) => handle(req, call) };
}
