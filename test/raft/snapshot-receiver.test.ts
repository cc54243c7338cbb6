/**
 * The receiving side of snapshots (raft/snapshot-receiver.ts) when the disk fails: the snapshot is
 * dropped with its file, the file is closed, the connection is not left paused, and nothing escapes.
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFileSystem } from '../../raft/file-system.js';
import type { FileSystem, WritableFile } from '../../raft/file-system.js';
import { SnapshotReceiver } from '../../raft/snapshot-receiver.js';
import type { SnapshotFile } from '../../raft/snapshot-data.js';
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

  /** A file system whose files' writes fail from the `failFrom`th on, and whose closes wait until released. */
  function slowDisk(failFrom = Number.POSITIVE_INFINITY): { fs: FileSystem; closing: () => boolean; writes: () => number; release: () => void; writeGate: { open: () => void } } {
    const waiting: Array<() => void> = [];
    let writes = 0;
    let gateOpen: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (gateOpen = resolve));
    const fs = Object.create(nodeFileSystem) as FileSystem;
    fs.create = async (path: string): Promise<WritableFile> => {
      const file = await nodeFileSystem.create(path);
      return {
        write: async (data: Buffer) => {
          if (++writes >= failFrom) {
            await gate;
            throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
          }
          await file.write(data);
        },
        writeAt: (position: number, data: Buffer) => file.writeAt(position, data),
        sync: () => file.sync(),
        truncate: (length: number) => file.truncate(length),
        close: async () => {
          await new Promise<void>((resolve) => waiting.push(resolve));
          await file.close();
        },
      };
    };
    return { fs, closing: () => waiting.length > 0, writes: () => writes, release: () => waiting.splice(0).forEach((resolve) => resolve()), writeGate: { open: () => gateOpen() } };
  }

  const snapAt = (index: number): Message => message({ type: MessageType.Snap, from: 1, to: 2, term: 3, snapshot: { metadata: { index, term: 3, confState: { voters: [1, 2], learners: [] } }, data: new Uint8Array(0) } });
  const appAt = (index: number, from = 1): Message => message({ type: MessageType.App, from, to: 2, term: 3, index, logTerm: 3 });
  const heartbeat = (commit: number, from = 1): Message => message({ type: MessageType.Heartbeat, from, to: 2, term: 3, commit });
  const label = (m: Message): string => (m.type === MessageType.Snap ? `Snap@${m.snapshot?.metadata.index}` : `${MessageType[m.type]}:${m.from}@${m.type === MessageType.App ? m.index : m.commit}`);
  const source = { pause: () => undefined, resume: () => undefined };
  /** A snapshot of `bytes` from peer 1 in 500-byte chunks (larger than 100 bytes: received into a file). */
  const sendSnapshot = (receiver: SnapshotReceiver, index: number, bytes: number, deliver: (m: Message) => void): void => {
    for (let offset = 0; offset < bytes; offset += 500) receiver.chunk(1, { message: snapAt(index), offset, totalBytes: bytes, data: new Uint8Array(Math.min(500, bytes - offset)) }, source, deliver);
  };

  /** Snapshot 9 from peer 1 and appends after it, until the disk is closing the snapshot's file. */
  async function snapshotBeingStored(receiver: SnapshotReceiver, disk: ReturnType<typeof slowDisk>, deliver: (m: Message) => void, appends: readonly number[]): Promise<void> {
    sendSnapshot(receiver, 9, 1000, deliver);
    for (const index of appends) receiver.inOrder(1, appAt(index), deliver);
    await until('the file being closed', disk.closing);
  }

  /** Snapshot 9 from peer 1, appends 9 and 10 after it; then the disk lets the snapshot's file close. */
  async function snapshotThenAppends(receiver: SnapshotReceiver, disk: ReturnType<typeof slowDisk>, deliver: (m: Message) => void): Promise<void> {
    await snapshotBeingStored(receiver, disk, deliver, [9, 10]);
    disk.release();
  }

  async function withReceiver(disk: ReturnType<typeof slowDisk>, body: (receiver: SnapshotReceiver, delivered: string[], deliver: (m: Message) => void, warnings: string[], dir: string) => Promise<void>, storeDeadlineMs?: number): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'rootcoord-recv-'));
    try {
      const warnings: string[] = [];
      const receiver = new SnapshotReceiver({ dir, fs: disk.fs, inMemoryBytesMax: 100, log: (_level, m) => warnings.push(m), ...(storeDeadlineMs === undefined ? {} : { storeDeadlineMs }) });
      await receiver.start();
      const delivered: string[] = [];
      await body(receiver, delivered, (m) => void delivered.push(label(m)), warnings, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('holds a peer\'s messages that came after its snapshot\'s last chunk until the snapshot is delivered, in the order sent; heartbeats and other peers\' messages go at once', async () => {
    const disk = slowDisk();
    await withReceiver(disk, async (receiver, delivered, deliver) => {
      receiver.inOrder(1, heartbeat(1), deliver);
      sendSnapshot(receiver, 9, 1000, deliver);
      // After the last chunk: the leader's probe, a heartbeat, another peer's message, another append.
      receiver.inOrder(1, appAt(9), deliver);
      receiver.inOrder(1, heartbeat(2), deliver);
      receiver.inOrder(3, appAt(5, 3), deliver);
      receiver.inOrder(1, appAt(10), deliver);
      await until('the file being closed', disk.closing);
      expect(delivered).to.deep.equal(['Heartbeat:1@1', 'Heartbeat:1@2', 'App:3@5']);
      disk.release();
      await until('the snapshot and what came after it delivered', () => delivered.length === 6);
      expect(delivered.slice(3)).to.deep.equal(['Snap@9', 'App:1@9', 'App:1@10']);
      // Nothing held any more: the next message goes at once.
      receiver.inOrder(1, appAt(11), deliver);
      expect(delivered).to.have.length(7);
    });
  });

  it('keeps the order sent across snapshots back to back: a large one, then a small or a large one', async () => {
    for (const secondBytes of [50, 1000]) {
      const disk = slowDisk();
      await withReceiver(disk, async (receiver, delivered, deliver) => {
        sendSnapshot(receiver, 9, 1000, deliver);
        receiver.inOrder(1, appAt(9), deliver);
        sendSnapshot(receiver, 12, secondBytes, deliver);
        receiver.inOrder(1, appAt(12), deliver);
        for (let i = 0; i < 20 && delivered.length < 4; i++) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          disk.release();
        }
        await until('all delivered', () => delivered.length === 4);
        expect(delivered, `second snapshot of ${secondBytes} bytes`).to.deep.equal(['Snap@9', 'App:1@9', 'Snap@12', 'App:1@12']);
      });
    }
  });

  it('delivers what it held, and nothing before, when the snapshot\'s last write fails', async () => {
    const disk = slowDisk(2);
    await withReceiver(disk, async (receiver, delivered, deliver, warnings) => {
      sendSnapshot(receiver, 9, 1000, deliver);
      receiver.inOrder(1, appAt(9), deliver);
      await until('the last write under way', () => disk.writes() === 2);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(delivered).to.deep.equal([]);
      disk.writeGate.open();
      await until('the append delivered', () => delivered.length === 1);
      expect(delivered).to.deep.equal(['App:1@9']);
      expect(warnings.filter((w) => w.startsWith('could not store'))).to.have.length(1);
      receiver.inOrder(1, appAt(10), deliver);
      expect(delivered).to.have.length(2);
      // The dropped file is closed (the disk lets it) and removed.
      await until('the dropped file closing', disk.closing);
      disk.release();
    });
  });

  it('a held message the node throws on loses neither the messages after it nor the stored snapshot\'s file', async () => {
    const disk = slowDisk();
    await withReceiver(disk, async (receiver, delivered, deliver, warnings) => {
      let snapshotFile = '';
      const throwing = (m: Message): void => {
        if (m.type === MessageType.App && m.index === 9) throw new Error('an assertion in step');
        if (m.snapshot !== null) snapshotFile = (m.snapshot.data as SnapshotFile).path;
        deliver(m);
      };
      await snapshotThenAppends(receiver, disk, throwing);
      await until('the snapshot and the append after the throw delivered', () => delivered.length === 2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(delivered).to.deep.equal(['Snap@9', 'App:1@10']);
      expect(existsSync(snapshotFile), 'the stored snapshot handed to the node').to.equal(true);
      expect(warnings.filter((w) => w.startsWith('could not store'))).to.deep.equal([]);
      expect(warnings.filter((w) => w.startsWith('could not hand'))).to.have.length(1);
    });
  });

  it('holds at most 1,024 deliveries behind a snapshot whose file does not close, with one warning, and lets heartbeats through', async () => {
    const disk = slowDisk();
    await withReceiver(disk, async (receiver, delivered, deliver, warnings) => {
      sendSnapshot(receiver, 9, 1000, deliver);
      await until('the file being closed', disk.closing);
      for (let i = 0; i < 5000; i++) receiver.inOrder(1, i % 2 === 0 ? appAt(10 + i) : heartbeat(i), deliver);
      expect(delivered).to.have.length(2500);
      expect(delivered.every((d) => d.startsWith('Heartbeat'))).to.equal(true);
      expect(warnings.filter((w) => w.startsWith('dropping messages'))).to.have.length(1);
      disk.release();
      // 1,024 deliveries held: the snapshot and 1,023 appends.
      await until('the snapshot and the held appends delivered', () => delivered.length === 2500 + 1024);
      expect(delivered.slice(2500, 2502)).to.deep.equal(['Snap@9', 'App:1@10']);
    });
  });

  it('drops a snapshot not stored within its deadline: the messages after it go on, and its file goes once the disk answers', async () => {
    const disk = slowDisk();
    await withReceiver(disk, async (receiver, delivered, deliver, warnings, dir) => {
      await snapshotBeingStored(receiver, disk, deliver, [9]);
      expect(delivered).to.deep.equal([]);
      await until('the append delivered after the deadline', () => delivered.length === 1);
      expect(delivered).to.deep.equal(['App:1@9']);
      expect(warnings.filter((w) => w.startsWith('a snapshot being received was not stored in time'))).to.have.length(1);
      receiver.inOrder(1, appAt(10), deliver);
      expect(delivered).to.have.length(2);
      // The disk answers at last: the snapshot is not delivered, and its file goes.
      disk.release();
      await until('the dropped file removed', () => readdirSync(dir).length === 0);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(delivered).to.deep.equal(['App:1@9', 'App:1@10']);
    }, 150);
  });

  it('a receiver closed while a snapshot is being stored delivers nothing more and leaves no file; a close from a delivery stops the rest', async () => {
    const disk = slowDisk();
    await withReceiver(disk, async (receiver, delivered, deliver, _warnings, dir) => {
      await snapshotBeingStored(receiver, disk, deliver, [9]);
      receiver.close();
      disk.release();
      await until('the file removed', () => readdirSync(dir).length === 0);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(delivered).to.deep.equal([]);
    });
    const disk2 = slowDisk();
    await withReceiver(disk2, async (receiver, delivered, deliver) => {
      const closing = (m: Message): void => {
        deliver(m);
        if (m.type === MessageType.App && m.index === 9) receiver.close();
      };
      await snapshotThenAppends(receiver, disk2, closing);
      await until('the snapshot and the first append delivered', () => delivered.length === 2);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(delivered).to.deep.equal(['Snap@9', 'App:1@9']);
    });
  });
});
