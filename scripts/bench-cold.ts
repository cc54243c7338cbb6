import type { Args } from './bench-lib.js';

export async function runCold(_args: Args): Promise<void> {
  throw new Error('not yet');
}
