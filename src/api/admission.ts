import { CodedError } from '../common/error-codes.js';
import type { Limits } from '../ddl/limits.js';

/** What a call costs: DDL runs a task through Raft; `light` calls are reads, TSO, IDs and time ticks. */
export type AdmissionClass = 'ddl' | 'light';

export interface AdmissionCounts {
  readonly total: number;
  readonly ddl: number;
  readonly connections: number;
  readonly rejected: number;
}

/**
 * Bounded in-flight work on the client port. A call is admitted only while the node-wide count, the
 * DDL count (for DDL) and its connection's count are below their limits; otherwise it is refused at
 * once with code 2001 (queue full, retriable), so that overload is answered in microseconds instead
 * of as a proposal that times out (2002) after waiting behind everyone else.
 *
 * Calls a follower forwards carry no connection (`peer` null): one follower connection carries many
 * clients, each already counted against its own connection on the follower. The node-wide limits
 * apply to them as to any other call.
 */
export class Admission {
  private total = 0;
  private ddl = 0;
  private rejected = 0;
  private readonly byPeer = new Map<string, number>();

  constructor(private readonly limits: Pick<Limits, 'maxInflightRequests' | 'maxInflightDdl' | 'maxInflightPerConnection'>) {}

  /** Admit a call or throw CodedError QueueFull; the returned function releases it (call it once). */
  admit(kind: AdmissionClass, peer: string | null): () => void {
    const { maxInflightRequests, maxInflightDdl, maxInflightPerConnection } = this.limits;
    const fromPeer = peer === null ? 0 : (this.byPeer.get(peer) ?? 0);
    let refusal: string | null = null;
    if (this.total >= maxInflightRequests) refusal = `${this.total} calls are in flight on this node (max ${maxInflightRequests})`;
    else if (kind === 'ddl' && this.ddl >= maxInflightDdl) refusal = `${this.ddl} DDL calls are in flight on this node (max ${maxInflightDdl})`;
    else if (peer !== null && fromPeer >= maxInflightPerConnection) refusal = `${fromPeer} calls are in flight from this connection (max ${maxInflightPerConnection})`;
    if (refusal !== null) {
      this.rejected++;
      throw new CodedError('QueueFull', `${refusal}; retry later`);
    }
    this.total++;
    if (kind === 'ddl') this.ddl++;
    if (peer !== null) this.byPeer.set(peer, fromPeer + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      if (kind === 'ddl') this.ddl--;
      if (peer === null) return;
      const left = (this.byPeer.get(peer) ?? 1) - 1;
      if (left <= 0) this.byPeer.delete(peer);
      else this.byPeer.set(peer, left);
    };
  }

  counts(): AdmissionCounts {
    return { total: this.total, ddl: this.ddl, connections: this.byPeer.size, rejected: this.rejected };
  }
}
