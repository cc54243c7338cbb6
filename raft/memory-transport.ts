import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import type { Transport, TransportHandler } from './transport.js';
import type { Message } from './types.js';

/**
 * In-process transports wired through one hub; for tests. `drop` filters messages in flight; `latencyMs`
 * delays each one (0: the next turn of the event loop), so messages may overtake each other; `clock`
 * times the delays.
 */
export class MemoryTransportHub {
  constructor(readonly clock: Clock = systemClock) {}

  readonly handlers = new Map<number, TransportHandler>();
  drop: (m: Message) => boolean = () => false;
  latencyMs: (m: Message) => number = () => 0;

  transport(id: number): MemoryTransport {
    return new MemoryTransport(id, this);
  }
}

export class MemoryTransport implements Transport {
  constructor(
    readonly id: number,
    private readonly hub: MemoryTransportHub,
  ) {}

  start(handler: TransportHandler): Promise<void> {
    this.hub.handlers.set(this.id, handler);
    return Promise.resolve();
  }

  send(messages: readonly Message[]): void {
    for (const m of messages) {
      const latencyMs = this.hub.latencyMs(m);
      const deliver = (): void => {
        const target = this.hub.handlers.get(m.to);
        const sender = this.hub.handlers.get(this.id);
        if (target === undefined || this.hub.drop(m)) {
          sender?.reportUnreachable(m.to);
          if (m.snapshot !== null) sender?.reportSnapshot(m.to, false);
          return;
        }
        target.receive(m);
        if (m.snapshot !== null) sender?.reportSnapshot(m.to, true);
      };
      if (latencyMs > 0) this.hub.clock.setTimeout(deliver, latencyMs);
      else this.hub.clock.setImmediate(deliver);
    }
  }

  addPeer(): void {}
  removePeer(): void {}

  /** As a TCP peer's refused connections would tell them: the others learn at once that this one is down. */
  close(): Promise<void> {
    this.hub.handlers.delete(this.id);
    for (const handler of this.hub.handlers.values()) this.hub.clock.setImmediate(() => handler.reportPeerDown(this.id));
    return Promise.resolve();
  }
}
