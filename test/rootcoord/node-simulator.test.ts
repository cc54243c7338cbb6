/**
 * Whole nodes on the deterministic simulator: a leader killed after every step of CreateCollection and
 * DropCollection leaves a cluster that finishes the request correctly (exactly once when the client
 * retries it); TSO and IDs strictly increase across many failovers; replicas end with identical
 * MetaTables.
 */
import { expect } from 'chai';
import { Prng } from '../../raft/prng.js';
import type { FieldInput, SchemaInput } from '../../src/ddl/validation.js';
import { CreateCollectionTask } from '../../src/ddl/tasks/create-collection-task.js';
import { CreateAliasTask } from '../../src/ddl/tasks/create-alias-task.js';
import { CreatePartitionTask } from '../../src/ddl/tasks/create-partition-task.js';
import { DropCollectionTask } from '../../src/ddl/tasks/drop-collection-task.js';
import { DropPartitionTask } from '../../src/ddl/tasks/drop-partition-task.js';
import { RenameCollectionTask } from '../../src/ddl/tasks/rename-collection-task.js';
import { CollectionState, ConsistencyLevel, DataType } from '../../src/meta/model.js';
import type { RootCoordNode } from '../../src/node/root-coord-node.js';
import { NodeSimulator } from './fixtures/node-simulator.js';
import { brokerFaults } from './fixtures/broker-faults.js';

const field = (name: string, dataType: number, extra: Partial<FieldInput> = {}): FieldInput => ({
  name,
  description: '',
  data_type: dataType,
  is_primary_key: false,
  autoID: false,
  type_params: [],
  index_params: [],
  element_type: 0,
  default_value: null,
  is_dynamic: false,
  is_partition_key: false,
  is_clustering_key: false,
  nullable: false,
  ...extra,
});
const schema = (name: string): SchemaInput => ({
  name,
  description: '',
  autoID: false,
  enable_dynamic_field: false,
  fields: [field('id', DataType.Int64, { is_primary_key: true, autoID: true }), field('vec', DataType.FloatVector, { type_params: [{ key: 'dim', value: '8' }] })],
});

const create = (name: string) => () => new CreateCollectionTask({ dbName: '', collectionName: name, schema: schema(name), shardsNum: 0, consistencyLevel: ConsistencyLevel.Bounded, properties: [], numPartitions: 0n });
const drop = (name: string) => () => new DropCollectionTask('', name);

function named(node: RootCoordNode, name: string): CollectionState[] {
  return [...node.meta.collections.values()].filter((c) => c.name === name).map((c) => c.state);
}

/** Every node's catalog is identical once they have all applied the same entries. */
async function expectConverged(sim: NodeSimulator): Promise<void> {
  await sim.settle();
  const digests = await sim.digests();
  expect(new Set(digests).size, `digests of seed ${sim.seed}`).to.equal(1);
}

/**
 * Start `request` on the leader, fire `k` timers, kill the leader there. Returns whether the request
 * had already succeeded, or null if it was still running (its answer lost with the leader).
 */
async function killLeaderAfter(sim: NodeSimulator, k: number, start: (leader: RootCoordNode) => Promise<void>): Promise<{ killed: number; acked: boolean | null; steps: number }> {
  const leader = await sim.untilServing();
  let outcome: boolean | null = null;
  start(leader).then(
    () => (outcome = true),
    () => (outcome = false),
  );
  let steps = 0;
  while (steps < k && outcome === null && (await sim.step())) steps++;
  const killed = leader.config.id;
  await sim.crash(killed);
  return { killed, acked: outcome, steps };
}

/**
 * For k = 0, 1, 2, ... until the request completes within k steps: a fresh cluster (seed base + k),
 * `setup`, then `request` started on the leader and the leader killed after k steps; then `check`
 * with the killed node's id and whether the request had been answered. Returns that k.
 */
async function atEveryKillPoint(
  seedBase: number,
  setup: (sim: NodeSimulator) => Promise<void>,
  request: (leader: RootCoordNode) => Promise<void>,
  check: (sim: NodeSimulator, k: number, acked: boolean | null) => Promise<void>,
): Promise<number> {
  let completedAt = Infinity;
  for (let k = 0; k <= completedAt; k++) {
    const sim = await NodeSimulator.start(3, seedBase + k);
    try {
      await setup(sim);
      const { killed, acked, steps } = await killLeaderAfter(sim, k, request);
      if (acked === true) completedAt = Math.min(completedAt, steps);
      await check(sim, k, acked);
      await sim.restart(killed);
      await expectConverged(sim);
    } finally {
      await sim.close();
    }
  }
  return completedAt;
}

