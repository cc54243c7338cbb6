/** FaultyTransport: chaos faults as a decorator around any transport. */
import FakeTimers from '@sinonjs/fake-timers';
import { expect } from 'chai';
import { FaultyTransport } from '../../raft/faulty-transport.js';
import { MemoryTransportHub } from '../../raft/memory-transport.js';
import type { TransportHandler } from '../../raft/transport.js';
import { message, MessageType } from '../../raft/types.js';
import type { Message } from '../../raft/types.js';
import { virtualClock } from './fixtures/virtual-clock.js';
import type { FakeClock } from './fixtures/virtual-clock.js';

class Inbox implements TransportHandler {
  readonly received: Message[] = [];
  receive(m: Message): void {
    this.received.push(m);
  }
  reportUnreachable(): void {}
  reportPeerDown(): void {}
  reportSnapshot(): void {}
}

const heartbeat = (from: number, to: number): Message => message({ type: MessageType.Heartbeat, from, to, term: 1 });

describe('FaultyTransport', () => {
  // Virtual time: a delay is exactly as long as it says, however busy the machine.
  async function trio(): Promise<{ faulty: FaultyTransport; at1: Inbox; at2: Inbox; at3: Inbox; hub: MemoryTransportHub; time: FakeClock }> {
    const time = FakeTimers.createClock(0);
    const clock = virtualClock(time);
    const hub = new MemoryTransportHub(clock);
    const faulty = new FaultyTransport(hub.transport(1), { clock });
    const [at1, at2, at3] = [new Inbox(), new Inbox(), new Inbox()];
    await faulty.start(at1);
    await hub.transport(2).start(at2);
    await hub.transport(3).start(at3);
    return { faulty, at1, at2, at3, hub, time };
  }

  it('passes everything through until faults are set', async () => {
    const { faulty, at1, at2, hub, time } = await trio();
    faulty.send([heartbeat(1, 2)]);
    hub.transport(2).send([heartbeat(2, 1)]);
    await time.tickAsync(0);
    expect(at2.received).to.have.length(1);
    expect(at1.received).to.have.length(1);
  });

  it('drops messages to and from the listed peers, delays the rest, and heals', async () => {
    const { faulty, at1, at2, at3, hub, time } = await trio();
    faulty.setFaults({ dropTo: [2], dropFrom: [3], delayMs: 30 });
    faulty.send([heartbeat(1, 2), heartbeat(1, 3)]);
    hub.transport(2).send([heartbeat(2, 1)]);
    hub.transport(3).send([heartbeat(3, 1)]);
    await time.tickAsync(29);
    expect(at3.received, 'delayed').to.have.length(0);
    // At 30 ms the delayed send leaves; the memory transport delivers it on its next turn (fake-timers: 1 ms on).
    await time.tickAsync(2);
    expect(at2.received, 'dropped to 2').to.have.length(0);
    expect(at3.received.map((m) => m.to)).to.deep.equal([3]);
    expect(at1.received.map((m) => m.from), 'dropped from 3').to.deep.equal([2]);
    faulty.setFaults({ dropTo: [], dropFrom: [], delayMs: 0 });
    faulty.send([heartbeat(1, 2)]);
    hub.transport(3).send([heartbeat(3, 1)]);
    await time.tickAsync(0);
    expect(at2.received).to.have.length(1);
    expect(at1.received.map((m) => m.from)).to.deep.equal([2, 3]);
  });
});
