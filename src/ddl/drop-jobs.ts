import { CollectionState, PartitionState } from '../meta/model.js';
import type { CollectionModel } from '../meta/model.js';
import type { BackgroundJob } from './step-executor.js';
import type { TaskContext } from './task.js';

type JobPorts = Pick<TaskContext, 'meta' | 'propose' | 'allocTs' | 'broker'>;

async function waitForGc(ports: JobPorts, collectionID: bigint, partitionID: bigint): Promise<void> {
  if (!(await ports.broker.gcConfirm(collectionID, partitionID))) throw new Error(`data of ${collectionID}/${partitionID} is not garbage-collected yet`);
}

/**
 * The roll-forward tail of DropCollection (spec 2.8): release, drop indexes, the drop message on the
 * DML channels, confirm GC, delete the meta. Every step is idempotent, so recovery may rerun it.
 */
export function dropCollectionJob(ports: JobPorts, collection: CollectionModel): BackgroundJob {
  const id = collection.collectionID;
  return {
    name: `drop collection ${id}`,
    steps: [
      () => ports.broker.notify({ type: 'ReleaseCollection', collectionID: id }),
      () => ports.broker.notify({ type: 'DropIndex', collectionID: id, partitionIDs: [] }),
      async () => ports.broker.notify({ type: 'DropCollectionMessage', collectionID: id, pchannels: collection.physicalChannelNames, ts: await ports.allocTs() }),
      () => waitForGc(ports, id, -1n),
      async () => {
        if (ports.meta.collections.get(id)?.state !== CollectionState.Dropping) return;
        await ports.propose({ kind: 'deleteCollection', ts: await ports.allocTs(), collectionID: id });
      },
    ],
  };
}

/** The roll-forward tail of DropPartition: release, drop message, confirm GC, remove the partition. */
export function dropPartitionJob(ports: JobPorts, collectionID: bigint, partitionID: bigint): BackgroundJob {
  return {
    name: `drop partition ${collectionID}/${partitionID}`,
    steps: [
      () => ports.broker.notify({ type: 'ReleasePartitions', collectionID, partitionIDs: [partitionID] }),
      async () => {
        const pchannels = ports.meta.collections.get(collectionID)?.physicalChannelNames ?? [];
        await ports.broker.notify({ type: 'DropPartitionMessage', collectionID, partitionID, pchannels, ts: await ports.allocTs() });
      },
      () => waitForGc(ports, collectionID, partitionID),
      () => removePartition(ports, collectionID, partitionID, PartitionState.Dropping),
    ],
  };
}

/** Remove a partition's meta if it is still in `expected` state (idempotent). */
export async function removePartition(ports: JobPorts, collectionID: bigint, partitionID: bigint, expected: PartitionState): Promise<void> {
  const current = ports.meta.collections.get(collectionID);
  if (current === undefined || !current.partitions.some((p) => p.partitionID === partitionID && p.state === expected)) return;
  // Only if still in that state when applied: the check above may be older than the log (see recoverDdl).
  await ports.propose({ kind: 'deletePartition', ts: await ports.allocTs(), collectionID, partitionID, ifState: expected });
}
