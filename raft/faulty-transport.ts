import type { SnapshotData } from './snapshot-data.js';
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import type { Transport, TransportFaults, TransportHandler } from './transport.js';
import type { Message } from './types.js';

/**
 * Chaos testing: a transport that drops or delays the traffic of the transport it wraps, as told by
 * `setFaults` (messages to or from the listed peers vanish; the rest leave `delayMs` late). A host
 * wraps its transport in one only where fault injection is allowed; without faults set it passes
 * everything straight through.
 */
export class FaultyTransport implements Transport {
  private faults: { dropTo: Set<number>; dropFrom: Set<number>; delayMs: number } | null = null;

  constructor(
    readonly inner: Transport,
    private readonly options: { readonly clock?: Clock; readonly log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void } = {},
  ) {}

  start(handler: TransportHandler): Promise<void> {
    return this.inner.start({
      receive: (m) => {
        if (this.faults?.dropFrom.has(m.from) === true) {
          if (m.snapshot !== null) this.inner.releaseSnapshot?.(m.snapshot.data);
          return;
        }
        handler.receive(m);
      },
      reportUnreachable: (id) => handler.reportUnreachable(id),
      reportPeerDown: (id) => handler.reportPeerDown(id),
      reportSnapshot: (id, ok) => handler.reportSnapshot(id, ok),
    });
  }

  /** Drop or delay traffic from now on; an empty plan heals. */
  setFaults(faults: TransportFaults): void {
    this.faults = { dropTo: new Set(faults.dropTo), dropFrom: new Set(faults.dropFrom), delayMs: faults.delayMs };
    this.options.log?.('warn', 'transport faults injected', { dropTo: faults.dropTo, dropFrom: faults.dropFrom, delayMs: faults.delayMs });
  }

  send(messages: readonly Message[]): void {
    const faults = this.faults;
    if (faults !== null && (faults.dropTo.size > 0 || faults.delayMs > 0)) {
      const kept = messages.filter((m) => !faults.dropTo.has(m.to));
      if (faults.delayMs > 0) (this.options.clock ?? systemClock).setTimeout(() => this.inner.send(kept), faults.delayMs);
      else this.inner.send(kept);
      return;
    }
    this.inner.send(messages);
  }

  addPeer(id: number, address: string): void {
    this.inner.addPeer(id, address);
  }

  releaseSnapshot(data: SnapshotData): void {
    this.inner.releaseSnapshot?.(data);
  }

  removePeer(id: number): void {
    this.inner.removePeer(id);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
