/**
 * The receiving side of snapshots (raft/snapshot-receiver.ts) when the disk fails: the snapshot is
 * dropped with its file, the file is closed, the connection is not left paused, and nothing escapes.
 */
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFileSystem } from '../../raft/file-system.js';
import type { FileSystem, WritableFile } from '../../raft/file-system.js';
import { SnapshotReceiver } from '../../raft/snapshot-receiver.js';
import { message, MessageType } from '../../raft/types.js';
import type { Message } from '../../raft/types.js';
import { until } from '../rootcoord/until.js';

describe('SnapshotReceiver', () => {
  it('drops a snapshot whose file cannot be written: the file closed and removed, the connection read again, later ones received', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootcoord-recv-'));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let writes = 0;
      let closes = 0;
      let failWrites = true;
      const fs = Object.create(nodeFileSystem) as FileSystem;
      fs.create = async (path: string): Promise<WritableFile> => {
        const file = await nodeFileSystem.create(path);
        return {
          write: async (data: Buffer) => {
            if (failWrites && ++writes === 2) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
            await file.write(data);
          },
          writeAt: (position: number, data: Buffer) => file.writeAt(position, data),
          sync: () => file.sync(),
          truncate: (length: number) => file.truncate(length),
          close: async () => {
            closes++;
            await file.close();
          },
        };
      };
      const warnings: string[] = [];
      const receiver = new SnapshotReceiver({ dir, fs, inMemoryBytesMax: 100, log: (_level, m) => warnings.push(m) });
      await receiver.start();
      let paused = 0;
      let resumed = 0;
      const source = { pause: () => void paused++, resume: () => void resumed++ };
      const delivered: Message[] = [];
      const snap = message({ type: MessageType.Snap, from: 1, to: 2, term: 3, snapshot: { metadata: { index: 9, term: 3, confState: { voters: [1, 2], learners: [] } }, data: new Uint8Array(0) } });
      const send = (): void => {
        for (let offset = 0; offset < 5000; offset += 500) receiver.chunk(1, { message: snap, offset, totalBytes: 5000, data: new Uint8Array(500).fill(offset / 500) }, source, (m) => delivered.push(m));
      };
      send();
      await until('the failed file closed and removed', () => closes === 1 && readdirSync(dir).length === 0);
      expect(delivered).to.have.length(0);
      expect(warnings.filter((w) => w.startsWith('could not store'))).to.have.length(1);
      expect(warnings.filter((w) => w.includes('out-of-order'))).to.have.length(0);
      expect(resumed).to.be.at.least(paused);
      // The next snapshot from that peer is received.
      failWrites = false;
      send();
      await until('the next snapshot delivered', () => delivered.length === 1);
      expect(readdirSync(dir)).to.have.length(1);
      expect(closes).to.equal(2);
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
