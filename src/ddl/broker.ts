import { EventEmitter } from 'node:events';
import { systemClock } from '../../raft/clock.js';
import type { Clock } from '../../raft/clock.js';

/** What RootCoord tells the other coordinators and the proxies (Milvus `broker.go` and proxy calls). */
export type BrokerEvent =
  | { readonly type: 'WatchChannels'; readonly collectionID: bigint; readonly vchannels: readonly string[]; readonly createTs: bigint }
  | { readonly type: 'ReleaseCollection'; readonly collectionID: bigint }
  | { readonly type: 'ReleasePartitions'; readonly collectionID: bigint; readonly partitionIDs: readonly bigint[] }
  | { readonly type: 'DropIndex'; readonly collectionID: bigint; readonly partitionIDs: readonly bigint[] }
  | { readonly type: 'DropCollectionMessage'; readonly collectionID: bigint; readonly pchannels: readonly string[]; readonly ts: bigint }
  | { readonly type: 'DropPartitionMessage'; readonly collectionID: bigint; readonly partitionID: bigint; readonly pchannels: readonly string[]; readonly ts: bigint }
  | { readonly type: 'BroadcastAlteredCollection'; readonly collectionID: bigint }
  | { readonly type: 'InvalidateCollectionMetaCache'; readonly dbName: string; readonly collectionName: string; readonly collectionID: bigint; readonly msgType: string }
  /** A user was created or its password changed: proxies drop what they cached of it. */
  | { readonly type: 'UpdateCredentialCache'; readonly username: string }
  | { readonly type: 'InvalidateCredentialCache'; readonly username: string }
  /** Proxies' RBAC caches: `opKey` is `user/role`, a policy (see policyFor), a user, a role, or "" to refresh all. */
  | { readonly type: 'RefreshPolicyInfoCache'; readonly opType: PolicyCacheOp; readonly opKey: string };

/** Milvus's policy cache operation types (typeutil.CacheOpType). */
export enum PolicyCacheOp {
  AddUserToRole = 1,
  RemoveUserFromRole = 2,
  GrantPrivilege = 3,
  RevokePrivilege = 4,
  DeleteUser = 5,
  DropRole = 6,
  Refresh = 7,
}

export interface Broker {
  notify(event: BrokerEvent): Promise<void>;
  /** True once DataCoord confirms the data of a dropped collection (partitionID -1) or partition is gone. */
  gcConfirm(collectionID: bigint, partitionID: bigint): Promise<boolean>;
}

/**
 * The default broker: publishes every event to subscribed components (proxy sessions, tests) and
 * confirms garbage collection after a configurable delay (Milvus checks every 20 minutes; tests use 0).
 * Tests inject faults (a failed or hanging call) with test/rootcoord/fixtures/broker-faults.ts.
 */
export class EventBroker extends EventEmitter implements Broker {
  private readonly firstAskedMs = new Map<string, number>();

  constructor(
    private readonly gcConfirmDelayMs: number,
    private readonly clock: Clock = systemClock,
  ) {
    super();
  }

  async notify(event: BrokerEvent): Promise<void> {
    this.emit('event', event);
  }

  gcConfirm(collectionID: bigint, partitionID: bigint): Promise<boolean> {
    const key = `${collectionID}/${partitionID}`;
    const first = this.firstAskedMs.get(key) ?? this.clock.wallMs();
    this.firstAskedMs.set(key, first);
    const confirmed = this.clock.wallMs() - first >= this.gcConfirmDelayMs;
    if (confirmed) this.firstAskedMs.delete(key);
    return Promise.resolve(confirmed);
  }
}
