import { composeTs } from '../common/hybrid-ts.js';
import type { MetaCommand } from '../meta/commands.js';
import type { Limits } from './limits.js';

/**
 * The leader's catalog garbage collector (Milvus SuffixSnapshot GC): every interval it replicates a
 * `gcVersions` command whose bounds come from the clock, so every replica deletes the same versions.
 */
export class CatalogGcLoop {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly propose: (command: MetaCommand) => Promise<void>,
    private readonly limits: Limits,
    private readonly nowMs: () => number = Date.now,
  ) {}

  start(): void {
    this.stop();
    this.timer = setInterval(() => void this.collect().catch(() => {}), this.limits.catalogGcIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  collect(): Promise<void> {
    const now = BigInt(this.nowMs());
    return this.propose({
      kind: 'gcVersions',
      versionsBeforeTs: composeTs(now - BigInt(this.limits.catalogVersionTtlMs), 0n),
      tombstonesBeforeTs: composeTs(now - BigInt(this.limits.catalogTombstoneReserveMs), 0n),
    });
  }
}
