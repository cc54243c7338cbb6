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

  it('holds a peer\'s messages that came after its snapshot\'s last chunk until the snapshot is delivered, in the order sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootcoord-recv-'));
    try {
      let releaseClose: (() => void) | null = null;
      const fs = Object.create(nodeFileSystem) as FileSystem;
      fs.create = async (path: string): Promise<WritableFile> => {
        const file = await nodeFileSystem.create(path);
        return {
          write: (data: Buffer) => file.write(data),
          writeAt: (position: number, data: Buffer) => file.writeAt(position, data),
          sync: () => file.sync(),
          truncate: (length: number) => file.truncate(length),
          // The file's close waits until the test lets it finish: the disk is slow.
          close: async () => {
            await new Promise<void>((resolve) => (releaseClose = resolve));
            await file.close();
          },
        };
      };
      const receiver = new SnapshotReceiver({ dir, fs, inMemoryBytesMax: 100, log: () => undefined });
      await receiver.start();
      const source = { pause: () => undefined, resume: () => undefined };
      const delivered: string[] = [];
      const deliver = (m: Message): void => void delivered.push(`${MessageType[m.type]}:${m.from}`);
      const snap = message({ type: MessageType.Snap, from: 1, to: 2, term: 3, snapshot: { metadata: { index: 9, term: 3, confState: { voters: [1, 2], learners: [] } }, data: new Uint8Array(0) } });
      receiver.inOrder(1, message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 3 }), deliver);
      for (let offset = 0; offset < 1000; offset += 500) receiver.chunk(1, { message: snap, offset, totalBytes: 1000, data: new Uint8Array(500) }, source, deliver);
      // After the last chunk: the leader's probe and a heartbeat from it, and a message from another peer.
      receiver.inOrder(1, message({ type: MessageType.App, from: 1, to: 2, term: 3, index: 9, logTerm: 3 }), deliver);
      receiver.inOrder(3, message({ type: MessageType.Heartbeat, from: 3, to: 2, term: 3 }), deliver);
      receiver.inOrder(1, message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 3 }), deliver);
      await until('the file being closed', () => releaseClose !== null);
      expect(delivered).to.deep.equal(['Heartbeat:1', 'Heartbeat:3']);
      (releaseClose as unknown as () => void)();
      await until('the snapshot and what came after it delivered', () => delivered.length === 5);
      expect(delivered).to.deep.equal(['Heartbeat:1', 'Heartbeat:3', 'Snap:1', 'App:1', 'Heartbeat:1']);
      // Nothing held any more: the next message goes at once.
      receiver.inOrder(1, message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 3 }), deliver);
      expect(delivered).to.have.length(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('delivers what it held when the snapshot\'s last write fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootcoord-recv-'));
    try {
      let writes = 0;
      const fs = Object.create(nodeFileSystem) as FileSystem;
      fs.create = async (path: string): Promise<WritableFile> => {
        const file = await nodeFileSystem.create(path);
        return {
          write: async (data: Buffer) => {
            if (++writes === 2) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
            await file.write(data);
          },
          writeAt: (position: number, data: Buffer) => file.writeAt(position, data),
          sync: () => file.sync(),
          truncate: (length: number) => file.truncate(length),
          close: () => file.close(),
        };
      };
      const receiver = new SnapshotReceiver({ dir, fs, inMemoryBytesMax: 100, log: () => undefined });
      await receiver.start();
      const source = { pause: () => undefined, resume: () => undefined };
      const delivered: Message[] = [];
      const snap = message({ type: MessageType.Snap, from: 1, to: 2, term: 3, snapshot: { metadata: { index: 9, term: 3, confState: { voters: [1, 2], learners: [] } }, data: new Uint8Array(0) } });
      for (let offset = 0; offset < 1000; offset += 500) receiver.chunk(1, { message: snap, offset, totalBytes: 1000, data: new Uint8Array(500) }, source, (m) => delivered.push(m));
      receiver.inOrder(1, message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 3 }), (m) => delivered.push(m));
      await until('the heartbeat delivered', () => delivered.length === 1);
      expect(delivered[0]?.type).to.equal(MessageType.Heartbeat);
      receiver.inOrder(1, message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 3 }), (m) => delivered.push(m));
      expect(delivered).to.have.length(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
