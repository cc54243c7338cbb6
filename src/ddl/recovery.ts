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
      // Only if still Creating when the rollback applies: this scan may be older than the log (a
      // commit of the previous leader's task applied since, or forwarded into this term, makes it
      // Created and acknowledged; an unconditional delete lost such collections under elections).
      await ports.propose({ kind: 'deleteCollection', ts: await ports.allocTs(), collectionID: collection.collectionID, ifState: CollectionState.Creating });
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
