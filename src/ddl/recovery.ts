import { CollectionState, PartitionState } from '../meta/model.js';
import { dropCollectionJob, dropPartitionJob, removePartition } from './drop-jobs.js';
import type { StepExecutor } from './step-executor.js';
import type { TaskContext } from './task.js';

type RecoveryPorts = Pick<TaskContext, 'meta' | 'propose' | 'allocTs' | 'broker'>;

/**
 * Run when a node becomes leader (Milvus `Core.restore`): a collection or partition left Creating by a
 * dead leader is rolled back; one left Dropping is rolled forward. Returns what it did, for the log.
 */
export async function recoverDdl(ports: RecoveryPorts, background: StepExecutor): Promise<{ rolledBack: number; rolledForward: number }> {
  let rolledBack = 0;
  let rolledForward = 0;
  for (const collection of [...ports.meta.collections.values()]) {
    if (collection.state === CollectionState.Creating) {
      await ports.propose({ kind: 'deleteCollection', ts: await ports.allocTs(), collectionID: collection.collectionID });
      rolledBack++;
      continue;
    }
    if (collection.state === CollectionState.Dropping) {
      background.resume(dropCollectionJob(ports, collection));
      rolledForward++;
      continue;
    }
    for (const partition of collection.partitions) {
      if (partition.state === PartitionState.Creating) {
        await removePartition(ports, collection.collectionID, partition.partitionID, PartitionState.Creating);
        rolledBack++;
      } else if (partition.state === PartitionState.Dropping) {
        background.resume(dropPartitionJob(ports, collection.collectionID, partition.partitionID));
        rolledForward++;
      }
    }
  }
  return { rolledBack, rolledForward };
}
