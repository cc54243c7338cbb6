import type { PasswordHasher } from '../auth/password-hash.js';
import type { Logger } from '../common/logger.js';
import type { MetaCommand } from '../meta/commands.js';
import type { CatalogView } from '../meta/catalog-view.js';
import type { Broker } from './broker.js';
import type { Limits } from './limits.js';
import type { LockRequest } from './lock-manager.js';
import type { StepExecutor } from './step-executor.js';

/** The narrow ports a DDL task sees: meta reads, the proposer, allocators, the broker, the clock. */
export interface TaskPorts {
  readonly meta: CatalogView;
  /** Replicate a command; resolves once it is applied on this (the leader) node. */
  readonly propose: (command: MetaCommand) => Promise<void>;
  readonly allocIds: (count: number) => Promise<bigint>;
  readonly allocTs: () => Promise<bigint>;
  readonly limits: Limits;
  readonly broker: Broker;
  /** Reserve the place of a background job before the DDL takes effect (reserveJobSlot). */
  readonly background: Pick<StepExecutor, 'reserve'>;
  readonly wallClockNs: () => bigint;
  /** Password hashing (scrypt; the deterministic simulator injects its own). */
  readonly passwords: PasswordHasher;
  /** What a task logs (a failed notification to the proxies, see notifyProxies). */
  readonly log: Pick<Logger, 'warn'>;
}

/** A running task's ports plus its own ID and hybrid timestamp, stamped after its locks are held. */
export interface TaskContext extends TaskPorts {
  readonly id: bigint;
  readonly ts: bigint;
  /**
   * Replicate the command by which the task takes effect (its linearization point), tagged with the
   * client's request ID when there is one, so that a retry of the request is answered, not run again.
   * Every task that changes the catalog commits exactly once, last; its other proposals use `propose`.
   */
  readonly commit: (command: MetaCommand) => Promise<void>;
}

/**
 * A DDL task, one file per RPC (Milvus `*_task.go`): the scheduler takes `lockChain()`, stamps an ID
 * and a timestamp, then runs `prepare()` (validation against the latest meta) and `execute()`.
 */
export interface DdlTask {
  readonly name: string;
  /**
   * Slow work that needs no lock and no timestamp (a password hash), done before the task queues for
   * its locks, so that it holds back neither other tasks nor the time tick. Optional.
   */
  precompute?(ports: Pick<TaskPorts, 'meta' | 'limits' | 'passwords'>): Promise<void>;
  lockChain(meta: CatalogView): LockRequest[];
  prepare(ctx: TaskContext): Promise<void> | void;
  execute(ctx: TaskContext): Promise<void>;
}
