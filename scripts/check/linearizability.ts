/**
 * A linearizability checker: the Wing & Gong search with Lowe's memoization, as in porcupine, with
 * P-compositional partitioning. An operation whose outcome is unknown (a timeout, a lost connection)
 * has no return: it may take effect at any point after its invocation, or never.
 */

export interface Operation<I, O> {
  readonly clientId: number;
  readonly input: I;
  /** The observed output; for an operation with an unknown outcome, whatever the model treats as "any". */
  readonly output: O;
  readonly callTime: number;
  /** Infinity when the outcome is unknown. */
  readonly returnTime: number;
}

export interface Model<S, I, O> {
  readonly init: () => S;
  /** Apply `input` to `state`; ok is false when `output` could not be observed from that state. */
  readonly step: (state: S, input: I, output: O) => { ok: boolean; state: S };
  readonly equal: (a: S, b: S) => boolean;
  /** Key of a state, for hashing (states with equal keys must be `equal`). */
  readonly stateKey: (state: S) => string;
  /** Split a history into independent sub-histories (P-compositionality). */
  readonly partition?: (history: readonly Operation<I, O>[]) => Operation<I, O>[][];
}

export type Verdict = 'linearizable' | 'not-linearizable' | 'unknown';

export interface CheckResult {
  readonly verdict: Verdict;
  /** For a violation: the operations (of one partition) that could not be linearized. */
  readonly partition?: number;
  readonly explored: number;
}

interface Entry<I, O> {
  readonly id: number;
  readonly isCall: boolean;
  readonly op: Operation<I, O>;
  readonly time: number;
  match: Entry<I, O> | null;
  prev: Entry<I, O> | null;
  next: Entry<I, O> | null;
}

function makeEntries<I, O>(history: readonly Operation<I, O>[]): Entry<I, O> {
  const events: Array<{ id: number; isCall: boolean; op: Operation<I, O>; time: number }> = [];
  history.forEach((op, id) => {
    events.push({ id, isCall: true, op, time: op.callTime });
    events.push({ id, isCall: false, op, time: op.returnTime });
  });
  // Calls before returns at equal times: touching operations count as concurrent (the lenient choice).
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? 0 : a.isCall ? -1 : 1));
  const head: Entry<I, O> = { id: -1, isCall: false, op: history[0] as Operation<I, O>, time: -Infinity, match: null, prev: null, next: null };
  let last = head;
  const calls = new Map<number, Entry<I, O>>();
  for (const e of events) {
    const entry: Entry<I, O> = { ...e, match: null, prev: last, next: null };
    last.next = entry;
    last = entry;
    if (e.isCall) calls.set(e.id, entry);
    else {
      const call = calls.get(e.id) as Entry<I, O>;
      call.match = entry;
      entry.match = call;
    }
  }
  return head;
}

function lift<I, O>(entry: Entry<I, O>): void {
  (entry.prev as Entry<I, O>).next = entry.next;
  if (entry.next !== null) entry.next.prev = entry.prev;
  const match = entry.match as Entry<I, O>;
  (match.prev as Entry<I, O>).next = match.next;
  if (match.next !== null) match.next.prev = match.prev;
}

function unlift<I, O>(entry: Entry<I, O>): void {
  const match = entry.match as Entry<I, O>;
  (match.prev as Entry<I, O>).next = match;
  if (match.next !== null) match.next.prev = match;
  (entry.prev as Entry<I, O>).next = entry;
  if (entry.next !== null) entry.next.prev = entry;
}

class Bitset {
  readonly words: Uint32Array;
  constructor(size: number, words?: Uint32Array) {
    this.words = words ?? new Uint32Array(Math.ceil(size / 32));
  }
  set(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] as number) | (1 << (i & 31));
  }
  clear(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] as number) & ~(1 << (i & 31));
  }
  copy(): Bitset {
    return new Bitset(0, this.words.slice());
  }
  /** A 32-bit FNV-1a hash of the words; equal sets hash equally (collisions are checked with `equals`). */
  hash(): number {
    let h = 0x811c9dc5;
    for (const w of this.words) {
      h = Math.imul(h ^ (w & 0xffff), 0x01000193);
      h = Math.imul(h ^ (w >>> 16), 0x01000193);
    }
    return h >>> 0;
  }
  equals(other: Uint32Array): boolean {
    if (other.length !== this.words.length) return false;
    for (let i = 0; i < other.length; i++) if (other[i] !== this.words[i]) return false;
    return true;
  }
}

