import type { Model, Operation } from './linearizability.js';

/** Jepsen's etcd register: read, write, compare-and-set over one value (null: empty). */
export type RegisterInput = { readonly op: 'read' } | { readonly op: 'write'; readonly value: number } | { readonly op: 'cas'; readonly from: number; readonly to: number };
/** read: the value read (undefined: unknown); cas: whether it swapped (undefined: unknown). */
export type RegisterOutput = { readonly value?: number | null; readonly swapped?: boolean };

export const registerModel: Model<number | null, RegisterInput, RegisterOutput> = {
  init: () => null,
  step: (state, input, output) => {
    switch (input.op) {
      case 'read':
        return { ok: output.value === undefined || output.value === state, state };
      case 'write':
        return { ok: true, state: input.value };
      case 'cas': {
        const matches = state === input.from;
        if (output.swapped === undefined) return { ok: true, state: matches ? input.to : state };
        return { ok: output.swapped === matches, state: matches ? input.to : state };
      }
    }
  },
  equal: (a, b) => a === b,
  stateKey: (s) => String(s),
};

/**
 * Parse a Jepsen etcd log (`INFO  jepsen.util - <process> <type> <f> <value>`): `:fail` reads that timed
 * out and `:info` completions have unknown outcomes; a `:fail` cas did not swap.
 */
export function parseJepsenRegisterLog(text: string): Operation<RegisterInput, RegisterOutput>[] {
  const pending = new Map<number, { input: RegisterInput; callTime: number }>();
  const ops: Operation<RegisterInput, RegisterOutput>[] = [];
  let time = 0;
  for (const line of text.split('\n')) {
    const m = /jepsen\.util - (\d+)\s+:(\w+)\s+:(\w+)\s*(.*)$/.exec(line);
    if (m === null) continue;
    time++;
    const [, process, type, f, rest] = m as unknown as [string, string, string, string, string];
    const clientId = Number(process);
    const value = rest.trim();
    if (type === 'invoke') {
      let input: RegisterInput;
      if (f === 'read') input = { op: 'read' };
      else if (f === 'write') input = { op: 'write', value: Number(value) };
      else {
        const [from, to] = value.replace(/[[\]]/g, '').trim().split(/\s+/).map(Number);
        input = { op: 'cas', from: from as number, to: to as number };
      }
      pending.set(clientId, { input, callTime: time });
      continue;
    }
    const call = pending.get(clientId);
    if (call === undefined) continue;
    pending.delete(clientId);
    if (type === 'info') {
      ops.push({ clientId, input: call.input, output: {}, callTime: call.callTime, returnTime: Infinity });
    } else if (call.input.op === 'read') {
      // A read that failed (timed out) completed with an unknown value; a read changes nothing either way.
      const read = type === 'ok' ? { value: value === 'nil' ? null : Number(value) } : {};
      ops.push({ clientId, input: call.input, output: read, callTime: call.callTime, returnTime: time });
    } else if (call.input.op === 'cas') {
      ops.push({ clientId, input: call.input, output: { swapped: type === 'ok' }, callTime: call.callTime, returnTime: time });
    } else if (type === 'ok') {
      ops.push({ clientId, input: call.input, output: {}, callTime: call.callTime, returnTime: time });
    } else {
      // A failed write did not take effect: drop it.
    }
  }
  for (const [clientId, call] of pending) ops.push({ clientId, input: call.input, output: {}, callTime: call.callTime, returnTime: Infinity });
  return ops;
}
