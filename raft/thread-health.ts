import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { GcKind, ThreadHealthReport } from './raft-worker-protocol.js';

/** How often the event loop's delay is sampled: the host's request thread samples its own the same way. */
export const LOOP_SAMPLE_MS = 10;

/**
 * Every LOOP_SAMPLE_MS, how late a timer on this thread ran (seconds, without the interval itself): a
 * stall of N ms is one sample of about N ms. Unref'd: it keeps no thread alive.
 */
export function sampleLoopDelay(onSample: (seconds: number) => void): NodeJS.Timeout {
  let lastMs = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    onSample(Math.max(0, now - lastMs - LOOP_SAMPLE_MS) / 1000);
    lastMs = now;
  }, LOOP_SAMPLE_MS);
  timer.unref();
  return timer;
}

/** Samples kept between two takes, at most (a host that stopped taking must not grow this thread's heap). */
const KEPT_MAX = 10_000;

const GC_KINDS: ReadonlyMap<number, GcKind> = new Map([
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

/**
 * The health of the thread it runs on (the Raft worker's): every LOOP_SAMPLE_MS how late a timer ran
 * (its event loop's delay: a heartbeat, a tick or a log write waits as long), each garbage collection's
 * pause, and the heap. The host turns them into metrics (rootcoord_raft_thread_*), so the claim that
 * nothing the host does can delay a heartbeat is measured where it matters, not inferred from the
 * request thread's own delay.
 */
export class ThreadHealth {
  private loopDelays: number[] = [];
  private gcPauses: Array<readonly [GcKind, number]> = [];
  private readonly timer: NodeJS.Timeout;
  private readonly gc: PerformanceObserver;

  constructor() {
    this.timer = sampleLoopDelay((seconds) => {
      if (this.loopDelays.length < KEPT_MAX) this.loopDelays.push(seconds);
    });
    this.gc = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = GC_KINDS.get(((entry as { detail?: { kind?: number } }).detail)?.kind ?? -1);
        if (kind !== undefined && this.gcPauses.length < KEPT_MAX) this.gcPauses.push([kind, entry.duration / 1000]);
      }
    });
    this.gc.observe({ entryTypes: ['gc'] });
  }

  /** Samples taken since the last take. */
  pending(): number {
    return this.loopDelays.length + this.gcPauses.length;
  }

  /** What was observed since the last take, and the heap now. */
  take(): ThreadHealthReport {
    const { loopDelays, gcPauses } = this;
    this.loopDelays = [];
    this.gcPauses = [];
    const heap = getHeapStatistics();
    return { loopDelays, gcPauses, heap: { usedBytes: heap.used_heap_size, externalBytes: heap.external_memory } };
  }

  stop(): void {
    clearInterval(this.timer);
    this.gc.disconnect();
  }
}
