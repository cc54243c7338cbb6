/**
 * A snapshot that arrived in a file but that the core does not take (of an older term, or behind what
 * is committed) is never stored, so RaftNode hands its received copy back to the transport at once
 * (Transport.releaseSnapshot); one the core takes is released only once the storage has its own copy.
 */
import { expect } from 'chai';
import { nodeFileSystem } from '../../raft/file-system.js';
import { MemoryLogStore } from '../../raft/memory-log-store.js';
import { RaftNode } from '../../raft/raft-node.js';
import type { AppliedEntry, StateMachine } from '../../raft/raft-node.js';
import { SnapshotFile } from '../../raft/snapshot-data.js';
import type { SnapshotData } from '../../raft/snapshot-data.js';
import type { Transport, TransportHandler } from '../../raft/transport.js';
import { message, MessageType } from '../../raft/types.js';
import type { Message } from '../../raft/types.js';
import { until } from '../rootcoord/until.js';

class RecordingTransport implements Transport {
  handler: TransportHandler | null = null;
  readonly released: SnapshotData[] = [];
  async start(handler: TransportHandler): Promise<void> {
    this.handler = handler;
  }
  send(_messages: readonly Message[]): void {}
  addPeer(): void {}
  removePeer(): void {}
  async close(): Promise<void> {}
  releaseSnapshot(data: SnapshotData): void {
    this.released.push(data);
  }
}

const machine: StateMachine = {
  appliedIndex: () => 0,
  apply: async (entries: readonly AppliedEntry[]) => entries.map(() => null),
  snapshot: async () => new Uint8Array(),
  restore: async () => {},
};

describe('RaftNode and snapshots it does not take', () => {
  it('releases the received copy of a snapshot of an older term, and of one behind the commit index', async () => {
    const transport = new RecordingTransport();
    const node = await RaftNode.start({ id: 1, storage: new MemoryLogStore(), transport, stateMachine: machine, initialVoters: [1], tickIntervalMs: 5, electionTicks: 4 });
    try {
      await until('a leader', () => node.isLeader(), 5000);
      for (let i = 0; i < 5; i++) await node.propose(new TextEncoder().encode(`e${i}`));
      const term = node.status().term;
      const snapshotMessage = (index: number, atTerm: number): Message => {
        const data = new SnapshotFile(nodeFileSystem, `/nonexistent/snapshot-from-2-${index}.recv`, 0, 10);
        return message({ type: MessageType.Snap, from: 2, to: 1, term: atTerm, snapshot: { metadata: { index, term: atTerm, confState: { voters: [1, 2], learners: [] } }, data } });
      };
      const stale = snapshotMessage(3, term - 1 > 0 ? term - 1 : 0);
      transport.handler?.receive(stale);
      expect(transport.released).to.deep.equal([stale.snapshot?.data]);
      // Of a later term but behind what this node has committed: the core answers it without taking it.
      const behind = snapshotMessage(2, term + 1);
      transport.handler?.receive(behind);
      expect(transport.released).to.deep.equal([stale.snapshot?.data, behind.snapshot?.data]);
      // One the core takes (of a later term, past what it has) is kept: the storage copies it first.
      const ahead = snapshotMessage(1000, term + 2);
      transport.handler?.receive(ahead);
      expect(transport.released).to.have.length(2);
    } finally {
      await node.close();
    }
  });
});