/** Check one (sub-)history. `budget` bounds the search steps; past it the verdict is unknown. */
export function checkOperations<S, I, O>(model: Model<S, I, O>, history: readonly Operation<I, O>[], budget = 50_000_000): { ok: boolean | null; explored: number } {
  if (history.length === 0) return { ok: true, explored: 0 };
  const head = makeEntries(history);
  const linearized = new Bitset(history.length);
  const cache = new Map<string, Array<{ bits: Uint32Array; state: S }>>();
  const calls: Array<{ entry: Entry<I, O>; state: S }> = [];
  let state = model.init();
  let entry = head.next as Entry<I, O> | null;
  let explored = 0;
  while (head.next !== null) {
    if (++explored > budget) return { ok: null, explored };
    if (entry === null) return { ok: false, explored };
    if (entry.isCall) {
      const { ok, state: next } = model.step(state, entry.op.input, entry.op.output);
      if (ok) {
        linearized.set(entry.id);
        const key = `${linearized.hash()}|${model.stateKey(next)}`;
        const seen = cache.get(key);
        if (seen === undefined || !seen.some((c) => linearized.equals(c.bits) && model.equal(c.state, next))) {
          const cached = { bits: linearized.copy().words, state: next };
          if (seen === undefined) cache.set(key, [cached]);
          else seen.push(cached);
          calls.push({ entry, state });
          state = next;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized.clear(entry.id);
      }
      entry = entry.next;
    } else {
      // A return whose call is not linearized yet: undo the most recent choice and try the next one.
      const top = calls.pop();
      if (top === undefined) return { ok: false, explored };
      state = top.state;
      linearized.clear(top.entry.id);
      unlift(top.entry);
      entry = top.entry.next;
    }
  }
  return { ok: true, explored };
}

/** Check a whole history, partition by partition when the model allows it. */
export function checkHistory<S, I, O>(model: Model<S, I, O>, history: readonly Operation<I, O>[], options: { partition?: boolean; budget?: number } = {}): CheckResult {
  const partitions = options.partition !== false && model.partition !== undefined ? model.partition(history) : [history.slice()];
  let explored = 0;
  let unknown = false;
  for (let i = 0; i < partitions.length; i++) {
    const result = checkOperations(model, partitions[i] as Operation<I, O>[], options.budget);
    explored += result.explored;
    if (result.ok === false) return { verdict: 'not-linearizable', partition: i, explored };
    if (result.ok === null) unknown = true;
  }
  return { verdict: unknown ? 'unknown' : 'linearizable', explored };
}

/**
 * The history as it stood at time `t`: operations invoked by then; those that had not returned by then
 * become pending (no output, no return), since they may or may not have taken effect. Unlike a prefix
 * by invocation order, this keeps every operation concurrent with the last ones, so a cut that is not
 * linearizable pins a real violation.
 */
export function historyAt<I, O>(history: readonly Operation<I, O>[], t: number, unknownOutput: O): Operation<I, O>[] {
  return history.filter((op) => op.callTime <= t).map((op) => (op.returnTime <= t ? op : { ...op, output: unknownOutput, returnTime: Infinity }));
}

/**
 * The earliest return time at which a non-linearizable history already fails (bisected over cuts made
 * by `historyAt`): the operation that returned then is the first result no linearization can explain.
 * Null when none is found, or when the bisection outlasts `deadlineMs` (performance.now()): each cut is a
 * search of its own, and a big history's cuts can take minutes in all.
 */
export function firstViolation<S, I, O>(model: Model<S, I, O>, history: readonly Operation<I, O>[], unknownOutput: O, budget?: number, deadlineMs = Infinity): { time: number; operation: Operation<I, O> } | null {
  const fails = (t: number): boolean => checkOperations(model, historyAt(history, t, unknownOutput), budget).ok === false;
  const times = [...new Set(history.map((op) => op.returnTime).filter(Number.isFinite))].sort((a, b) => a - b);
  if (times.length === 0 || !fails(times[times.length - 1] as number)) return null;
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    if (performance.now() > deadlineMs) return null;
    const mid = (lo + hi) >> 1;
    if (fails(times[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  const time = times[lo] as number;
  return { time, operation: history.find((op) => op.returnTime === time) as Operation<I, O> };
}
