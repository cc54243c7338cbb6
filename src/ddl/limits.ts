import { MEMORY_CHECK_PART } from '../meta/memory-check.js';

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
  /**
   * Admission control on the client port (our own; Milvus's proxy queues up to proxy.maxTaskNum 1024
   * per queue). Unary calls in flight on this node, all kinds together (health checks excepted); a call
   * beyond it is answered at once with code 2001 (queue full, retriable).
   */
  readonly maxInflightRequests: number;
  /**
   * DDL calls in flight on this node (waiting to be forwarded, waiting for locks, or running): the
   * most the adaptive DDL budget grows to (see ddlLatencyTargetMs).
   */
  readonly maxInflightDdl: number;
  /**
   * The DDL budget adapts (AIMD): a DDL call slower than this shrinks it by a quarter (at most once
   * per this long, down to 4), a faster one grows it by 1/budget (about one per round of calls).
   */
  readonly ddlLatencyTargetMs: number;
  /**
   * While this node's event loop lags more than this (the longest delay in the last quarter second),
   * new calls are refused with 2001, so that clients back off before heartbeats are late enough to
   * cause an election; 0 turns it off.
   */
  readonly maxEventLoopLagMs: number;
  /** Unary calls in flight from one client connection (gRPC peer); calls a follower forwards are exempt. */
  readonly maxInflightPerConnection: number;
  /**
   * Server streams (proxy sessions, time-tick watches) open on this node at once; one more is refused
   * with RESOURCE_EXHAUSTED. A proxy session whose client does not read is ended once this many of its
   * messages wait unsent (a time-tick watch skips ticks instead while it is behind); an ended stream
   * holds its slot, and what waits unsent, until its client reads it or goes. One client connection
   * (gRPC peer) may hold at most maxStreamsPerConnection of the slots. grpc-js shares one connection
   * per target among a process's clients, so this is also what one client process may open: 32 leaves
   * room for a watch of each of the 16 default DML channels, a proxy session and more.
   */
  readonly maxServerStreams: number;
  readonly maxStreamsPerConnection: number;
  readonly maxStreamBacklog: number;
  /**
   * A DDL task that waited longer than this for its locks and its ID and timestamp is refused with
   * code 2001 before it proposes anything: proposing that late risks a proposal that is not applied
   * within its deadline, whose outcome (2002) the client cannot know.
   */
  readonly maxDdlQueueMs: number;
  /** The largest request message the client port accepts, in bytes (gRPC max receive message length). */
  readonly maxRequestBytes: number;
  /**
   * Bytes of unary answers handed to gRPC whose calls have not ended, on all the node's connections
   * together (an answer stays until its client has read it all, or its stream is closed); while this
   * many are held, new calls are refused with 2001, and so are the answers of reads that finish
   * meanwhile (Admission.answerRefusal: the answers held exceed it by one at most). Without it, clients
   * that never read kept every answer in memory (1 GB per connection of 1,000 calls of 1 MB).
   */
  readonly maxUnreadAnswerBytes: number;
  /**
   * When a call finds maxUnreadAnswerBytes held: the answers held this long (ms) or longer are dropped,
   * oldest first, until the rest is under the budget (their streams reset, their calls ended CANCELLED;
   * counted until then), so that clients which stopped reading cannot keep every other client refused
   * for as long as they stay connected.
   */
  readonly unreadAnswerTimeoutMs: number;
  /**
   * Memory one client connection may hold in the node's HTTP/2 layer, its unsent answers included
   * (Node's maxSessionMemory, in whole MiB): beyond it the connection's new calls are refused, and a
   * connection that keeps opening calls regardless is closed. At least the largest answer (64 MiB, a
   * BatchDescribeCollection).
   */
  readonly maxConnectionMemoryBytes: number;
  /** Bytes (UTF-8) of a collection's description (Milvus proxy.maxCollectionDescriptionLength, 1024). */
  readonly maxCollectionDescriptionLength: number;
  /** Bytes (UTF-8) of a field's description (Milvus has no limit; ours). */
  readonly maxFieldDescriptionLength: number;
  /** Bytes (UTF-8) of one database or collection property value (Milvus has no limit; ours). */
  readonly maxPropertyValueLength: number;
  /** Bytes of all keys and values of a database's or collection's properties together, after an alter (ours). */
  readonly maxPropertiesSize: number;
  /**
   * Bytes of a collection's schema as stored: fields, descriptions, type params, properties (Milvus
   * proxy.maxCollectionSchemaSize, milvus-io/milvus#51984, hard cap 1.25 MB; ours is 1 MiB).
   */
  readonly maxCollectionSchemaSize: number;
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
  /**
   * How often the leader checks that the replicas hold the same catalog (src/meta/replica-checks.ts:
   * each replica digests its catalog at a mark in the log and compares with the leader's); 0: never.
   */
  readonly replicaCheckIntervalMs: number;
  /**
   * Whether every replica, at each replica check, also compares its memory with its own catalog store
   * (src/meta/memory-check.ts): 1 yes, 0 no (it loads the catalog again beside serving, a part of a big
   * one at each check: at 200,000 collections about 15 to 19 s at an eighth of a core and 60 to 200 MB
   * more memory for that time).
   */
  readonly replicaMemoryCheck: number;
  /**
   * Collections (and request IDs) a memory check compares at most, about: a bigger catalog is compared
   * a part at each check, the next part each time (src/meta/memory-check.ts), so that the index it
   * loads stays small; 0: always the whole catalog.
   */
  readonly replicaMemoryCheckPart: number;
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
  maxInflightRequests: 256,
  maxInflightDdl: 64,
  ddlLatencyTargetMs: 1000,
  maxInflightPerConnection: 64,
  maxServerStreams: 256,
  maxStreamsPerConnection: 32,
  maxStreamBacklog: 1024,
  maxEventLoopLagMs: 200,
  maxDdlQueueMs: 2000,
  maxRequestBytes: 4 * 1024 * 1024,
  maxUnreadAnswerBytes: 256 * 1024 * 1024,
  unreadAnswerTimeoutMs: 10_000,
  maxConnectionMemoryBytes: 160 * 1024 * 1024,
  maxCollectionDescriptionLength: 1024,
  maxFieldDescriptionLength: 65_535,
  maxPropertyValueLength: 65_535,
  maxPropertiesSize: 1024 * 1024,
  maxCollectionSchemaSize: 1024 * 1024,
  gcConfirmDelayMs: 20 * 60 * 1000,
  clusterPrefix: 'by-dev',
  catalogVersionTtlMs: 86_400_000,
  catalogTombstoneReserveMs: 3_600_000,
  catalogGcIntervalMs: 3_600_000,
  requestRetentionMs: 600_000,
  replicaCheckIntervalMs: 3_600_000,
  replicaMemoryCheck: 1,
  replicaMemoryCheckPart: MEMORY_CHECK_PART,
};