describe('whole-node simulator', function () {
  this.timeout(300_000);

  it('a leader killed after any step of CreateCollection: the retried request creates it exactly once', async () => {
    const seen = { absent: 0, committedButUnanswered: 0, answered: 0 };
    const completedAt = await atEveryKillPoint(
      100,
      async () => {},
      (leader) => leader.submit(create('c')(), 'create-c'),
      async (sim, k, acked) => {
        // Recovery left no half-made collection: it is Created (the commit survived) or absent.
        const survived = named(await sim.untilServing(), 'c');
        if (acked === true) seen.answered++;
        else if (survived.length === 0) seen.absent++;
        else seen.committedButUnanswered++;
        expect(survived.every((s) => s === CollectionState.Created), `k=${k}: ${survived.join()}`).to.equal(true);
        if (acked === true) expect(survived, `k=${k}: an acknowledged create was lost`).to.deep.equal([CollectionState.Created]);
        // The client, having lost its answer, retries with the same request ID.
        await sim.ddl(create('c'), 'create-c');
        expect(named(await sim.untilServing(), 'c'), `k=${k}`).to.deep.equal([CollectionState.Created]);
        // A drop and a late duplicate of the retry: the collection stays dropped.
        await sim.ddl(drop('c'), 'drop-c');
        await sim.ddl(create('c'), 'create-c');
        expect(named(await sim.untilServing(), 'c').filter((s) => s === CollectionState.Created), `k=${k}`).to.deep.equal([]);
      },
    );
    expect(completedAt, 'the create never completed').to.be.below(Infinity);
    // The kills landed before the Creating record, while it was Creating, and after the commit.
    expect(seen.absent, JSON.stringify(seen)).to.be.above(1);
    expect(seen.committedButUnanswered, JSON.stringify(seen)).to.be.above(0);
    expect(seen.answered, JSON.stringify(seen)).to.be.above(0);
  });

  it('a leader killed after any step of DropCollection: the drop completes, and its retry does not drop a new collection', async () => {
    const seen = { notStarted: 0, droppingOrGone: 0 };
    const completedAt = await atEveryKillPoint(
      200,
      (sim) => sim.ddl(create('d'), 'create-d-1'),
      (leader) => leader.submit(drop('d')(), 'drop-d'),
      async (sim, k, acked) => {
        const left = named(await sim.untilServing(), 'd');
        if (left.includes(CollectionState.Created)) seen.notStarted++;
        else seen.droppingOrGone++;
        if (acked === true) expect(left.includes(CollectionState.Created), `k=${k}: an acknowledged drop was undone`).to.equal(false);
        await sim.ddl(drop('d'), 'drop-d');
        // Rolled forward to the end: the meta of the dropped collection is deleted.
        await sim.until('the drop to roll forward', () => {
          const leader = sim.servingLeader();
          return leader !== null && named(leader, 'd').length === 0;
        });
        // A new collection of the same name survives a late duplicate of the drop.
        await sim.ddl(create('d'), 'create-d-2');
        await sim.ddl(drop('d'), 'drop-d');
        expect(named(await sim.untilServing(), 'd'), `k=${k}`).to.deep.equal([CollectionState.Created]);
      },
    );
    expect(completedAt, 'the drop never completed').to.be.below(Infinity);
    expect(seen.notStarted, JSON.stringify(seen)).to.be.above(0);
    expect(seen.droppingOrGone, JSON.stringify(seen)).to.be.above(0);
  });

  it('TSO and IDs strictly increase across many failovers (kills, isolations, clock jumps)', async () => {
    for (const seed of [1, 2, 3]) {
      const sim = await NodeSimulator.start(3, seed);
      const prng = new Prng(seed);
      let lastTs = 0n;
      let nextFreeId = 0n;
      try {
        for (let round = 0; round < 25; round++) {
          for (let i = 0; i < 5; i++) {
            const leader = await sim.untilServing();
            const count = prng.intBetween(1, 5);
            try {
              const ts = await sim.wait('a timestamp', leader.tso.generate(count).then(async (last) => (await leader.confirmLeadership(), last)));
              expect(ts - BigInt(count) + 1n > lastTs, `seed ${seed} round ${round}: timestamp went backwards`).to.equal(true);
              lastTs = ts;
              const first = await sim.wait('IDs', leader.ids.alloc(count).then(async (id) => (await leader.confirmLeadership(), id)));
              expect(first >= nextFreeId, `seed ${seed} round ${round}: ID ${first} reused (next free ${nextFreeId})`).to.equal(true);
              nextFreeId = first + BigInt(count);
            } catch (error) {
              // Leadership lost mid-allocation: nothing was handed out; try the next leader.
              if ((error as { retriable?: boolean }).retriable !== true && !String(error).includes('not the serving leader') && !String(error).includes('stopped')) throw error;
            }
            await sim.run(prng.intBetween(0, 120));
          }
          const leader = (await sim.untilServing()).config.id;
          switch (prng.intBelow(3)) {
            case 0:
              await sim.crash(leader);
              await sim.untilServing();
              await sim.restart(leader);
              break;
            case 1:
              sim.isolate(leader, prng.chance(0.3));
              await sim.run(prng.intBetween(400, 1500));
              sim.heal();
              break;
            default: {
              // The next leader's clock is up to 5 s behind.
              await sim.crash(leader);
              const next = await sim.untilServing();
              next.injectFaults({ dropTo: [], dropFrom: [], delayMs: 0, clockSkewMs: -BigInt(prng.intBetween(0, 5000)) });
              await sim.restart(leader);
            }
          }
        }
        await expectConverged(sim);
      } finally {
        await sim.close();
      }
    }
  });

  it('a deposed leader that has not noticed yet answers no DDL from its stale catalog', async () => {
    const sim = await NodeSimulator.start(3, 7);
    try {
      const old = await sim.untilServing();
      sim.isolate(old.config.id);
      const others = () => [...sim.nodes.values()].filter((n) => n !== old);
      await sim.until('a new leader', () => others().some((n) => n.isServingLeader()));
      const fresh = others().find((n) => n.isServingLeader()) as RootCoordNode;
      await sim.wait('a create on the new leader', fresh.submit(create('fresh')(), 'fresh-1'));
      expect(old.isServingLeader(), 'the old leader should not have noticed yet').to.equal(true);
      // From its catalog the collection does not exist: it must not say so.
      const answer = await sim.wait('a partition on the old leader', old.submit(new CreatePartitionTask('', 'fresh', 'p'), 'fresh-2').then(() => 'ok', (e: unknown) => e as { code: number; retriable: boolean }));
      expect(answer).to.not.equal('ok');
      expect((answer as { code: number }).code, JSON.stringify(answer)).to.equal(1);
      expect((answer as { retriable: boolean }).retriable).to.equal(true);
    } finally {
      await sim.close();
    }
  });

  it('two concurrent creates of one alias for different collections: exactly one succeeds', async () => {
    const sim = await NodeSimulator.start(3, 11);
    try {
      await sim.ddl(create('left'), 'left');
      await sim.ddl(create('right'), 'right');
      const leader = await sim.untilServing();
      const outcomes = await sim.wait(
        'both creates',
        Promise.all(
          ['left', 'right'].map((target) =>
            leader.submit(new CreateAliasTask('', target, 'both'), `alias-${target}`).then(
              () => 'ok',
              (e: unknown) => String((e as { code?: number }).code),
            ),
          ),
        ),
      );
      expect(outcomes.filter((o) => o === 'ok').length, outcomes.join()).to.equal(1);
      expect(outcomes.filter((o) => o !== 'ok'), outcomes.join()).to.deep.equal(['1602']);
    } finally {
      await sim.close();
    }
  });

  it('a rename that read the collection before a dropped partition was removed does not bring it back', async () => {
    const sim = await NodeSimulator.start(3, 13);
    try {
      await sim.ddl(create('old'), 'old');
      await sim.ddl(() => new CreatePartitionTask('', 'old', 'p'), 'p');
      const leader = await sim.untilServing();
      const releaseJob = brokerFaults(leader.broker).hold('ReleasePartitions');
      await sim.ddl(() => new DropPartitionTask('', 'old', 'p'), 'drop-p');
      const releaseRename = brokerFaults(leader.broker).hold('InvalidateCollectionMetaCache');
      const renamed = leader.submit(new RenameCollectionTask('', 'old', 'new', ''), 'rename');
      await sim.until('the rename to read the collection and wait', () => leader.scheduler.minInflightTs() !== null);
      releaseJob();
      await sim.until('the dropped partition to be removed', () => [...leader.meta.collections.values()].every((c) => c.partitions.every((x) => x.partitionName !== 'p')));
      releaseRename();
      await sim.wait('the rename', renamed);
      const collection = [...leader.meta.collections.values()].find((c) => c.name === 'new');
      expect(collection?.partitions.map((x) => `${x.partitionName}:${x.state}`)).to.deep.equal(['_default:0']);
      await expectConverged(sim);
    } finally {
      await sim.close();
    }
  });

  it('the same seed replays the same run', async () => {
    const trace = async (): Promise<string> => {
      const sim = await NodeSimulator.start(3, 42);
      try {
        await sim.ddl(create('r'), 'r-1');
        const leader = (await sim.untilServing()).config.id;
        await sim.crash(leader);
        await sim.ddl(drop('r'), 'r-2');
        await sim.restart(leader);
        await sim.settle();
        return `${sim.now()} ${(await sim.digests()).join(',')}`;
      } finally {
        await sim.close();
      }
    };
    expect(await trace()).to.equal(await trace());
  });
});
