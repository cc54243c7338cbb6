import { CodedError } from '../../common/error-codes.js';
import { DEFAULT_PARTITION_NAME, PartitionState } from '../../meta/model.js';
import type { CollectionModel } from '../../meta/model.js';
import { dropPartitionJob } from '../drop-jobs.js';
import { lockChains } from '../lock-manager.js';
import { commitThenQueue } from '../step-executor.js';
import type { LockRequest } from '../lock-manager.js';
import { requireCollection, requireDatabase } from '../lookups.js';
import type { DdlTask, TaskContext } from '../task.js';
import { invalidateCollectionCache } from '../notify.js';

/** DropPartition (redo): mark it Dropping, then roll forward in the background. */
export class DropPartitionTask implements DdlTask {
  readonly name = 'DropPartition';

  constructor(
    private readonly dbName: string,
    private readonly collectionName: string,
    private readonly partitionName: string,
  ) {}

  lockChain(): LockRequest[] {
    return lockChains.collection(this.dbName || 'default', this.collectionName, 'write');
  }

  prepare(): void {
    if (this.partitionName === DEFAULT_PARTITION_NAME) throw new CodedError('Unexpected', 'default partition cannot be deleted');
  }

  async execute(ctx: TaskContext): Promise<void> {
    const db = requireDatabase(ctx.meta, this.dbName);
    const collection = ctx.meta.collections.get(requireCollection(ctx.meta, db, this.collectionName).collectionID) as CollectionModel;
    if (collection.fields.some((f) => f.is_partition_key)) throw new CodedError('ParameterInvalid', 'disable drop partition if partition key mode is used');
    const partition = collection.partitions.find((p) => p.partitionName === this.partitionName && p.state === PartitionState.Created);
    if (partition === undefined) return;
    await invalidateCollectionCache(ctx, { dbName: db.name, collectionName: collection.name, collectionID: collection.collectionID, msgType: 'DropPartition' });
    const dropping = { ...partition, state: PartitionState.Dropping };
    await commitThenQueue(ctx.background, () => ctx.commit({ kind: 'putPartition', ts: ctx.ts, collectionID: collection.collectionID, partition: dropping }), dropPartitionJob(ctx, collection.collectionID, partition.partitionID));
  }
}
