/**
 * One run at a time of an asynchronous job: `run(start)` calls `start()` only when no run is under way,
 * and a call meanwhile gets the run under way (a retrying caller cannot pile runs up).
 */
export class SingleFlight<T> {
  private running: Promise<T> | null = null;

  run(start: () => Promise<T>): Promise<T> {
    if (this.running === null) {
      const running = start();
      this.running = running;
      const done = (): void => {
        if (this.running === running) this.running = null;
      };
      running.then(done, done);
    }
    return this.running;
  }
}
