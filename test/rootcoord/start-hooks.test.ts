/**
 * RootCoordNode.start's hooks, as main.ts uses them: its serving modules load while Raft's thread
 * starts, and what a start does in the background (the request IDs' read, the catalog's decode) waits
 * until the caller's servers listen (`backgroundWhenServing`, then serving()), or, for the request
 * IDs, until an apply needs them. (Their hold itself: test/unit/meta-request-load.test.ts.)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { defaultLimits } from '../../src/ddl/limits.js';
import { defaultSecurity } from '../../src/node/config.js';
import type { NodeConfig } from '../../src/node/config.js';
import { RootCoordNode } from '../../src/node/root-coord-node.js';
import { RaftWorkerClient } from '../../raft/raft-worker-client.js';
import type { AppliedEntry, StateMachine } from '../../raft/raft-node.js';
import { freePorts, tempDirEach } from '../raft/fixtures/process-cluster.js';
import { until } from './until.js';

describe('RootCoordNode.start hooks', function () {
  this.timeout(60_000);
  const dir = tempDirEach('rootcoord-start-hooks-');

  async function config(): Promise<NodeConfig> {
    const [client, peer] = (await freePorts(2)) as [number, number];
    return {
      id: 1,
      dataDir: join(dir(), 'node-1'),
      members: new Map([[1, { client: `127.0.0.1:${client}`, peer: `127.0.0.1:${peer}` }]]),
      join: false,
      metricsAddress: null,
      tickIntervalMs: 20,
      electionTicks: 10,
      heartbeatTicks: 1,
      snapshotEntries: 10_000,
      timeTickIntervalMs: 50,
      secret: 'test',
      limits: { ...defaultLimits, gcConfirmDelayMs: 0, passwordHashCost: 10, maxEventLoopLagMs: 0 },
      security: defaultSecurity,
      logFile: join(dir(), 'node-1.log'),
      chaos: false,
    };
  }

  it('whileRaftStarts runs once; with backgroundWhenServing a start that has entries to apply still starts and serves (the apply reads the request IDs)', async () => {
    const settings = await config();
    let calls = 0;
    // After the catalog's load (its directory is made), before the Raft thread opens its log (it makes its directory).
    const order: boolean[] = [];
    const hook = (): void => {
      calls++;
      order.push(existsSync(join(settings.dataDir, 'meta')), existsSync(join(settings.dataDir, 'raft')));
    };
    // A fresh member has its bootstrap entries to apply (start() does not wait for them).
    const fresh = await RootCoordNode.start(settings, null, { whileRaftStarts: hook, backgroundWhenServing: true });
    try {
      expect(calls).to.equal(1);
      expect(order).to.deep.equal([true, false]);
      await until('a serving leader before serving()', () => fresh.isServingLeader());
      fresh.serving();
    } finally {
      await fresh.close();
    }
    const again = await RootCoordNode.start(settings, null, { whileRaftStarts: () => calls++, backgroundWhenServing: true });
    try {
      expect(calls).to.equal(2);
      // Its catalog is as its log (closed cleanly): nothing to apply until it leads (an election
      // timeout of at least 200 ms away), so the request IDs wait for serving().
      let read = false;
      void again.meta.requestsLoaded().then(() => (read = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(read).to.equal(false);
      again.serving();
      await again.meta.requestsLoaded();
      await until('a serving leader after a restart', () => again.isServingLeader());
      expect(again.meta.requestTookEffect('no such request')).to.equal(false);
    } finally {
      await again.close();
    }
  });

  it("an apply that fails at a start (an entry of a newer build that the log holds as committed) reaches the onFatal set after start() returns", async () => {
    const settings = await config();
    const first = await RootCoordNode.start(settings);
    await until('a serving leader', () => first.isServingLeader());
    const applied = first.meta.appliedIndex;
    await first.close();
    // The member's log alone: an entry of a kind this build does not know, committed, and more after
    // it so that the commit index on disk covers it; the catalog stays where it was.
    const bare: StateMachine = {
      appliedIndex: () => applied,
      apply: async (entries: readonly AppliedEntry[]) => entries.map(() => null),
      snapshot: async () => new Uint8Array(0),
      restore: async () => {},
    };
    const peer = settings.members.get(1)?.peer as string;
    const raft = await RaftWorkerClient.start(
      { id: 1, tickIntervalMs: 20, electionTicks: 10, heartbeatTicks: 1, logDir: join(settings.dataDir, 'raft'), listenAddress: peer, peers: [[1, peer]], secret: 'test', helloMagic: 'rootcoord-start-hooks', appliedIndex: applied },
      bare,
      () => {},
    );
    try {
      await until('the bare log leads', () => raft.isLeader());
      await raft.propose(new TextEncoder().encode('{"kind":"fromTheFuture"}'));
      for (let i = 0; i < 3; i++) await raft.propose(new Uint8Array(0));
    } finally {
      await raft.close();
    }
    let failure: Error | null = null;
    let node: RootCoordNode | null = null;
    try {
      node = await RootCoordNode.start(settings, null, { backgroundWhenServing: true });
      // As main.ts: a handler set once start() has returned.
      node.onFatal = (error) => (failure = error);
    } catch (error) {
      failure = error as Error;
    }
    try {
      await until('the failure reported', () => failure !== null);
      expect((failure as Error | null)?.message).to.match(/written by a newer build/);
    } finally {
      await node?.close().catch(() => undefined);
    }
  });

  it('a node closed before serving() closes', async () => {
    const settings = await config();
    const first = await RootCoordNode.start(settings);
    await until('a serving leader', () => first.isServingLeader());
    await first.close();
    const node = await RootCoordNode.start(settings, null, { backgroundWhenServing: true });
    await node.close();
  });
});
