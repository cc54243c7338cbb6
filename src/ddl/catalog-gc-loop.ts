import { systemClock } from '../../raft/clock.js';
import type { Clock } from '../../raft/clock.js';
import { composeTs } from '../common/hybrid-ts.js';
import type { MetaCommand } from '../meta/commands.js';
import type { Limits } from './limits.js';

/**
 * The leader's catalog garbage collector (Milvus SuffixSnapshot GC): every interval it replicates a
 * `gcVersions` command whose bounds come from the clock, so every replica deletes the same versions.
 * More often, it expires the request IDs kept for exactly-once DDL (`expireRequests`).
 */
export class CatalogGcLoop {
  private timer: NodeJS.Timeout | null = null;
  private requestTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly propose: (command: MetaCommand) => Promise<void>,
    private readonly limits: Limits,
    private readonly clock: Clock = systemClock,
  ) {}

  start(): void {
    this.stop();
    this.timer = this.clock.setInterval(() => void this.collect().catch(() => {}), this.limits.catalogGcIntervalMs);
    this.timer.unref();
    const requestIntervalMs = Math.max(1, Math.min(60_000, Math.floor(this.limits.requestRetentionMs / 10)));
    this.requestTimer = this.clock.setInterval(() => void this.expireRequests().catch(() => {}), requestIntervalMs);
    this.requestTimer.unref();
  }

  stop(): void {
    this.clock.clearInterval(this.timer);
    this.clock.clearInterval(this.requestTimer);
    this.timer = null;
    this.requestTimer = null;
  }

  expireRequests(): Promise<void> {
    return this.propose({ kind: 'expireRequests', beforeTs: composeTs(BigInt(this.clock.wallMs()) - BigInt(this.limits.requestRetentionMs), 0n) });
  }

  collect(): Promise<void> {
    const now = BigInt(this.clock.wallMs());
    return this.propose({
      kind: 'gcVersions',
      versionsBeforeTs: composeTs(now - BigInt(this.limits.catalogVersionTtlMs), 0n),
      tombstonesBeforeTs: composeTs(now - BigInt(this.limits.catalogTombstoneReserveMs), 0n),
    });
  }
}
