import { CodedError } from '../../common/error-codes.js';
import { PartitionState } from '../../meta/model.js';
import type { CollectionModel } from '../../meta/model.js';
import { lockChains } from '../lock-manager.js';
import type { LockRequest } from '../lock-manager.js';
import { generalCapacityUsed, requireCollection, requireDatabase } from '../lookups.js';
import type { DdlTask, TaskContext } from '../task.js';
import { validatePartitionName } from '../validation.js';
import { invalidateCollectionCache } from '../notify.js';

/** CreatePartition: one replicated write of the new partition; a duplicate name succeeds. */
export class CreatePartitionTask implements DdlTask {
  readonly name = 'CreatePartition';
  private partitionName = '';

  constructor(
    private readonly dbName: string,
    private readonly collectionName: string,
    partitionName: string,
  ) {
    this.partitionName = partitionName;
  }

  lockChain(): LockRequest[] {
    return lockChains.collection(this.dbName || 'default', this.collectionName, 'write');
  }

  prepare(ctx: TaskContext): void {
    this.partitionName = validatePartitionName(this.partitionName, ctx.limits);
  }

  async execute(ctx: TaskContext): Promise<void> {
    const db = requireDatabase(ctx.meta, this.dbName);
    const collection = ctx.meta.collections.get(requireCollection(ctx.meta, db, this.collectionName).collectionID) as CollectionModel;
    if (collection.fields.some((f) => f.is_partition_key)) throw new CodedError('ParameterInvalid', 'disable create partition if partition key mode is used');
    const same = collection.partitions.find((p) => p.partitionName === this.partitionName);
    if (same !== undefined && same.state !== PartitionState.Dropping) return;
    const count = collection.partitions.length;
    if (count >= ctx.limits.maxPartitionNum) {
      throw new CodedError('Unexpected', `partition number (${count}) exceeds max configuration (${ctx.limits.maxPartitionNum}), collection: ${collection.name}`);
    }
    if (generalCapacityUsed(ctx.meta) + collection.shardsNum > ctx.limits.maxGeneralCapacity) {
      throw new CodedError('GeneralCapacityExceeded', `general capacity exceeded[limit=${ctx.limits.maxGeneralCapacity}]`);
    }
    const partitionID = await ctx.allocIds(1);
    const partition = { partitionID, partitionName: this.partitionName, createdTs: ctx.ts, collectionID: collection.collectionID, state: PartitionState.Created };
    await invalidateCollectionCache(ctx, { dbName: db.name, collectionName: collection.name, collectionID: collection.collectionID, msgType: 'CreatePartition' });
    // In the classic (non-streaming) path no external step sits between Milvus's Creating and Created
    // writes of a partition, so one replicated write makes it visible atomically.
    await ctx.commit({ kind: 'putPartition', ts: ctx.ts, collectionID: collection.collectionID, partition });
  }
}
