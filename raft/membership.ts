import type { Clock } from './clock.js';
import { RaftError } from './errors.js';
import { ProgressState } from './progress.js';
import type { Pending } from './proposals.js';
import type { RaftStatus } from './raw-node.js';
import type { Transport } from './transport.js';
import { ConfChangeType, StateRole } from './types.js';
import type { ConfChange, ConfState } from './types.js';

/**
 * The peer address in a conf change's context, as the host writes contexts (null: none). Raft does not
 * know the host's format; without a function of the host's, the context is the address itself.
 */
export type PeerAddressOf = (context: string | undefined) => string | null;

/** The default: a context is a peer address ("host:port"), or names none when absent or empty. */
export const contextIsPeerAddress: PeerAddressOf = (context) => (context === undefined || context === '' ? null : context);

/** What membership changes need of the node that makes them. */
export interface MembershipHost {
  readonly id: number;
  readonly transport: Transport;
  readonly clock: Clock;
  readonly peerAddressOf: PeerAddressOf;
  /** How long a change may take to be applied (RaftNode's proposal timeout). */
  readonly timeoutMs: number;
  /** Throws if the node is closed. */
  ensureOpen(): void;
  /** Hand the change to the core (and wake the Ready loop). */
  proposeConfChange(cc: ConfChange): void;
  status(): RaftStatus;
  /** A snapshot is being recorded here (one a learner may be waiting for). */
  snapshotInProgress(): boolean;
}

/**
 * Membership policy: learners first, promoted to voters once caught up; a change resolves once it is
 * in the configuration this node applied; the transport learns and forgets peers as changes are
 * proposed and applied.
 */
export class Membership {
  private readonly waiters: Array<{ check: (cs: ConfState) => boolean; pending: Pending<ConfState> }> = [];

  constructor(private readonly host: MembershipHost) {}

  /** Add a learner; `context` is what the host records with it, naming its peer address (see PeerAddressOf). */
  addLearner(id: number, context: string): Promise<ConfState> {
    return this.change({ type: ConfChangeType.AddLearner, nodeId: id, context }, (cs) => cs.learners.includes(id) || cs.voters.includes(id));
  }

  /**
   * Add a voter the safe way: as a learner first, promoted once it has caught up. Again for a member
   * added before: a voter already is done, and a learner already (an add that stopped halfway, say
   * when leadership moved) is waited for and promoted. Stops with NotLeader if this node stops leading
   * while it waits (the learner stays one; an add through the new leader promotes it).
   */
  async addVoter(id: number, context: string, caughtUpLagMax = 100): Promise<ConfState> {
    const { clock } = this.host;
    const { confState } = this.host.status();
    if (confState.voters.includes(id)) return confState;
    // A learner already: its address may be new (the first add named a wrong one); the promotion's
    // change records it, and the transport sends to it from now on.
    if (!confState.learners.includes(id)) await this.addLearner(id, context);
    else this.tellTransport(id, context);
    // The learner must not stall: 30 s (by default) without its log advancing, unless a snapshot is
    // being made for it or is on its way (a big catalog takes longer than that to copy and send).
    const patienceMs = this.host.timeoutMs * 6;
    let deadline = clock.wallMs() + patienceMs;
    let lastMatch = -1;
    for (;;) {
      const st = this.host.status();
      if (st.role !== StateRole.Leader) {
        const now = st.lead === 0 ? 'none yet' : `node ${st.lead}`;
        throw new RaftError('NotLeader', `node ${this.host.id} stopped leading (leader: ${now}) while learner ${id} caught up; it stays a learner, and adding it again through the leader promotes it`);
      }
      const progress = st.progress.get(id);
      if (progress !== undefined && progress.match + caughtUpLagMax >= st.lastIndex) break;
      const advancing = progress !== undefined && (progress.match > lastMatch || progress.state === ProgressState.Snapshot || this.host.snapshotInProgress());
      if (advancing) {
        lastMatch = Math.max(lastMatch, progress.match);
        deadline = clock.wallMs() + patienceMs;
      }
      if (clock.wallMs() > deadline) throw new RaftError('Timeout', `learner ${id} did not catch up (leader last ${st.lastIndex}, learner at ${progress?.match ?? 'unknown'}, no progress for ${patienceMs} ms)`);
      await clock.sleep(50);
    }
    return this.change({ type: ConfChangeType.AddVoter, nodeId: id, context }, (cs) => cs.voters.includes(id));
  }

  removeMember(id: number): Promise<ConfState> {
    return this.change({ type: ConfChangeType.RemoveNode, nodeId: id }, (cs) => !cs.voters.includes(id) && !cs.learners.includes(id));
  }

  private change(cc: ConfChange, done: (cs: ConfState) => boolean): Promise<ConfState> {
    const { clock, timeoutMs } = this.host;
    this.host.ensureOpen();
    const promise = new Promise<ConfState>((resolve, reject) => {
      const pending: Pending<ConfState> = {
        resolve,
        reject,
        timer: clock.setTimeout(() => {
          const index = this.waiters.findIndex((w) => w.pending === pending);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(new RaftError('Timeout', `membership change for node ${cc.nodeId} not applied within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push({ check: done, pending });
    });
    this.tellTransport(cc.nodeId, cc.context);
    this.host.proposeConfChange(cc);
    return promise;
  }

  /** A membership change was applied here: the transport learns or forgets the peer. */
  applied(cc: ConfChange): void {
    if (cc.type !== ConfChangeType.RemoveNode) this.tellTransport(cc.nodeId, cc.context);
    else if (cc.nodeId !== this.host.id) this.host.transport.removePeer(cc.nodeId);
  }

  /** The transport learns the peer address `context` names (if it names one). */
  private tellTransport(id: number, context: string | undefined): void {
    const address = this.host.peerAddressOf(context);
    if (address !== null) this.host.transport.addPeer(id, address);
  }

  /** Whether anyone waits for a configuration (RaftNode asks for one only then). */
  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  /** The configuration now applied: settle the changes it completes. */
  configuration(cs: ConfState): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i];
      if (waiter !== undefined && waiter.check(cs)) {
        this.waiters.splice(i, 1);
        this.host.clock.clearTimeout(waiter.pending.timer);
        waiter.pending.resolve(cs);
      }
    }
  }

  failAll(error: Error): void {
    for (const waiter of this.waiters.splice(0)) {
      this.host.clock.clearTimeout(waiter.pending.timer);
      waiter.pending.reject(error);
    }
  }
}
