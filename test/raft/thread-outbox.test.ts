import { expect } from 'chai';
import { ThreadOutbox } from '../../raft/thread-outbox.js';

type Message = number | { batch: number[] };

/** `clock.ms`: the outbox's monotonic time, moved by the test. */
function outbox(): { box: ThreadOutbox<Message>; sent: Array<{ message: Message; transfer: ArrayBuffer[] }>; clock: { ms: number } } {
  const sent: Array<{ message: Message; transfer: ArrayBuffer[] }> = [];
  const clock = { ms: 0 };
  const box = new ThreadOutbox<Message>(
    (message, transfer) => sent.push({ message, transfer }),
    (messages) => ({ batch: messages as number[] }),
    { monotonicMs: () => clock.ms },
  );
  return { box, sent, clock };
}

const nextPass = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ThreadOutbox: messages to another thread', () => {
  it('posted by several callbacks of one pass of the event loop go as one message, in order, with every buffer to transfer', async () => {
    const { box, sent } = outbox();
    const buffers = [new ArrayBuffer(1), new ArrayBuffer(2)];
    // Two timers due together run in one timers phase: under load, requests are such callbacks.
    await new Promise<void>((resolve) => {
      setTimeout(() => {
        box.post(1, [buffers[0] as ArrayBuffer]);
        box.post(2);
      }, 0);
      setTimeout(() => {
        box.post(3, [buffers[1] as ArrayBuffer]);
        resolve();
      }, 0);
      // Both due before the loop reaches its timers phase: a millisecond that ticked between the two
      // calls above would otherwise leave the second for a later pass (it did, once, on a busy machine).
      const dueBy = performance.now() + 5;
      while (performance.now() < dueBy);
    });
    expect(sent).to.deep.equal([]);
    await nextPass();
    expect(sent).to.have.length(1);
    expect(sent[0]?.message).to.deep.equal({ batch: [1, 2, 3] });
    expect(sent[0]?.transfer).to.deep.equal(buffers);
  });

  it('a lone message leaves as itself in its own pass; later ones in a later message', async () => {
    const { box, sent } = outbox();
    box.post(7);
    await nextPass();
    expect(sent.map((s) => s.message)).to.deep.equal([7]);
    box.post(8);
    box.post(9);
    await nextPass();
    expect(sent.map((s) => s.message)).to.deep.equal([7, { batch: [8, 9] }]);
  });

  it('flush sends what is posted at once (before a port closes), and nothing twice', async () => {
    const { box, sent } = outbox();
    box.post(1);
    box.flush();
    expect(sent.map((s) => s.message)).to.deep.equal([1]);
    box.post(2);
    await nextPass();
    box.flush();
    expect(sent.map((s) => s.message)).to.deep.equal([1, 2]);
  });

  it('postWithNext: alone when nothing was sent lately; else with the next batch, made as it leaves; alone if it is still waiting at the next call', async () => {
    const WITHIN_MS = 20;
    const { box, sent, clock } = outbox();
    let made = 0;
    const make = (): Message => 100 + made++;
    // Nothing sent yet: at once.
    box.postWithNext(make, WITHIN_MS);
    await nextPass();
    expect(sent.map((s) => s.message)).to.deep.equal([100]);
    // Sent just now: it waits, and is made only when the next batch leaves, behind that batch's messages.
    box.postWithNext(make, WITHIN_MS);
    expect(box.waiting()).to.equal(true);
    await nextPass();
    expect(sent).to.have.length(1);
    expect(made).to.equal(1);
    box.post(5);
    await nextPass();
    expect(sent.map((s) => s.message)).to.deep.equal([100, { batch: [5, 101] }]);
    expect(box.waiting()).to.equal(false);
    // Waiting, and nothing else comes: the next call sends it alone (made then).
    box.postWithNext(make, WITHIN_MS);
    box.postWithNext(make, WITHIN_MS);
    await nextPass();
    expect(sent.map((s) => s.message)).to.deep.equal([100, { batch: [5, 101] }, 102]);
    expect(box.waiting()).to.equal(false);
    // A batch is already due in this pass: it waits for that batch, and goes with it.
    box.post(6);
    box.postWithNext(make, WITHIN_MS);
    expect(box.waiting()).to.equal(true);
    await nextPass();
    expect(sent.map((s) => s.message)).to.deep.equal([100, { batch: [5, 101] }, 102, { batch: [6, 103] }]);
    // A flush with nothing posted leaves it waiting; a flush that sends (a closing port's) takes it along.
    box.postWithNext(make, WITHIN_MS);
    box.flush();
    expect(box.waiting()).to.equal(true);
    box.post(7);
    box.flush();
    expect(sent.map((s) => s.message).at(-1)).to.deep.equal({ batch: [7, 104] });
    expect(box.waiting()).to.equal(false);
    // Long after the last send: at once again.
    clock.ms += WITHIN_MS + 1;
    box.postWithNext(make, WITHIN_MS);
    expect(box.waiting()).to.equal(false);
    await nextPass();
    expect(sent.map((s) => s.message).at(-1)).to.equal(105);
  });
});
