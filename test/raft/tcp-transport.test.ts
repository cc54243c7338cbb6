/**
 * The TCP peer transport delivers batched messages and chunked snapshots between peers, reconnects
 * after a peer restarts, and drops (never crashes on) malformed frames, frames from non-members,
 * oversize frames and connections without the cluster secret.
 */
import { expect } from 'chai';
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFileSystem } from '../../raft/file-system.js';
import { decodeFrame, encodeFrame } from '../../raft/message-codec.js';
import { SnapshotFile, snapshotBytes } from '../../raft/snapshot-data.js';
import { FrameReader, framed, helloFrame, TcpTransport } from '../../raft/tcp-transport.js';
import type { TcpTransportOptions } from '../../raft/tcp-transport.js';
import type { TransportHandler } from '../../raft/transport.js';
import { message, MessageType } from '../../raft/types.js';
import type { Message } from '../../raft/types.js';
import { freePorts } from './fixtures/process-cluster.js';

/** The peer protocol's name in these tests' hellos (a host supplies its own). */
const MAGIC = 'test-raft/1';

class Collector implements TransportHandler {
  readonly received: Message[] = [];
  readonly snapshotReports: Array<[number, boolean]> = [];
  unreachable = 0;
  receive(m: Message): void {
    this.received.push(m);
  }
  reportUnreachable(): void {
    this.unreachable++;
  }
  readonly peersDown: number[] = [];
  reportPeerDown(id: number): void {
    this.peersDown.push(id);
  }
  reportSnapshot(id: number, ok: boolean): void {
    this.snapshotReports.push([id, ok]);
  }
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function rawConnection(address: string): Promise<Socket> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port) }, () => resolve(socket));
    socket.on('error', reject);
  });
}

/** From node 2 to node 1: an append of entry `index`, and a commit update alone (no entries) up to `index`. */
const app = (index: number): Message => message({ type: MessageType.App, from: 2, to: 1, term: 3, index: index - 1, entries: [{ term: 3, index, type: 0, data: new Uint8Array([index]) }] });
const commit = (index: number): Message => message({ type: MessageType.App, from: 2, to: 1, term: 3, index, logTerm: 3, commit: index });

