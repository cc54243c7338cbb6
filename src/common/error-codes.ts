import { ErrorCodes } from '../protocol/error-codes.js';
import type { ErrorName } from '../protocol/error-codes.js';

/** The table itself is part of the protocol (src/protocol/error-codes.ts), shared with the client. */
export { ErrorCodes };
export type { ErrorName };

/**
 * An operating error with a code: returned to the client as a Status, never thrown past the API. It
 * carries no stack trace: nothing reads one (the API logs the stack of unexpected errors only), and
 * capturing it cost about 6 to 10 µs per error, which an overloaded leader paid for every call it
 * refused (about 0.5 s of its request thread in 20 s of 500 callers).
 */
export class CodedError extends Error {
  override name = 'CodedError';
  readonly code: number;
  readonly legacy: number;
  readonly retriable: boolean;

  /** `legacy` overrides the legacy code (Milvus stamps RBAC failures with their own, e.g. 29). */
  constructor(
    readonly errorName: ErrorName,
    message: string,
    legacy?: number,
  ) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    const entry = ErrorCodes[errorName];
    this.code = entry.code;
    this.legacy = legacy ?? entry.legacy;
    this.retriable = entry.retriable;
  }
}

export type StatusMessage = {
  error_code: number;
  reason: string;
  code: number;
  retriable: boolean;
  detail: string;
};

export const successStatus: StatusMessage = { error_code: 0, reason: '', code: 0, retriable: false, detail: '' };

export function statusOf(error: CodedError): StatusMessage {
  return { error_code: error.legacy, reason: error.message, code: error.code, retriable: error.retriable, detail: error.errorName };
}
