/**
 * Acknowledged CreateCollection lost under leader changes (docs/bench-runs/2026-11-30-issue8-baseline.md,
 * runs 2 to 4): a new leader's recovery took the Creating collections it saw and rolled each back with an
 * unconditional deleteCollection. When the old leader's commit of one of them (`request` +
 * putCollection Created) was applied between that scan and the rollback, the rollback deleted a
 * collection that had been created and acknowledged (and whose request ID, kept, answered a retry 0).
 * The rollback must only remove a collection (or partition) that is still Creating when it applies.
 */
import { expect } from 'chai';
import { inParallel, recoverDdl } from '../../src/ddl/recovery.js';
import type { StepExecutor } from '../../src/ddl/step-executor.js';
import type { TaskContext } from '../../src/ddl/task.js';
import type { MetaCommand } from '../../src/meta/commands.js';
import type { MetaTable } from '../../src/meta/meta-table.js';
import { CollectionState, ConsistencyLevel, DatabaseState, DEFAULT_DB_ID, DEFAULT_DB_NAME, PartitionState } from '../../src/meta/model.js';
import type { CollectionModel } from '../../src/meta/model.js';
import { metaOver } from './fixtures/memory-catalog.js';

function collection(id: bigint, state: CollectionState): CollectionModel {
  return {
    collectionID: id, dbID: DEFAULT_DB_ID, name: `c${id}`, description: '', autoID: false, fields: [],
    partitions: [{ partitionID: id * 1000n, partitionName: '_default', createdTs: 1n, collectionID: id, state: PartitionState.Created }],
    virtualChannelNames: [`by-dev-rootcoord-dml_0_${id}v0`], physicalChannelNames: ['by-dev-rootcoord-dml_0'], shardsNum: 1, consistencyLevel: ConsistencyLevel.Bounded,
    createTs: 10n, properties: [], enableDynamicField: false, state, updateTs: 10n, numPartitionsHint: 0n,
  };
}

describe('recovery racing a commit of the previous leader', () => {
  let meta: MetaTable;
  let index: number;
  const apply = async (command: MetaCommand): Promise<void> => {
    const [result] = await meta.apply([command], ++index);
    if (result !== undefined && !result.ok) throw new Error(result.reason);
  };
  const background = { resume: () => {} } as unknown as StepExecutor;

  beforeEach(async () => {
    meta = await metaOver();
    index = 0;
    await apply({ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } });
    await apply({ kind: 'putCollection', ts: 10n, collection: collection(100n, CollectionState.Creating) });
    await apply({ kind: 'putCollection', ts: 11n, collection: collection(101n, CollectionState.Creating) });
  });

  it('a collection whose Created commit applies after the scan is not rolled back', async () => {
    // The old leader's commit of c100 lands in the log after recovery saw c100 Creating and before its rollback.
    let ts = 100n;
    let injected = false;
    const ports: Pick<TaskContext, 'meta' | 'propose' | 'allocTs' | 'broker'> = {
      meta,
      propose: apply,
      allocTs: async () => {
        if (!injected) {
          injected = true;
          await apply({ kind: 'request', requestId: 'client-1', ts: 12n, command: { kind: 'putCollection', ts: 12n, collection: collection(100n, CollectionState.Created) } });
        }
        return ts++;
      },
      broker: undefined as unknown as TaskContext['broker'],
    };
    const recovered = await recoverDdl(ports, background);
    expect(recovered.rolledBack).to.equal(2);
    expect(meta.collections.get(100n)?.state, 'the acknowledged collection').to.equal(CollectionState.Created);
    expect(meta.collectionByName(DEFAULT_DB_ID, 'c100')?.collectionID).to.equal(100n);
    expect(meta.requestTookEffect('client-1')).to.equal(true);
    expect(meta.collections.has(101n), 'a collection still Creating is rolled back').to.equal(false);
  });

  it('a partition whose Created commit applies after the scan is not rolled back', async () => {
    await apply({ kind: 'putCollection', ts: 13n, collection: collection(102n, CollectionState.Created) });
    const creating = { partitionID: 7n, partitionName: 'p7', createdTs: 13n, collectionID: 102n, state: PartitionState.Creating };
    await apply({ kind: 'putPartition', ts: 13n, collectionID: 102n, partition: creating });
    let ts = 100n;
    const ports: Pick<TaskContext, 'meta' | 'propose' | 'allocTs' | 'broker'> = {
      meta,
      propose: apply,
      allocTs: async () => {
        // Calls 1 and 2 roll back c100 and c101; call 3 is the partition's, after its state was checked.
        if (ts === 102n) {
          await apply({ kind: 'request', requestId: 'client-2', ts: 14n, command: { kind: 'putPartition', ts: 14n, collectionID: 102n, partition: { ...creating, state: PartitionState.Created } } });
        }
        return ts++;
      },
      broker: undefined as unknown as TaskContext['broker'],
    };
    await recoverDdl(ports, background);
    expect(meta.collections.get(102n)?.partitions.map((p) => [p.partitionName, p.state])).to.deep.equal([['_default', PartitionState.Created], ['p7', PartitionState.Created]]);
  });

  it('a collection still Creating is rolled back', async () => {
    let ts = 100n;
    await recoverDdl({ meta, propose: apply, allocTs: async () => ts++, broker: undefined as unknown as TaskContext['broker'] }, background);
    expect(meta.collections.size).to.equal(0);
  });
});

describe('recovery proposes its rollbacks together (inParallel)', () => {
  const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('runs every task, at most `limit` at once', async () => {
    let running = 0;
    let most = 0;
    let done = 0;
    const tasks = Array.from({ length: 50 }, () => async () => {
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
      done++;
    });
    await inParallel(tasks, 8);
    expect(done).to.equal(50);
    expect(most).to.equal(8);
  });

  it('starts no task after a failure and rejects with it once the started ones settle', async () => {
    let started = 0;
    let settled = 0;
    const tasks = Array.from({ length: 50 }, (_, i) => async () => {
      started++;
      await tick();
      settled++;
      if (i === 2) throw new Error('leadership lost');
    });
    let error: unknown = null;
    await inParallel(tasks, 4).catch((e: unknown) => {
      error = e;
    });
    expect((error as Error | null)?.message).to.equal('leadership lost');
    expect(started, 'the four lanes finish what they started, then stop').to.be.at.most(8);
    expect(settled).to.equal(started);
  });
});
