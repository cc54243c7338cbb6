import type { Limits } from '../ddl/limits.js';
import type { MemberAddress } from '../common/member-address.js';
import type { BuiltinRolesConfig } from '../rbac/rbac-model.js';

export type { MemberAddress } from '../common/member-address.js';

/** Client authentication and RBAC (interface.md section 6; Milvus common.security). */
export interface SecurityConfig {
  /** Require credentials on every call but health checks, and check privileges (off by default, as in Milvus). */
  readonly authorizationEnabled: boolean;
  /** root's password when the cluster first starts (Milvus common.security.defaultRootPassword: "Milvus"). */
  readonly rootPassword: string;
  /** Grant the public role its default privileges when the cluster first starts. */
  readonly enablePublicPrivilege: boolean;
  /** root has only what its roles grant instead of every privilege (Milvus rootShouldBindRole). */
  readonly rootShouldBindRole: boolean;
  /** Roles (with their grants) created when the cluster first starts and never droppable. */
  readonly builtinRoles: BuiltinRolesConfig;
  /** TLS on the client port (and for calls a follower forwards to the leader's); null: plaintext. */
  readonly clientTls: ClientTlsConfig | null;
}

/** PEM texts: this node's certificate and key, and the CA that signed the members' certificates. */
export interface ClientTlsConfig {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

export const defaultSecurity: SecurityConfig = { authorizationEnabled: false, rootPassword: 'Milvus', enablePublicPrivilege: true, rootShouldBindRole: false, builtinRoles: {}, clientTls: null };

/** Everything one node needs; built from flags by `main.ts` or directly by tests. */
export interface NodeConfig {
  readonly id: number;
  readonly dataDir: string;
  /** Every initial member (including this node): raft peer and client addresses. */
  readonly members: ReadonlyMap<number, MemberAddress>;
  /** Join an existing cluster instead of bootstrapping one (the data dir must be empty). */
  readonly join: boolean;
  readonly metricsAddress: string | null;
  readonly tickIntervalMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly snapshotEntries: number;
  /** Entries kept in the log behind a snapshot, for followers behind (default DEFAULT_SNAPSHOT_ENTRIES_KEPT). */
  readonly snapshotEntriesKept?: number;
  /** How often the leader sends DML channel time ticks (default DEFAULT_TIME_TICK_INTERVAL_MS). */
  readonly timeTickIntervalMs: number;
  readonly secret: string;
  readonly limits: Limits;
  /**
   * Authentication and RBAC; null: none, and no root user or built-in roles are created (the
   * deterministic whole-node simulator, where a salted hash would break replays).
   */
  readonly security: SecurityConfig | null;
  readonly logFile: string | null;
  /** Chaos testing: allow InjectFaults (peer traffic faults, TSO clock offset). Never in production. */
  readonly chaos: boolean;
  /**
   * Linux nice values (per thread) for the Raft thread and the request thread; absent: the process's.
   * The Raft thread's is never above the request thread's (it must get a core first). Raising a
   * priority (a lower value than the process's) needs root or CAP_SYS_NICE.
   */
  readonly raftNice?: number;
  readonly requestNice?: number;
}

/** How often the leader sends DML channel time ticks unless configured (Milvus proxy.timeTickInterval: 200 ms). */
export const DEFAULT_TIME_TICK_INTERVAL_MS = 200;

/**
 * Entries a node keeps in its log behind each compaction (NodeConfig.snapshotEntriesKept): a follower
 * that missed no more catches up from the log. At 200,000 collections one that missed 35,000 to 40,000
 * entries was back 1.9 to 3.6 s after its start from the log, one that needed the catalog copied 10.5
 * to 18.3 s (docs/bench-runs/2026-12-05-s41-catch-up/); 1,000 until session 41.
 */
export const DEFAULT_SNAPSHOT_ENTRIES_KEPT = 20_000;

/** Milvus's port, the Milvus port's default for a node started by hand. */
export const MILVUS_DEFAULT_ADDRESS = '127.0.0.1:19530';

/** The name of this product's Raft peer protocol, in every peer connection's hello (TcpTransportOptions.helloMagic). */
export const PEER_PROTOCOL = 'rootcoord-raft/1';
