import { readFileSync } from 'node:fs';

/** True if the process runs; a killed process whose parent is gone may linger as a zombie until reaped: not alive. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/**
 * V8's young generation at 32 MB semi-spaces instead of 16: a leader's request objects live tens of
 * milliseconds under load and, with 16, many survived two scavenges into the old generation and died
 * there (its heap grew to 190 MB between mark-compacts at 30,000 collections, a follower's to 83 MB).
 * Four alternating pairs of 30,000 fills: leader CPU 17.0 to 18.0 s against 19.7 to 21.2 s, followers
 * 5.9 to 6.3 s against 6.8 to 7.5 s, fills 23.7 to 25.3 s against 27.1 to 30.6 s. (64 MB made the
 * request thread's delays worse in session 12: each scavenge copies more.) Flags given in
 * ROOTCOORD_NODE_FLAGS come later on the line and win.
 */
const NODE_V8_FLAGS = ['--max-semi-space-size=32'];

/**
 * The command line of a rootcoord node process started by the scripts: source maps, NODE_V8_FLAGS, then
 * ROOTCOORD_NODE_FLAGS (extra Node flags, e.g. --cpu-prof, which NODE_OPTIONS does not allow), then
 * `args` (the main script and its options).
 */
export function nodeCommandLine(args: readonly string[]): string[] {
  const extra = (process.env['ROOTCOORD_NODE_FLAGS'] ?? '').split(' ').filter((f) => f !== '');
  return ['--enable-source-maps', ...NODE_V8_FLAGS, ...extra, ...args];
}

/**
 * The environment of a node process started by the scripts: libuv's pool at 16 threads. It is sized
 * when a process first uses it, which Node's module loader does before any of a node's code runs:
 * only the environment it starts with can size it (an operator's value wins).
 */
export function nodeEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, UV_THREADPOOL_SIZE: process.env['UV_THREADPOOL_SIZE'] ?? '16' };
}
