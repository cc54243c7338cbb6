/**
 * Shares one ReadIndex confirmation among every caller that arrives while another is in flight: a
 * caller joins the next round, which starts only after it arrived (so it still proves leadership at a
 * moment after the caller's own work). At most one round runs and one waits, whatever the load.
 */
export class ReadBatcher {
  private inflight: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(private readonly confirm: () => Promise<unknown>) {}

  barrier(): Promise<void> {
    if (this.inflight === null) {
      this.inflight = this.start();
      return this.inflight;
    }
    this.next ??= this.inflight.then(
      () => this.promoteNext(),
      () => this.promoteNext(),
    );
    return this.next;
  }

  private start(): Promise<void> {
    const round = this.confirm().then(() => undefined);
    void round.then(
      () => this.finish(round),
      () => this.finish(round),
    );
    return round;
  }

  private finish(round: Promise<void>): void {
    if (this.inflight === round && this.next === null) this.inflight = null;
  }

  /** The queued callers' round starts now, after every one of them arrived. */
  private promoteNext(): Promise<void> {
    this.next = null;
    this.inflight = this.start();
    return this.inflight;
  }
}
