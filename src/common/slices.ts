/** One turn of the event loop: what other events are waiting run first. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The pause of work done in slices between other events: awaited after each piece, it resolves at once
 * until `sliceMs` have passed (by `now`) since the slice began, then waits with `wait` (by default one
 * turn of the event loop) and begins the next slice.
 */
export function slicer(now: () => number, sliceMs: number, wait: () => Promise<void> = nextTurn): () => Promise<void> {
  let sliceEnds = now() + sliceMs;
  return async () => {
    if (now() < sliceEnds) return;
    await wait();
    sliceEnds = now() + sliceMs;
  };
}
