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
  const rollbacks: Array<() => Promise<void>> = [];
  let rolledForward = 0;
  // Only those in transition: the others are not decoded (a collection loaded at a start is decoded when first read).
  for (const collection of ports.meta.collections.inTransition()) {
    const { collectionID } = collection;
    if (collection.state === CollectionState.Creating) {
      // Only if still Creating when the rollback applies: this scan may be older than the log (a
      // commit of the previous leader's task applied since, or forwarded into this term, makes it
      // Created and acknowledged; an unconditional delete lost such collections under elections).
      rollbacks.push(async () => ports.propose({ kind: 'deleteCollection', ts: await ports.allocTs(), collectionID, ifState: CollectionState.Creating }));
      continue;
    }
    if (collection.state === CollectionState.Dropping) {
      background.resume(dropCollectionJob(ports, collection));
      rolledForward++;
      continue;
    }
    for (const partition of collection.partitions) {
      if (partition.state === PartitionState.Creating) {
        const { partitionID } = partition;
        rollbacks.push(() => removePartition(ports, collectionID, partitionID, PartitionState.Creating));
      } else if (partition.state === PartitionState.Dropping) {
        background.resume(dropPartitionJob(ports, collectionID, partition.partitionID));
        rolledForward++;
      }
    }
  }
  // The rollbacks are independent (each conditional on its own state), so they are proposed together:
  // Raft carries concurrent proposals in one append and one fsync, where one after another took a
  // round trip each (a leader killed under a 500-client load leaves about 64 creates behind).
  await inParallel(rollbacks, RECOVERY_CONCURRENCY);
  return { rolledBack: rollbacks.length, rolledForward };
}

/** Rollbacks proposed at once during recovery, at most (the proposal queue is bounded too). */
const RECOVERY_CONCURRENCY = 64;

/**
 * Run `tasks`, at most `limit` at a time; after a failure no task is started (leadership is likely
 * gone: recovery is retried or left to the next leader). Rejects with the first failure once every
 * started task has settled.
 */
export async function inParallel(tasks: ReadonlyArray<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  let stopped = false;
  const lanes = Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length && !stopped) {
      const task = tasks[next++] as () => Promise<void>;
      try {
        await task();
      } catch (error) {
        stopped = true;
        throw error;
      }
    }
  });
  const settled = await Promise.allSettled(lanes);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected !== undefined) throw rejected.reason;
}
