import type { Clock } from '../../raft/clock.js';
import type { Logger } from '../common/logger.js';
import { SingleFlight } from '../common/single-flight.js';
import type { MetaCommand } from '../meta/commands.js';
import type { ReplicaChecks } from '../meta/replica-checks.js';

/** The leader's log line for each check on its timer (scripts/chaos counts them). */
export const REPLICA_CHECK_PROPOSED_LOG = 'replica check: the leader proposed its digest for the replicas to compare';

/** A replica check the leader made: the mark's index and the leader's digest there. */
export interface ReplicaCheck {
  readonly index: number;
  readonly digest: string;
}

/**
 * The leader's side of replica checks (src/meta/replica-checks.ts), every `intervalMs` (0: only when
 * asked, `check()`): a mark through the log, this replica's digest at it, then that digest through the
 * log for every replica to compare its own with. One check at a time.
 */
export class ReplicaCheckLoop {
  private timer: NodeJS.Timeout | null = null;
  private readonly running = new SingleFlight<ReplicaCheck>();
  private sequence = 0;

  constructor(
    private readonly propose: (command: MetaCommand) => Promise<void>,
    private readonly checks: ReplicaChecks,
    private readonly self: number,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  start(): void {
    this.stop();
    if (this.intervalMs <= 0) return;
    this.timer = this.clock.setInterval(() => {
      this.check().then(
        ({ index }) => this.log.info(REPLICA_CHECK_PROPOSED_LOG, { index }),
        (error: unknown) => this.log.warn('replica check failed', { error: String(error) }),
      );
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.clock.clearInterval(this.timer);
    this.timer = null;
  }

  /** One check now (or the one under way). */
  check(): Promise<ReplicaCheck> {
    return this.running.run(() => this.checkOnce());
  }

  private async checkOnce(): Promise<ReplicaCheck> {
    // Unique among this leader's checks and any earlier incarnation's (deterministic where the clock is simulated).
    const id = `${this.self}/${this.clock.wallMs()}/${++this.sequence}`;
    await this.propose({ kind: 'digestMark', id });
    const index = this.checks.markIndex(id);
    const digest = index === undefined ? undefined : await this.checks.digestAt(index);
    if (index === undefined || digest === undefined || digest === null) throw new Error(`the leader has no digest at its mark ${id} (index ${String(index)})`);
    await this.propose({ kind: 'digestCompare', index, digest, leader: this.self });
    return { index, digest };
  }
}
