import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Divergence, DivergenceRecord } from '../meta/replica-checks.js';

/** The file in a data directory that keeps a replica check's last difference (src/meta/replica-checks.ts). */
export const DIVERGED_FILE = 'REPLICA_DIVERGED';

/** The last difference a replica check found, as JSON in `<dataDir>/REPLICA_DIVERGED` (removed once a check matches). */
export function divergenceFile(dataDir: string): DivergenceRecord {
  const path = join(dataDir, DIVERGED_FILE);
  return {
    read: () => {
      if (!existsSync(path)) return null;
      try {
        return JSON.parse(readFileSync(path, 'utf8')) as Divergence;
      } catch {
        // Unreadable (cut by a crash): the difference stands all the same, its details lost.
        return { index: 0, leader: 0, digest: '', leaderDigest: '', at: 0 };
      }
    },
    // Durable before it counts: the file's data, then the directory's entry (a removal too).
    write: (divergence) => {
      if (divergence === null) {
        if (!existsSync(path)) return;
        rmSync(path, { force: true });
        syncDirectory(dataDir);
        return;
      }
      const fd = openSync(`${path}.tmp`, 'w', 0o600);
      try {
        writeFileSync(fd, `${JSON.stringify(divergence)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(`${path}.tmp`, path);
      syncDirectory(dataDir);
    },
  };
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