describe('TcpTransport', function () {
  this.timeout(30_000);
  const transports: TcpTransport[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await Promise.all(transports.splice(0).map((t) => t.close()));
  });

  async function pair(
    bOptions: Partial<Omit<TcpTransportOptions, 'helloMagic'>> = {},
  ): Promise<{ a: TcpTransport; b: TcpTransport; atB: Collector; atA: Collector; peers: Map<number, string>; warnings: string[] }> {
    const [portA, portB] = await freePorts(2);
    const peers = new Map([[1, `127.0.0.1:${portA as number}`], [2, `127.0.0.1:${portB as number}`]]);
    const warnings: string[] = [];
    const a = new TcpTransport({ helloMagic: MAGIC, id: 1, listenAddress: peers.get(1) as string, peers, secret: 's3cret', snapshotChunkBytes: 1000 });
    const b = new TcpTransport({ helloMagic: MAGIC, id: 2, listenAddress: peers.get(2) as string, peers, secret: 's3cret', frameBytesMax: 64 * 1024, log: (_l, m) => warnings.push(m), ...bOptions });
    transports.push(a, b);
    const atA = new Collector();
    const atB = new Collector();
    await a.start(atA);
    await b.start(atB);
    return { a, b, atA, atB, peers, warnings };
  }

  it('with frameIntervalMs, holds appends that closely follow a frame; a heartbeat goes at once and takes them along', async () => {
    // A long interval, so that the margins below hold on a busy machine.
    const { b, atA } = await pair({ frameIntervalMs: 1000 });
    b.send([app(1)]);
    await until(() => atA.received.length === 1);
    const firstAt = performance.now();
    // Within the interval: the appends wait for its end, then go together.
    b.send([app(2)]);
    b.send([app(3)]);
    await until(() => atA.received.length === 3);
    expect(performance.now() - firstAt).to.be.above(700);
    expect(atA.received.slice(1).map((m) => m.entries[0]?.index)).to.deep.equal([2, 3]);
    // Again within the interval, but a heartbeat does not wait, and the append waiting goes with it.
    const secondAt = performance.now();
    b.send([app(4)]);
    b.send([message({ type: MessageType.Heartbeat, from: 2, to: 1, term: 3 })]);
    await until(() => atA.received.length === 5);
    expect(performance.now() - secondAt).to.be.below(500);
    expect(atA.received.slice(3).map((m) => m.type)).to.deep.equal([MessageType.App, MessageType.Heartbeat]);
  });

  it('with frameIntervalMs, an append to a peer that has answered the last frame of appends goes at once', async () => {
    const { a, b, atA, atB } = await pair({ frameIntervalMs: 1000 });
    b.send([app(1)]);
    await until(() => atA.received.length === 1);
    const firstAt = performance.now();
    // A heartbeat's answer is not an append's: the next append still waits.
    a.send([message({ type: MessageType.HeartbeatResp, from: 1, to: 2, term: 3 })]);
    await until(() => atB.received.length === 1);
    b.send([app(2)]);
    await until(() => atA.received.length === 2);
    expect(performance.now() - firstAt).to.be.above(700);
    // The peer answers it: the next append (a single client's next write) does not wait.
    a.send([message({ type: MessageType.AppResp, from: 1, to: 2, term: 3, index: 2 })]);
    await until(() => atB.received.length === 2);
    const answeredAt = performance.now();
    b.send([app(3)]);
    await until(() => atA.received.length === 3);
    expect(performance.now() - answeredAt).to.be.below(500);
    expect(atA.received.map((m) => m.entries[0]?.index)).to.deep.equal([1, 2, 3]);
  });

  it('holds a commit update alone for commitUpdateWaitMs after the last frame; the next frame takes it along', async () => {
    const { b, atA } = await pair({ frameIntervalMs: 2, commitUpdateWaitMs: 1000 });
    b.send([app(1)]);
    await until(() => atA.received.length === 1);
    // No frame goes only to tell the peer a commit index: it waits, and a heartbeat takes it along.
    const heldAt = performance.now();
    b.send([commit(1)]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(atA.received).to.have.length(1);
    b.send([message({ type: MessageType.Heartbeat, from: 2, to: 1, term: 3, commit: 1 })]);
    await until(() => atA.received.length === 3);
    expect(performance.now() - heldAt).to.be.below(900);
    expect(atA.received.slice(1).map((m) => [m.type, m.commit])).to.deep.equal([[MessageType.App, 1], [MessageType.Heartbeat, 1]]);
    // With no other frame, it goes once the wait is over.
    const aloneAt = performance.now();
    b.send([commit(1)]);
    await until(() => atA.received.length === 4);
    expect(performance.now() - aloneAt).to.be.above(700);
  });

  it('an append queued behind a held commit update waits only frameIntervalMs; a removed peer still gets the commit updates held for it', async () => {
    const { b, atA } = await pair({ frameIntervalMs: 2, commitUpdateWaitMs: 5000 });
    b.send([app(1)]);
    await until(() => atA.received.length === 1);
    // The commit update is held (5 s); the next append (unanswered frame before it) waits 2 ms, not 5 s.
    const queuedAt = performance.now();
    b.send([commit(1)]);
    b.send([app(2)]);
    await until(() => atA.received.length === 3);
    expect(performance.now() - queuedAt).to.be.below(2000);
    expect(atA.received.slice(1).map((m) => m.entries.length)).to.deep.equal([0, 1]);
    // Removing the peer sends the commit update held for it (its removal's, in Raft) before closing.
    const removedAt = performance.now();
    b.send([commit(2)]);
    b.removePeer(1);
    await until(() => atA.received.length === 4);
    expect(performance.now() - removedAt).to.be.below(2000);
    expect(atA.received[3]?.commit).to.equal(2);
  });

  it('delivers batches of messages in order over one connection', async () => {
    const { a, atB } = await pair();
    const sent = Array.from({ length: 500 }, (_, i) => message({ type: MessageType.App, from: 1, to: 2, term: 3, index: i, entries: [{ term: 3, index: i + 1, type: 0, data: new Uint8Array([i % 256]) }] }));
    a.send(sent.slice(0, 200));
    a.send(sent.slice(200));
    await until(() => atB.received.length === 500);
    expect(atB.received.map((m) => m.index)).to.deep.equal(sent.map((m) => m.index));
    expect(atB.received[7]?.entries[0]?.data).to.deep.equal(new Uint8Array([7]));
  });

  it('streams a snapshot in chunks and reports success', async () => {
    const { a, atB, atA } = await pair();
    const data = new Uint8Array(10_500).map((_, i) => i % 251);
    a.send([message({ type: MessageType.Snap, from: 1, to: 2, term: 4, snapshot: { metadata: { index: 99, term: 4, confState: { voters: [1, 2], learners: [] } }, data } })]);
    await until(() => atB.received.length === 1 && atA.snapshotReports.length === 1);
    expect(atB.received[0]?.snapshot?.data).to.deep.equal(data);
    expect(atB.received[0]?.snapshot?.metadata.index).to.equal(99);
    expect(atA.snapshotReports).to.deep.equal([[2, true]]);
  });

  it('sends a snapshot from its file and receives a big one into a file, which goes once released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootcoord-tcp-snap-'));
    try {
      // A file left by a receiver that stopped is removed when the transport starts.
      writeFileSync(join(dir, 'snapshot-from-1-7.recv'), 'stale');
      const { a, atB, atA } = await pair({ snapshotDir: dir, snapshotInMemoryBytesMax: 4000 });
      expect(readdirSync(dir)).to.deep.equal([]);
      const bytes = Buffer.from(new Uint8Array(50_500).map((_, i) => (i * 7) % 251));
      writeFileSync(join(dir, 'source.snap'), Buffer.concat([Buffer.from('head'), bytes]));
      const data = new SnapshotFile(nodeFileSystem, join(dir, 'source.snap'), 4, bytes.byteLength);
      const metadata = { index: 99, term: 4, confState: { voters: [1, 2], learners: [] } };
      a.send([message({ type: MessageType.Snap, from: 1, to: 2, term: 4, snapshot: { metadata, data } })]);
      await until(() => atB.received.length === 1 && atA.snapshotReports.length === 1);
      expect(atA.snapshotReports).to.deep.equal([[2, true]]);
      const received = atB.received[0]?.snapshot?.data;
      expect(received).to.be.instanceOf(SnapshotFile);
      expect(Buffer.from(await snapshotBytes(received as SnapshotFile)).equals(bytes)).to.equal(true);
      expect(readdirSync(dir).filter((n) => n.endsWith('.recv'))).to.have.length(1);
      // A file that does not checksum to what was written is not sent (its last chunk is held back).
      const corrupt = new SnapshotFile(nodeFileSystem, join(dir, 'source.snap'), 4, bytes.byteLength, { seed: 0, expected: 12345 });
      a.send([message({ type: MessageType.Snap, from: 1, to: 2, term: 4, snapshot: { metadata: { ...metadata, index: 98 }, data: corrupt } })]);
      await until(() => atA.snapshotReports.length === 2);
      expect(atA.snapshotReports[1]).to.deep.equal([2, false]);
      expect(atB.received).to.have.length(1);
      // A small one is assembled in memory.
      const small = new Uint8Array(3000).map((_, i) => i % 13);
      a.send([message({ type: MessageType.Snap, from: 1, to: 2, term: 4, snapshot: { metadata: { ...metadata, index: 100 }, data: small } })]);
      await until(() => atB.received.length === 2);
      expect(atB.received[1]?.snapshot?.data).to.deep.equal(small);
      const b = transports[1] as TcpTransport;
      b.releaseSnapshot(received as SnapshotFile);
      await until(() => readdirSync(dir).filter((n) => n.endsWith('.recv')).length === 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends a snapshot chunk by chunk as the receiver takes them, holding only a few in memory', async () => {
    const [portA, portB] = await freePorts(2);
    const peers = new Map([[1, `127.0.0.1:${portA as number}`], [2, `127.0.0.1:${portB as number}`]]);
    // Peer 2 is a bare socket server that does not read until told to.
    let receiver: Socket | null = null;
    const server = createServer((socket) => {
      receiver = socket;
      socket.pause();
    });
    await new Promise<void>((resolve) => server.listen(portB, '127.0.0.1', resolve));
    try {
      const chunkBytes = 64 * 1024;
      const a = new TcpTransport({ helloMagic: MAGIC, id: 1, listenAddress: peers.get(1) as string, peers, secret: 's3cret', snapshotChunkBytes: chunkBytes });
      transports.push(a);
      const atA = new Collector();
      await a.start(atA);
      const data = new Uint8Array(Buffer.alloc(16 * 1024 * 1024, 'snapshot data '));
      a.send([message({ type: MessageType.Snap, from: 1, to: 2, term: 4, snapshot: { metadata: { index: 99, term: 4, confState: { voters: [1, 2], learners: [] } }, data } })]);
      await until(() => receiver !== null);
      // Once the kernel's buffers are full, what waits in the process stays at about a chunk. The wait
      // must end with bytes waiting: with none, the check below would hold for any sender.
      let buffered = -1;
      await until(() => {
        const now = a.outboundBufferedBytes(2);
        const settled = now === buffered;
        buffered = now;
        return settled && now > 0;
      }, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(a.outboundBufferedBytes(2)).to.be.below(3 * chunkBytes);
      // The receiver reads on: every chunk arrives, in order, and the send is reported done.
      let received = 0;
      let helloSeen = false;
      const reader = new FrameReader(1 << 30, (payload) => {
        if (!helloSeen) {
          helloSeen = true;
          return;
        }
        const chunk = decodeFrame(payload).snapshotChunk;
        expect(chunk?.offset).to.equal(received);
        received += chunk?.data.byteLength ?? 0;
      });
      (receiver as unknown as Socket).on('data', (bytes: Buffer) => reader.push(bytes));
      (receiver as unknown as Socket).resume();
      await until(() => atA.snapshotReports.length === 1, 20_000);
      expect(atA.snapshotReports).to.deep.equal([[2, true]]);
      await until(() => received === data.byteLength);
      // A connection lost in the middle of a snapshot fails the send.
      (receiver as unknown as Socket).pause();
      a.send([message({ type: MessageType.Snap, from: 1, to: 2, term: 4, snapshot: { metadata: { index: 100, term: 4, confState: { voters: [1, 2], learners: [] } }, data } })]);
      await until(() => a.outboundBufferedBytes(2) > 0);
      (receiver as unknown as Socket).destroy();
      await until(() => atA.snapshotReports.length === 2);
      expect(atA.snapshotReports[1]).to.deep.equal([2, false]);
    } finally {
      (receiver as Socket | null)?.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('dials a peer that was down as soon as it connects, not after the backoff its absence built up', async () => {
    const [portA, portB] = await freePorts(2);
    const peers = new Map([[1, `127.0.0.1:${portA as number}`], [2, `127.0.0.1:${portB as number}`]]);
    const a = new TcpTransport({ helloMagic: MAGIC, id: 1, listenAddress: peers.get(1) as string, peers, secret: 's3cret', reconnectDelayMsMax: 60_000 });
    transports.push(a);
    const atA = new Collector();
    await a.start(atA);
    // Peer 2 is down: each failed dial doubles the wait before the next (50 ms, then 100, ... 3.2 s).
    for (let round = 0; round < 7; round++) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 60 * 2 ** (round - 1)));
      const before = atA.unreachable;
      a.send([message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 1 })]);
      await until(() => atA.unreachable > before);
    }
    // The last failed dial left 3.2 s to wait before the next.
    // Peer 2 starts and announces itself; the very next message to it is delivered, no 6 s wait.
    const b = new TcpTransport({ helloMagic: MAGIC, id: 2, listenAddress: peers.get(2) as string, peers, secret: 's3cret' });
    transports.push(b);
    const atB = new Collector();
    await b.start(atB);
    await until(() => a.inboundConnections() === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    a.send([message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 1 })]);
    await until(() => atB.received.length === 1, 1000);
  });

  it('reports an unreachable peer, and reconnects once it is back', async () => {
    const { a, b, atA, peers } = await pair();
    await b.close();
    a.send([message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 1 })]);
    await until(() => atA.unreachable > 0);
    const again = new TcpTransport({ helloMagic: MAGIC, id: 2, listenAddress: peers.get(2) as string, peers, secret: 's3cret' });
    transports.push(again);
    const atAgain = new Collector();
    await again.start(atAgain);
    // Raft keeps sending (heartbeats); once the backoff has passed a message gets through.
    await until(() => {
      a.send([message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 2 })]);
      return atAgain.received.length > 0;
    });
    expect(atAgain.received[0]?.term).to.equal(2);
  });

  it('reports a peer down when its connection closes and its address refuses a new one, without sending to it', async () => {
    const { a, b, atA, atB } = await pair();
    // b's connection to a is open (a receives), and a's to b; then b's process goes.
    b.send([message({ type: MessageType.Heartbeat, from: 2, to: 1, term: 1 })]);
    a.send([message({ type: MessageType.HeartbeatResp, from: 1, to: 2, term: 1 })]);
    await until(() => atA.received.length === 1 && atB.received.length === 1);
    // (a found b down once already: a dials its peers as it starts, before b listened.)
    atA.peersDown.length = 0;
    await b.close();
    await until(() => atA.peersDown.length > 0);
    expect(new Set(atA.peersDown)).to.deep.equal(new Set([2]));
  });

  it('does not report a peer down whose connection broke while it still listens', async () => {
    const { a, b, atA, atB } = await pair();
    a.send([message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 1 })]);
    await until(() => atB.received.length === 1);
    atA.peersDown.length = 0;
    // b drops its connections (as after a network error): a's connection to b breaks, and a probes b,
    // which still accepts connections.
    for (const socket of (b as unknown as { inbound: Set<Socket> }).inbound) socket.destroy();
    await until(() => b.inboundConnections() === 0);
    // A fresh connection from a gets through (after the reconnect backoff), and the probe has ended.
    await until(() => {
      a.send([message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 2 })]);
      return atB.received.length > 1 && a.probesInFlight() === 0;
    });
    expect(atA.peersDown).to.deep.equal([]);
  });

  it('probes again a peer that resets the probe (a dying process): reported once its port refuses; a peer that keeps resetting is not', async () => {
    const [portA, portB] = await freePorts(2);
    const peers = new Map([[1, `127.0.0.1:${portA as number}`], [2, `127.0.0.1:${portB as number}`]]);
    const a = new TcpTransport({ helloMagic: MAGIC, id: 1, listenAddress: peers.get(1) as string, peers, secret: 's3cret' });
    transports.push(a);
    const atA = new Collector();
    // A "peer" that accepts and at once resets every connection; in the first case it stops listening after one.
    let accepted = 0;
    const dying = createServer((socket) => {
      accepted++;
      socket.resetAndDestroy();
      if (stopAfterOne) dying.close();
    });
    let stopAfterOne = true;
    await a.start(atA);
    // (a dialled its peer as it started, refused: nothing listened yet.)
    await until(() => atA.peersDown.length > 0);
    atA.peersDown.length = 0;
    await new Promise<void>((resolve) => dying.listen(portB, '127.0.0.1', resolve));
    a.probe(2, peers.get(2) as string);
    await until(() => atA.peersDown.length > 0);
    expect(atA.peersDown).to.deep.equal([2]);
    expect(accepted).to.equal(1);

    atA.peersDown.length = 0;
    stopAfterOne = false;
    accepted = 0;
    await new Promise<void>((resolve) => dying.listen(portB, '127.0.0.1', resolve));
    a.probe(2, peers.get(2) as string);
    // Five attempts, each reset by a peer that still listens, then the probe gives up: no report.
    await until(() => accepted >= 5 && a.probesInFlight() === 0);
    expect(atA.peersDown).to.deep.equal([]);
    await new Promise<void>((resolve) => dying.close(() => resolve()));
  });

  it('drops malformed frames and frames from non-members, and keeps serving', async () => {
    const { a, atB, peers, warnings } = await pair();
    const raw = await rawConnection(peers.get(2) as string);
    sockets.push(raw);
    raw.write(helloFrame(MAGIC, 1, 's3cret'));
    raw.write(Buffer.concat(framed(Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02]))));
    raw.write(Buffer.concat(framed(encodeFrame(9, [message({ type: MessageType.App, from: 9, to: 2, term: 1 })], null))));
    raw.write(Buffer.concat(framed(encodeFrame(1, [message({ type: MessageType.Hup, from: 1, to: 2 })], null))));
    await until(() => warnings.length >= 3);
    a.send([message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 1 })]);
    await until(() => atB.received.length === 1);
    expect(atB.received[0]?.type).to.equal(MessageType.Heartbeat);
    expect(warnings.join('\n')).to.match(/malformed/).and.match(/not a peer/);
  });

  it('refuses connections without the secret, from non-members, or announcing an oversize frame', async () => {
    const { atB, peers, warnings } = await pair();
    const address = peers.get(2) as string;
    const heartbeat = Buffer.concat(framed(encodeFrame(1, [message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 1 })], null)));
    for (const hello of [helloFrame(MAGIC, 1, 'wrong'), helloFrame(MAGIC, 7, 's3cret'), Buffer.concat(framed(Buffer.from('not json')))]) {
      const raw = await rawConnection(address);
      sockets.push(raw);
      raw.on('error', () => {});
      raw.write(Buffer.concat([hello, heartbeat]));
    }
    const oversize = await rawConnection(address);
    sockets.push(oversize);
    oversize.on('error', () => {});
    const header = Buffer.alloc(4);
    header.writeUInt32BE(0x7fffffff, 0);
    oversize.write(Buffer.concat([helloFrame(MAGIC, 1, 's3cret'), header]));
    await until(() => warnings.length >= 4);
    expect(warnings.join('\n')).to.match(/secret/).and.match(/not a peer/).and.match(/malformed hello/).and.match(/oversize frame/);
    expect(atB.received).to.deep.equal([]);
  });
  it('survives a hello whose secret has the right number of characters but not of bytes, or that is not an object', async () => {
    const { a, atB, peers, warnings } = await pair();
    // 's3creé' is six characters like 's3cret', but seven bytes: comparing the raw bytes would throw.
    for (const hello of [helloFrame(MAGIC, 1, 's3cre\u00e9'), Buffer.concat(framed(Buffer.from('null')))]) {
      const raw = await rawConnection(peers.get(2) as string);
      sockets.push(raw);
      raw.on('error', () => {});
      raw.write(hello);
    }
    await until(() => warnings.some((w) => /secret/.test(w)) && warnings.some((w) => /malformed hello/.test(w)));
    a.send([message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 1 })]);
    await until(() => atB.received.length === 1);
    expect(atB.received[0]?.type).to.equal(MessageType.Heartbeat);
  });

  it('closes connections that send no hello in time, keeps few waiting for one, and still lets a peer in', async () => {
    const { a, b, atB, peers } = await pair({ helloTimeoutMs: 1000, pendingHellosMax: 8 });
    const idle: Socket[] = [];
    let closed = 0;
    for (let i = 0; i < 200; i++) {
      const raw = await rawConnection(peers.get(2) as string);
      sockets.push(raw);
      raw.on('error', () => {});
      raw.on('close', () => closed++);
      idle.push(raw);
    }
    // Only the newest few wait for their hello; the others were closed to make room.
    await until(() => closed >= 192);
    expect(b.inboundConnections()).to.be.at.most(8);
    // A member still gets in (its hello arrives at once), and a second connection from it replaces the first.
    a.send([message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 1 })]);
    await until(() => atB.received.length === 1);
    const again = await rawConnection(peers.get(2) as string);
    sockets.push(again);
    again.write(helloFrame(MAGIC, 1, 's3cret'));
    await until(() => closed === 200, 5000);
    expect(b.inboundConnections(), 'the member\'s newer connection replaced the older one').to.equal(1);
    again.write(Buffer.concat(framed(encodeFrame(1, [message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 5 })], null))));
    await until(() => atB.received.length === 2);
    expect(atB.received[1]?.term).to.equal(5);
  });

  it('drops a connection whose frame handling throws, and keeps serving', async () => {
    const { a, b, atB, peers, warnings } = await pair();
    let thrown = 0;
    b.handler = {
      receive(m: Message): void {
        if (m.term !== 66) return atB.receive(m);
        thrown++;
        throw new Error('boom');
      },
      reportUnreachable: () => {},
      reportPeerDown: () => {},
      reportSnapshot: () => {},
    };
    const raw = await rawConnection(peers.get(2) as string);
    sockets.push(raw);
    raw.on('error', () => {});
    const closed = new Promise<void>((resolve) => raw.on('close', () => resolve()));
    raw.write(Buffer.concat([helloFrame(MAGIC, 1, 's3cret'), ...framed(encodeFrame(1, [message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 66 })], null))]));
    await closed;
    expect(thrown).to.equal(1);
    expect(warnings.join('\n')).to.match(/could not be handled/);
    a.send([message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 1 })]);
    await until(() => atB.received.length === 1);
  });
});

describe('FrameReader', () => {
  it('cuts frames however the stream is split, and refuses a frame over its limit', () => {
    const payloads = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(3000, 7), Buffer.from('last')];
    const stream = Buffer.concat(payloads.flatMap((p) => framed(p)));
    for (const step of [1, 2, 3, 5, 64, 4096]) {
      const got: Buffer[] = [];
      const reader = new FrameReader(4000, (p) => got.push(Buffer.from(p)));
      for (let i = 0; i < stream.byteLength; i += step) expect(reader.push(stream.subarray(i, i + step))).to.equal(true);
      expect(got, `split every ${step} bytes`).to.deep.equal(payloads);
    }
    const strict = new FrameReader(100, () => {});
    expect(strict.push(Buffer.concat(framed(Buffer.alloc(101))))).to.equal(false);
  });
});
