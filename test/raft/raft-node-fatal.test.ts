/**
 * Issue 9, defect 7: a log that cannot be written stops the node on purpose. RaftNode used to emit
 * 'error' with no listener (the emit itself threw, so the node died by accident, with an unhandled
 * rejection); it now fails every waiter, closes, and emits 'fatal' with the storage's error (which names
 * the file), for the host to log and exit non-zero (src/main.ts).
 */
import { expect } from 'chai';
import { RaftError } from '../../raft/errors.js';
import { MemoryLogStore } from '../../raft/memory-log-store.js';
import { MemoryTransportHub } from '../../raft/memory-transport.js';
import { RaftNode } from '../../raft/raft-node.js';
import type { AppliedEntry, StateMachine } from '../../raft/raft-node.js';
import type { Entry, HardState, Snapshot } from '../../raft/types.js';
import { until } from '../rootcoord/until.js';

class FailingStore extends MemoryLogStore {
  failing = false;

  override save(hardState: HardState | null, entries: readonly Entry[], snapshot: Snapshot | null): Promise<void> {
    if (this.failing) return Promise.reject(new Error('write /data/raft/wal-0000000000000002.log: EIO: i/o error'));
    return super.save(hardState, entries, snapshot);
  }
}

const machine: StateMachine = {
  appliedIndex: () => 0,
  apply: async (entries: readonly AppliedEntry[]) => entries.map(() => ({ ok: true })),
  snapshot: async () => new Uint8Array(),
  restore: async () => {},
};

describe('RaftNode with a log that cannot be written', () => {
  it("fails every waiter and emits 'fatal' with the storage's error; nothing is thrown or left unhandled", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const storage = new FailingStore();
      const node = await RaftNode.start({ id: 1, storage, transport: new MemoryTransportHub().transport(1), stateMachine: machine, initialVoters: [1], tickIntervalMs: 5, electionTicks: 4 });
      await until('a leader', () => node.isLeader(), 5000);
      await node.propose(new TextEncoder().encode('before'));
      const fatal = new Promise<Error>((resolve) => node.once('fatal', resolve));
      storage.failing = true;
      const lost = node.propose(new TextEncoder().encode('after')).then(
        () => null,
        (error: unknown) => error,
      );
      const error = await fatal;
      expect(error.message).to.match(/wal-0000000000000002\.log: EIO/);
      const refused = await lost;
      expect(refused).to.be.instanceOf(RaftError);
      expect((refused as RaftError).code).to.equal('Closed');
      expect(() => node.propose(new Uint8Array([1]))).to.throw(/EIO/);
      await node.close();
      // A rejection nobody handles is reported after a turn of the event loop: give it time to show.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
