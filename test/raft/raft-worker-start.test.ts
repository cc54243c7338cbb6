/** RaftWorkerClient.start: what a host's start waits for (the Raft node on its own thread). */
import { expect } from 'chai';
import { PrestartedRaftWorker, RaftWorkerClient } from '../../raft/raft-worker-client.js';
import type { AppliedEntry, StateMachine } from '../../raft/raft-node.js';
import type { SnapshotData, SnapshotSource } from '../../raft/snapshot-data.js';
import { freePorts, tempDirEach } from './fixtures/process-cluster.js';
import { until } from '../rootcoord/until.js';

/** A state machine that counts what it applies; `gate`, when set, holds every apply until it opens. */
class CountingMachine implements StateMachine {
  applied = 0;
  gate: Promise<void> | null = null;

  appliedIndex(): number {
    return 0;
  }

  async apply(entries: readonly AppliedEntry[]): Promise<unknown[]> {
    if (this.gate !== null) await this.gate;
    this.applied = Math.max(this.applied, ...entries.map((e) => e.index));
    return entries.map(() => null);
  }

  async snapshot(): Promise<SnapshotSource> {
    return new Uint8Array(0);
  }

  async restore(_data: SnapshotData, index: number): Promise<void> {
    this.applied = index;
  }
}

describe('Raft worker start', function () {
  this.timeout(60_000);
  const dir = tempDirEach('raft-worker-start-');

  it("does not wait for the entries the log holds as committed to be applied, only for a snapshot's restore: a host's first apply may wait for work of its own", async () => {
    const [port] = await freePorts(1);
    const address = `127.0.0.1:${port as number}`;
    const options = { id: 1, initialVoters: [1], tickIntervalMs: 20, electionTicks: 10, heartbeatTicks: 1, logDir: dir(), listenAddress: address, peers: [[1, address]] as const, secret: 's', helloMagic: 'test-raft/1' };
    const noLog = (): void => {};
    const first = new CountingMachine();
    const a = await RaftWorkerClient.start({ ...options, appliedIndex: 0 }, first, noLog);
    try {
      await until('a leader', () => a.isLeader(), 20_000);
      for (let i = 0; i < 5; i++) await a.propose(new Uint8Array([i]));
    } finally {
      await a.close();
    }
    const committed = first.applied;
    expect(committed).to.be.at.least(5);

    // The same log, a state machine that has applied nothing and holds its applies: they are on the
    // apply chain when the start returns, not before it.
    const second = new CountingMachine();
    let open: () => void = () => {};
    second.gate = new Promise((resolve) => (open = resolve));
    const starting = RaftWorkerClient.start({ ...options, appliedIndex: 0 }, second, noLog);
    let deadline: NodeJS.Timeout | undefined;
    const returned = await Promise.race([starting.then(() => true), new Promise<boolean>((resolve) => (deadline = setTimeout(() => resolve(false), 15_000)))]);
    clearTimeout(deadline);
    const appliedAtReturn = second.applied;
    open();
    const b = await starting;
    try {
      expect(returned, 'the start returned while the applies were held').to.equal(true);
      expect(appliedAtReturn).to.equal(0);
      await until('the committed entries applied', () => second.applied >= committed, 20_000);
    } finally {
      await b.close();
    }
  });

  it('a worker started before its options (PrestartedRaftWorker) starts once they come, and serves; one not needed is terminated', async () => {
    const [port] = await freePorts(1);
    const address = `127.0.0.1:${port as number}`;
    const options = { id: 1, initialVoters: [1], tickIntervalMs: 20, electionTicks: 10, heartbeatTicks: 1, logDir: dir(), listenAddress: address, peers: [[1, address]] as const, secret: 's', helloMagic: 'test-raft/1', appliedIndex: 0 };
    const prestarted = new PrestartedRaftWorker();
    // The host loads its catalog meanwhile; the worker waits for its options.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([prestarted.error, prestarted.exitCode]).to.deep.equal([null, null]);
    const machine = new CountingMachine();
    const client = await RaftWorkerClient.start(options, machine, () => {}, prestarted);
    try {
      await until('a leader', () => client.isLeader(), 20_000);
      for (let i = 0; i < 3; i++) await client.propose(new Uint8Array([i]));
      expect(machine.applied).to.be.at.least(3);
    } finally {
      await client.close();
    }
    const unneeded = new PrestartedRaftWorker();
    await unneeded.terminate();
    await until('the unneeded worker exited', () => unneeded.exitCode !== null);
    // A client given a worker that has exited fails to start, with the reason, and does not hang.
    let error: unknown = null;
    await RaftWorkerClient.start({ ...options, logDir: dir() }, new CountingMachine(), () => {}, unneeded).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/exited/);
  });
});
