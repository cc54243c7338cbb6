import type { RaftHandle } from '../../raft/raft-handle.js';
import type { TransportFaults } from '../../raft/transport.js';
import type { PasswordHasher } from '../auth/password-hash.js';
import type { Logger } from '../common/logger.js';
import type { EventBroker } from '../ddl/broker.js';
import type { DdlTask } from '../ddl/task.js';
import type { CatalogView } from '../meta/catalog-view.js';
import type { MemberAddress, NodeConfig } from '../node/config.js';
import type { TimeTickSync } from '../timetick/time-tick-sync.js';
import type { IdAllocator } from '../tso/id-allocator.js';
import type { Tso } from '../tso/tso.js';

/*
 * What the API layer uses of its node, as narrow ports (types only: RootCoordNode provides them all,
 * and a call costs what it cost before). Each handler family takes the ports it needs.
 */

/** This node: its settings, its log, and who leads the cluster. */
export interface NodePort {
  readonly config: Pick<NodeConfig, 'id' | 'limits' | 'security' | 'secret'>;
  readonly log: Logger;
  isServingLeader(): boolean;
  leaderId(): number;
  memberAddress(id: number): MemberAddress | undefined;
  /** The ids of the current voters, as this thread last heard from Raft (itself included). */
  voterIds(): readonly number[];
}

/** Run a DDL task on the serving leader, once per client request ID. */
export interface TaskPort {
  submit(task: DdlTask, requestId: string | null): Promise<void>;
}

/** The linearizable read barrier: resolves once everything committed before the call is applied here. */
export interface ReadBarrierPort {
  readBarrier(): Promise<void>;
}

/** The catalog, read only. */
export interface CatalogPort {
  readonly meta: CatalogView;
}

/** Timestamps and IDs; leadership is confirmed after each allocation. */
export interface AllocPort {
  readonly tso: Pick<Tso, 'generate'>;
  readonly ids: Pick<IdAllocator, 'alloc'>;
  confirmLeadership(): Promise<void>;
}

/** The proxies: their time ticks and sessions, and the events pushed to them. */
export interface ProxyPort {
  readonly timeTicks: Pick<TimeTickSync, 'updateFromProxy' | 'addSession' | 'removeSession' | 'on' | 'off'>;
  readonly broker: Pick<EventBroker, 'notify' | 'on' | 'off'>;
}

/** Raft as health checks and streams see it: its status and its role changes. */
export interface RaftStatusPort {
  readonly raft: Pick<RaftHandle, 'status' | 'currentStatus' | 'on' | 'off'>;
}

/** RootCoordAdmin: membership, leadership transfer, fault injection, snapshots, the catalog's digest. */
export interface AdminPort {
  transferLeader(target: number): void;
  addMember(id: number, address: MemberAddress): Promise<void>;
  removeMember(id: number): Promise<void>;
  injectFaults(faults: TransportFaults & { clockSkewMs: bigint }): void;
  snapshotNow(): Promise<number>;
  catalogDigest(): Promise<{ digest: string; appliedIndex: number }>;
  catalogDigestAtMark(index: number): Promise<string>;
  checkReplicas(): Promise<{ index: number; digest: string }>;
}

/** Password hashing and checks (authentication). */
export interface PasswordPort {
  readonly passwords: PasswordHasher;
}

/** Everything the client port serves with. */
export type ApiPorts = NodePort & TaskPort & ReadBarrierPort & CatalogPort & AllocPort & ProxyPort & RaftStatusPort & AdminPort & PasswordPort;
