import { systemClock } from '../../raft/clock.js';
import type { Clock } from '../../raft/clock.js';
import { channelRefCounts } from '../ddl/dml-channels.js';
import type { Limits } from '../ddl/limits.js';
import type { Scheduler } from '../ddl/scheduler.js';
import type { MetaTable } from '../meta/meta-table.js';
import type { Tso } from '../tso/tso.js';
import type { TimeTickSync } from './time-tick-sync.js';

/**
 * The leader's DDL time-tick source: every interval (Milvus: 200 ms) it reports each DML channel in
 * use at a timestamp just below the oldest DDL in flight, or a fresh one when none is.
 */
export class TimeTickLoop {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sync: TimeTickSync,
    private readonly meta: MetaTable,
    private readonly scheduler: Scheduler,
    private readonly tso: Tso,
    private readonly limits: Limits,
    private readonly intervalMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  start(): void {
    this.stop();
    this.sync.reset();
    this.timer = this.clock.setInterval(() => void this.tick().catch(() => {}), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
  }

  async tick(): Promise<void> {
    const fresh = await this.tso.generate(1);
    const oldest = this.scheduler.minInflightTs();
    const ts = oldest !== null && oldest - 1n < fresh ? oldest - 1n : fresh;
    const inUse = [...channelRefCounts(this.meta, this.limits)].filter(([, refs]) => refs > 0).map(([channel]) => channel);
    this.sync.updateFromDdl(inUse, ts);
  }
}
