/**
 * The gRPC transport delivers batched messages and chunked snapshots between peers, and drops (never
 * crashes on) malformed frames, frames from non-members and streams without the cluster secret.
 */
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { GrpcTransport } from '../../raft/grpc-transport.js';
import { encodeFrame } from '../../raft/message-codec.js';
import type { TransportHandler } from '../../raft/transport.js';
import { message, MessageType } from '../../raft/types.js';
import type { Message } from '../../raft/types.js';
import { freePorts } from './fixtures/process-cluster.js';

class Collector implements TransportHandler {
  readonly received: Message[] = [];
  readonly snapshotReports: Array<[number, boolean]> = [];
  receive(m: Message): void {
    this.received.push(m);
  }
  reportUnreachable(): void {}
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

function rawStream(address: string, secret: string): grpc.ClientWritableStream<Buffer> {
  const passthrough = (b: Buffer): Buffer => b;
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('x-raft-secret', secret);
  return client.makeClientStreamRequest('/rootcoord.raft.RaftTransport/Stream', passthrough, passthrough, metadata, () => client.close());
}

describe('GrpcTransport', function () {
  this.timeout(30_000);
  const transports: GrpcTransport[] = [];
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close()));
  });

  async function pair(): Promise<{ a: GrpcTransport; b: GrpcTransport; atB: Collector; atA: Collector; addressB: string; warnings: string[] }> {
    const [portA, portB] = await freePorts(2);
    const peers = new Map([[1, `127.0.0.1:${portA as number}`], [2, `127.0.0.1:${portB as number}`]]);
    const warnings: string[] = [];
    const a = new GrpcTransport({ id: 1, listenAddress: peers.get(1) as string, peers, secret: 's3cret', snapshotChunkBytes: 1000 });
    const b = new GrpcTransport({ id: 2, listenAddress: peers.get(2) as string, peers, secret: 's3cret', log: (_l, m) => warnings.push(m) });
    transports.push(a, b);
    const atA = new Collector();
    const atB = new Collector();
    await a.start(atA);
    await b.start(atB);
    return { a, b, atA, atB, addressB: peers.get(2) as string, warnings };
  }

  it('delivers batches of messages in order over one stream', async () => {
    const { a, atB } = await pair();
    const sent = Array.from({ length: 500 }, (_, i) => message({ type: MessageType.App, from: 1, to: 2, term: 3, index: i, entries: [{ term: 3, index: i + 1, type: 0, data: new Uint8Array([i % 256]) }] }));
    a.send(sent);
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

  it('drops malformed frames and frames from non-members, and keeps serving', async () => {
    const { a, atB, addressB, warnings } = await pair();
    const stream = rawStream(addressB, 's3cret');
    stream.write(Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02]));
    stream.write(Buffer.from(encodeFrame(9, [message({ type: MessageType.App, from: 9, to: 2, term: 1 })], null)));
    stream.write(Buffer.from(encodeFrame(1, [message({ type: MessageType.Hup, from: 1, to: 2 })], null)));
    await until(() => warnings.length >= 3);
    a.send([message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 1 })]);
    await until(() => atB.received.length === 1);
    expect(atB.received[0]?.type).to.equal(MessageType.Heartbeat);
    expect(warnings.join('\n')).to.match(/malformed/).and.match(/not a peer/);
    stream.end();
  });

  it('refuses a stream without the cluster secret', async () => {
    const { atB, addressB, warnings } = await pair();
    const stream = rawStream(addressB, 'wrong');
    stream.on('error', () => {});
    stream.write(Buffer.from(encodeFrame(1, [message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 1 })], null)));
    await until(() => warnings.some((w) => w.includes('secret')));
    expect(atB.received).to.deep.equal([]);
  });
});
