/**
 * Background work is never dropped (issue 9 C): with the step executor's queue full, a DDL whose undo
 * or roll-forward would need a place in it is refused before it takes effect (QueueFull, retriable),
 * so no collection is left Creating or Dropping; a task whose lock chain throws gives back its place
 * in the scheduler's queue.
 */
import { expect } from 'chai';
import { CodedError } from '../../src/common/error-codes.js';
import type { DdlTask } from '../../src/ddl/task.js';
import type { BackgroundJob } from '../../src/ddl/step-executor.js';
import { CollectionState, PartitionState } from '../../src/meta/model.js';
import { expectCode } from './expect-code.js';
import { InProcessCluster, simpleSchema } from './fixtures/in-process-cluster.js';
import { until } from './until.js';
import { brokerFaults } from './fixtures/broker-faults.js';

describe('RootCoord background jobs and the scheduler queue', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;

  beforeEach(async () => {
    cluster = await InProcessCluster.start(3, { schedulerQueueMax: 3 });
  });
  afterEach(async () => {
    await cluster.close();
  });

  it('with the background queue full, CreateCollection, DropCollection and DropPartition are refused before they take effect; nothing is left half done', async () => {
    const leader = cluster.node(await cluster.waitForServingLeader());
    const client = cluster.client({ retryBudgetMs: 0 });
    await client.createCollection('kept', simpleSchema());
    await client.createPartition('kept', 'p1');
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    // Fill the queue with jobs that wait (as recovery would submit them).
    const blocker: BackgroundJob = { name: 'blocker', steps: [() => gate] };
    for (let i = 0; i < 10_004; i++) leader.background.resume(blocker);
    brokerFaults(leader.broker).failNext('WatchChannels');
    const create = await client.createCollection('undone', simpleSchema()).then(() => null, (e: unknown) => e);
    const drop = await client.dropCollection('kept').then(() => null, (e: unknown) => e);
    const dropPartition = await client.dropPartition('kept', 'p1').then(() => null, (e: unknown) => e);
    open();
    await leader.background.idle();
    const halfDone = (): string[] =>
      [...leader.meta.collections.values()].flatMap((c) => [
        ...(c.state === CollectionState.Created ? [] : [`${c.name} ${CollectionState[c.state]}`]),
        ...c.partitions.filter((p) => p.state !== PartitionState.Created).map((p) => `${c.name}/${p.partitionName} ${PartitionState[p.state]}`),
      ]);
    await until('nothing left half done', () => halfDone().length === 0, 3_000).catch(() => expect(halfDone()).to.deep.equal([]));
    for (const refused of [create, drop, dropPartition]) {
      expect(refused).to.have.property('code', 2001);
      expect(refused).to.have.property('retriable', true);
    }
    expect((await client.showPartitions('kept'))['partition_names']).to.deep.equal(['_default', 'p1']);
    // Once the queue drains the same calls succeed and finish; the create that now fails at WatchChannels is undone.
    await client.dropPartition('kept', 'p1');
    await client.dropCollection('kept');
    await expectCode(client.createCollection('undone', simpleSchema()), 65535, /injected failure of WatchChannels/);
    await until('the undo', () => [...leader.meta.collections.values()].every((c) => c.name !== 'undone'));
    await client.createCollection('undone', simpleSchema());
    await until('the drops to finish', () => halfDone().length === 0 && [...leader.meta.collections.values()].every((c) => c.name !== 'kept'));
    client.close();
  });

  it('a task whose lock chain throws gives its place in the scheduler queue back', async () => {
    const leader = cluster.node(await cluster.waitForServingLeader());
    const broken: DdlTask = {
      name: 'BrokenLockChain',
      lockChain: () => {
        throw new CodedError('ParameterInvalid', 'no lock chain');
      },
      prepare: () => {},
      execute: async () => {},
    };
    for (let i = 0; i < 5; i++) {
      const error = await leader.scheduler.submit(broken).then(() => null, (e: unknown) => e);
      expect(error).to.be.instanceOf(CodedError);
      expect((error as CodedError).message).to.equal('no lock chain');
    }
    const client = cluster.client({ retryBudgetMs: 0 });
    await client.createCollection('after', simpleSchema());
    client.close();
  });
});
