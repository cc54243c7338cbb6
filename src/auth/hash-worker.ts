/**
 * A PasswordHashPool worker thread: runs scrypt and bcrypt synchronously, one job at a time, off both
 * the event loop and libuv's thread pool (which the Raft log's file writes use).
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { hashPasswordSync, verifyPasswordSync } from './password-hash.js';
import type { HashJob, HashResult } from './hash-pool.js';

if (parentPort === null) throw new Error('hash-worker.js runs as a worker thread only');
const port = parentPort;

// Linux's nice value is per thread: hashing yields the CPU to the node's main thread (Raft, gRPC).
try {
  setPriority((workerData as { nice: number }).nice);
} catch {
  // Not permitted, or not supported here: hashing runs at the node's priority.
}

port.on('message', (job: HashJob) => {
  let result: HashResult;
  try {
    const value = job.op === 'hash' ? hashPasswordSync(job.password, job.cost) : verifyPasswordSync(job.password, job.encoded);
    result = { id: job.id, ok: true, value };
  } catch (error) {
    result = { id: job.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(result);
});
