/**
 * Time as a node sees it: a monotonic clock for durations and deadlines, the wall clock for times that
 * leave the process, and timers. Everything that measures or waits takes one of these, so a host (or a
 * simulation) can supply its own; `systemClock` reads the process's clocks at each call.
 */
export interface Clock {
  /** Monotonic milliseconds (performance.now): durations, leases, deadlines. */
  monotonicMs(): number;
  /** Milliseconds since the epoch (Date.now): timestamps that leave the process. */
  wallMs(): number;
  setTimeout(callback: () => void, ms: number): NodeJS.Timeout;
  clearTimeout(timer: NodeJS.Timeout | null | undefined): void;
  setInterval(callback: () => void, ms: number): NodeJS.Timeout;
  clearInterval(timer: NodeJS.Timeout | null | undefined): void;
  /** Run `callback` on a later turn of the event loop, after pending I/O (setImmediate). */
  setImmediate(callback: () => void): void;
  /** A promise resolved after `ms`. */
  sleep(ms: number): Promise<void>;
}

/** The process's clocks and timers, looked up at each call (so a test's replacement of them applies). */
export const systemClock: Clock = {
  monotonicMs: () => performance.now(),
  wallMs: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer ?? undefined),
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (timer) => clearInterval(timer ?? undefined),
  setImmediate: (callback) => void setImmediate(callback),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
