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
 *
 * And a floor of 128 MB under every heap's old-generation limit (`--initial-old-space-size=128`: V8
 * then keeps each later limit at or above it, and does not cut the first one down from early survival
 * rates). V8 starts incremental marking once the old generation's room left under its limit is smaller
 * than the new space; with 32 MB semi-spaces and a limit sized from a small live heap that was always
 * so, and the Raft thread (a heap of 10 to 50 MB) ran a mark-compact every 300 creates or so: 623 of
 * them (6.8 s of pauses) in a 200,000 fill. With the floor: 14 (0.1 s), and 290 scavenges (2.1 s)
 * instead of 56 (0.4 s); the request thread's scavenges are cheaper too with no marking under way (in
 * that pair of 200,000 fills, a noisy hour: leader CPU 93 s against 115 s, fill 216 s against 251 s).
 * 40,000 fills: leader CPU 21.9, 21.3, 19.3 s against 27.8, 24.5, 28.8, 25.4 s; fill 38.2, 39.2, 37.2 s
 * against 44.9, 39.7, 47.4, 47.9 s; RSS 46 to 54 MB more per follower, 26 to 42 MB on the leader
 * (session 18). Each heap (idle ones too, such as the password-hashing threads') may now hold up to
 * about 128 MB of old generation before its limit asks for a full GC. Node refuses this flag in
 * NODE_OPTIONS: a node started otherwise takes it on its command line.
 *
 * And old-generation limits that grow by half the live heap (`--heap-growing-percent=50`), not by up to
 * 4 times it. After each mark-compact V8 sets the next limit at the live size times a factor it picks
 * from its GC and mutator speeds, up to 4; a leader's request thread under a 64-client fill promotes
 * about 4.6 KB of garbage per create and, for every request, the HTTP/2 header values Node makes external
 * strings in the old generation (only a mark-compact frees them), so its heap grew from 125 MB live to
 * 493 MB before one, and a mark-compact's pause grows with that heap: in a 200,000 fill, 4 of 93 to 187
 * ms (32 to 66 ms of each freeing external strings), a follower's up to 381 ms. With the factor at 1.5:
 * the leader's 20 of p50 41 ms, max 114 ms (829 ms in all against 549), followers' 4 of at most 51 ms;
 * leader RSS at 200,000 652 to 672 MB against 915 to 965 MB (session 19, `--trace-gc-nvp`; see "Scale" in the
 * README). Node refuses this flag in NODE_OPTIONS too.
 */
const NODE_V8_FLAGS = ['--max-semi-space-size=32', '--initial-old-space-size=128', '--heap-growing-percent=50'];

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
