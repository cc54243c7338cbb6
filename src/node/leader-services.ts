import type { Clock } from '../../raft/clock.js';
import type { RaftHandle } from '../../raft/raft-handle.js';
import type { Logger } from '../common/logger.js';
import { recoverDdl } from '../ddl/recovery.js';
import type { Scheduler } from '../ddl/scheduler.js';
import type { StepExecutor } from '../ddl/step-executor.js';
import type { TaskContext } from '../ddl/task.js';
import type { IdAllocator } from '../tso/id-allocator.js';
import type { Tso } from '../tso/tso.js';

export interface LeaderServicesPorts {
  readonly raft: RaftHandle;
  readonly tso: Tso;
  readonly ids: IdAllocator;
  readonly scheduler: Scheduler;
  readonly background: StepExecutor;
  readonly recovery: Pick<TaskContext, 'meta' | 'propose' | 'allocTs' | 'broker'>;
  /** Bootstrap work for the first leader of a cluster (the default database). */
  readonly firstLeaderSetup: () => Promise<void>;
  /** Further leader-only services (the time-tick loop), started last and stopped first. */
  readonly services: ReadonlyArray<{ start(): void; stop(): void }>;
  readonly log: Logger;
  readonly clock: Clock;
}

/**
 * Starts the leader-only services (TSO, ID allocator, scheduler, step executor, recovery) only after
 * this node, as leader, has applied everything committed before its term, and stops them the moment it
 * is leader no longer (including a CheckQuorum step-down). `epoch` fences a start that raced a loss.
 */
export class LeaderServices {
  private epoch = 0;
  private serving = false;
  /**
   * The epoch whose activation last began starting the services: only it stops them on its way out. A
   * stale activation (leadership lost and won again meanwhile) whose proposal settled late, even after
   * the newer one was serving, had stopped the newer one's services: a leader that no longer served.
   */
  private owner = 0;

  constructor(private readonly ports: LeaderServicesPorts) {}

  isServing(): boolean {
    return this.serving;
  }

  onLeadership(isLeader: boolean): void {
    if (isLeader) {
      const epoch = ++this.epoch;
      void this.activate(epoch);
    } else {
      this.deactivate();
    }
  }

  private async activate(epoch: number): Promise<void> {
    const { raft, tso, ids, scheduler, background, log, clock } = this.ports;
    const startedMs = clock.wallMs();
    for (let attempt = 0; epoch === this.epoch; attempt++) {
      try {
        // Resolves once we, the leader, have committed an entry of our term and applied up to it.
        await raft.readIndex();
        if (epoch !== this.epoch) return;
        this.owner = epoch;
        // Two independent proposals: together, one append and one round trip. Both settle before a
        // failure is thrown, so that stopAll() below cannot run before the other one activates.
        const started = await Promise.allSettled([tso.start(this.ports.recovery.meta.tsoWindowMs), ids.start(this.ports.recovery.meta.idUpTo)]);
        for (const s of started) if (s.status === 'rejected') throw s.reason;
        if (epoch !== this.epoch) return this.stopOwn(epoch);
        background.start();
        await this.ports.firstLeaderSetup();
        const recovered = await recoverDdl(this.ports.recovery, background);
        if (epoch !== this.epoch) return this.stopOwn(epoch);
        scheduler.start();
        for (const service of this.ports.services) service.start();
        this.serving = true;
        log.info('leader services started', { ms: clock.wallMs() - startedMs, tsoWindowMs: tso.window(), ...recovered });
        return;
      } catch (error) {
        this.stopOwn(epoch);
        if (epoch !== this.epoch) return;
        log.warn('leader services failed to start; retrying', { attempt, error: String(error) });
        await clock.sleep(Math.min(50 * 2 ** attempt, 1000));
        if (!raft.isLeader()) return;
      }
    }
  }

  private deactivate(): void {
    this.epoch++;
    if (this.serving) this.ports.log.info('leader services stopped');
    this.stopAll();
  }

  /** Stop the services if `epoch`'s activation is the one that last started them. */
  private stopOwn(epoch: number): void {
    if (this.owner === epoch) this.stopAll();
  }

  private stopAll(): void {
    this.serving = false;
    for (const service of this.ports.services) service.stop();
    this.ports.scheduler.stop();
    this.ports.tso.stop();
    this.ports.ids.stop();
    this.ports.background.stop();
  }
}
