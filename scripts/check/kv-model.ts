import type { Model, Operation } from './linearizability.js';

export type KvInput = { readonly op: 'get' | 'put' | 'append'; readonly key: string; readonly value: string };
/** The value a get returned; null for writes and for gets with an unknown result. */
export type KvOutput = string | null;

/** A key-value store with get, put and append; keys are independent, so histories partition by key. */
export const kvModel: Model<string, KvInput, KvOutput> = {
  init: () => '',
  step: (state, input, output) => {
    switch (input.op) {
      case 'get':
        return { ok: output === null || output === state, state };
      case 'put':
        return { ok: true, state: input.value };
      case 'append':
        return { ok: true, state: state + input.value };
    }
  },
  equal: (a, b) => a === b,
  stateKey: (s) => s,
  partition: (history) => {
    const byKey = new Map<string, Operation<KvInput, KvOutput>[]>();
    for (const op of history) {
      const list = byKey.get(op.input.key) ?? [];
      list.push(op);
      byKey.set(op.input.key, list);
    }
    return [...byKey.values()];
  },
};

/**
 * The same store checked as one object (no partitioning): the state is the whole map. Used to confirm
 * that partitioning by key does not change a verdict.
 */
export const kvWholeModel: Model<ReadonlyMap<string, string>, KvInput, KvOutput> = {
  init: () => new Map(),
  step: (state, input, output) => {
    const current = state.get(input.key) ?? '';
    switch (input.op) {
      case 'get':
        return { ok: output === null || output === current, state };
      case 'put':
      case 'append': {
        const next = new Map(state);
        next.set(input.key, input.op === 'put' ? input.value : current + input.value);
        return { ok: true, state: next };
      }
    }
  },
  equal: (a, b) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v),
  stateKey: (s) => JSON.stringify([...s].sort((x, y) => (x[0] < y[0] ? -1 : 1))),
};

/** Parse porcupine's kv test histories: `{:process 3, :type :invoke, :f :append, :key "4", :value "x 3 1 y"}` lines. */
export function parseKvHistory(text: string): Operation<KvInput, KvOutput>[] {
  const pending = new Map<number, { input: KvInput; callTime: number }>();
  const ops: Operation<KvInput, KvOutput>[] = [];
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  lines.forEach((line, time) => {
    const m = /:process (\d+), :type :(\w+), :f :(\w+), :key "([^"]*)", :value (nil|"[^"]*")/.exec(line);
    if (m === null) throw new Error(`unparsable kv history line ${time + 1}: ${line}`);
    const [, process, type, f, key, rawValue] = m as unknown as [string, string, string, string, string, string];
    const clientId = Number(process);
    const value = rawValue === 'nil' ? '' : rawValue.slice(1, -1);
    if (type === 'invoke') {
      pending.set(clientId, { input: { op: f as KvInput['op'], key, value }, callTime: time });
      return;
    }
    const call = pending.get(clientId);
    if (call === undefined) throw new Error(`line ${time + 1}: completion without an invocation`);
    pending.delete(clientId);
    ops.push({ clientId, input: call.input, output: call.input.op === 'get' ? value : null, callTime: call.callTime, returnTime: type === 'ok' ? time : Infinity });
  });
  for (const [clientId, call] of pending) ops.push({ clientId, input: call.input, output: null, callTime: call.callTime, returnTime: Infinity });
  return ops;
}
