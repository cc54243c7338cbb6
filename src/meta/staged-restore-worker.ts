/**
 * The worker thread of a staged restore (staged-restore.ts): inflates a snapshot's blocks as the request
 * thread hands them over and writes their records into a new LevelDB directory, their bytes as they
 * are (no strings made), one batch per block, one batch being written while the next is built. At the end it
 * writes the applied index, synced (every batch before it reaches the disk with it), closes the
 * directory and says `done`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { keys } from './catalog-keys.js';
import { forEachRecord, inflateBlock } from './catalog-snapshot.js';
import type { FromStagedRestoreWorker, StagedRestoreJob, ToStagedRestoreWorker } from './staged-restore.js';
import { openCatalogBytes } from './versioned-store.js';

const job = workerData as StagedRestoreJob;
const port = parentPort as NonNullable<typeof parentPort>;
const db = await openCatalogBytes(job.dir);
const appliedKey = Buffer.from(keys.appliedIndex, 'utf8');
let writing: Promise<void> = Promise.resolve();

port.on('message', (message: ToStagedRestoreWorker) => {
  if (message.type === 'block') {
    const records = inflateBlock(message.block, message.at);
    const batch = db.batch();
    forEachRecord(records, `the block at byte ${message.at}`, (at, keyEnd, end) => {
      const key = records.subarray(at + 8, keyEnd);
      // The snapshot's own applied index (if any) is the leader's: this catalog's is written last.
      if (!key.equals(appliedKey)) batch.put(key, records.subarray(keyEnd, end));
    });
    writing = writing.then(() => batch.write()).then(() => port.postMessage({ type: 'written' } satisfies FromStagedRestoreWorker));
  } else {
    writing = writing
      .then(() => db.put(appliedKey, Buffer.from(String(job.index), 'utf8'), { sync: true }))
      .then(() => db.close())
      .then(() => {
        port.postMessage({ type: 'done' } satisfies FromStagedRestoreWorker);
        port.close();
      });
  }
  // A failure ends the worker with it: the request thread hears of it as an 'error'.
  writing.catch((error: unknown) => {
    throw error;
  });
});
