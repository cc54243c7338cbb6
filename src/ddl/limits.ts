/** Milvus's limits (spec section 8.1), each overridable by configuration. */
export interface Limits {
  readonly maxDatabaseNum: number;
  readonly maxCollectionNum: number;
  readonly maxCollectionNumPerDB: number;
  readonly maxPartitionNum: number;
  readonly maxGeneralCapacity: number;
  readonly dmlChannelNum: number;
  readonly maxShardNum: number;
  readonly maxNameLength: number;
  readonly maxFieldNum: number;
  readonly maxVectorFieldNum: number;
  readonly maxDimension: number;
  readonly maxVarCharLength: number;
  readonly maxTextLength: number;
  readonly maxArrayCapacity: number;
  /** Users, root included (Milvus proxy.maxUserNum). */
  readonly maxUserNum: number;
  /** Roles, admin and public included (Milvus proxy.maxRoleNum). */
  readonly maxRoleNum: number;
  readonly maxUsernameLength: number;
  readonly minPasswordLength: number;
  readonly maxPasswordLength: number;
  /** scrypt cost of stored password hashes, as log2(N). */
  readonly passwordHashCost: number;
  /** Worker threads hashing and checking passwords (never libuv's thread pool); 0: min(2, cores). */
  readonly passwordHashWorkers: number;
  /** Password hashes and checks waiting for a worker; beyond it they are refused (QueueFull, retriable). */
  readonly passwordHashQueueMax: number;
  /** The password workers' nice value (Linux, per thread): the node's main thread gets the CPU first. */
  readonly passwordHashNice: number;
  /** Password checks of one user name running or waiting at once (one while its checks keep failing). */
  readonly authUserConcurrency: number;
  /** Failed logins a client connection may make for one user name before it must wait between attempts. */
  readonly authFreeFailures: number;
  /** The first such wait; it doubles with each further failure, up to authBackoffMaxMs. */
  readonly authBackoffBaseMs: number;
  readonly authBackoffMaxMs: number;
  /** Client connections and user names whose failed logins are tracked, at most. */
  readonly authTrackedMax: number;
  /** DDL tasks waiting for locks or running; beyond it new tasks are refused (retriable). */
  readonly schedulerQueueMax: number;
  /** How long a dropped collection waits for DataCoord's GC confirmation (Milvus: 20 minutes). */
  readonly gcConfirmDelayMs: number;
  readonly clusterPrefix: string;
  /** Catalog versions older than this are garbage-collected, the latest of each live key excepted (Milvus metastore.snapshot.ttl). */
  readonly catalogVersionTtlMs: number;
  /** A deleted key (tombstone) is removed entirely once older than this (Milvus metastore.snapshot.reserveTime). */
  readonly catalogTombstoneReserveMs: number;
  /** How often the leader collects catalog garbage (Milvus: 60 minutes). */
  readonly catalogGcIntervalMs: number;
  /**
   * How long the ID of a client request that took effect is remembered, so that its retries are not
   * run again; a retry later than this would run again. Expired every tenth of it (at most a minute).
   */
  readonly requestRetentionMs: number;
}

export const defaultLimits: Limits = {
  maxDatabaseNum: 64,
  maxCollectionNum: 65536,
  maxCollectionNumPerDB: 65536,
  maxPartitionNum: 1024,
  maxGeneralCapacity: 65536,
  dmlChannelNum: 16,
  maxShardNum: 16,
  maxNameLength: 255,
  maxFieldNum: 64,
  maxVectorFieldNum: 4,
  maxDimension: 32768,
  maxVarCharLength: 65535,
  maxTextLength: 2097152,
  maxArrayCapacity: 4096,
  maxUserNum: 100,
  maxRoleNum: 10,
  maxUsernameLength: 32,
  minPasswordLength: 6,
  maxPasswordLength: 72,
  passwordHashCost: 15,
  passwordHashWorkers: 0,
  passwordHashQueueMax: 32,
  passwordHashNice: 5,
  authUserConcurrency: 4,
  authFreeFailures: 3,
  authBackoffBaseMs: 100,
  authBackoffMaxMs: 5000,
  authTrackedMax: 10_000,
  schedulerQueueMax: 1024,
  gcConfirmDelayMs: 20 * 60 * 1000,
  clusterPrefix: 'by-dev',
  catalogVersionTtlMs: 86_400_000,
  catalogTombstoneReserveMs: 3_600_000,
  catalogGcIntervalMs: 3_600_000,
  requestRetentionMs: 600_000,
};
