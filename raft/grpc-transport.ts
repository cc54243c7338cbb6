import * as grpc from '@grpc/grpc-js';
import { timingSafeEqual } from 'node:crypto';
import { decodeFrame, encodeFrame, MalformedMessageError } from './message-codec.js';
import type { WireFrame } from './message-codec.js';
import type { Transport, TransportHandler } from './transport.js';
import { entriesBytes } from './types.js';
import type { Message } from './types.js';

export interface GrpcTransportOptions {
  readonly id: number;
  /** host:port this node listens on for peers. */
  readonly listenAddress: string;
  readonly peers: ReadonlyMap<number, string>;
  /** Shared cluster secret; a stream that does not present it is refused. Empty: no check. */
  readonly secret?: string;
  readonly queueMessagesMax?: number;
  readonly frameBytesMax?: number;
  readonly snapshotChunkBytes?: number;
  readonly snapshotBytesMax?: number;
  readonly reconnectDelayMsMax?: number;
  readonly log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
  /** Allow fault injection (chaos testing only): see `setFaults`. */
  readonly faultInjection?: boolean;
}

/** Injected network faults: messages to or from these peers vanish; others are delayed. */
export interface TransportFaults {
  readonly dropTo: readonly number[];
  readonly dropFrom: readonly number[];
  readonly delayMs: number;
}

const SECRET_HEADER = 'x-raft-secret';
const passthrough = (b: Buffer): Buffer => b;
const serviceDefinition: grpc.ServiceDefinition = {
  stream: {
    path: '/rootcoord.raft.RaftTransport/Stream',
    requestStream: true,
    responseStream: false,
    requestSerialize: passthrough,
    requestDeserialize: passthrough,
    responseSerialize: passthrough,
    responseDeserialize: passthrough,
  },
};
const StreamClient = grpc.makeGenericClientConstructor(serviceDefinition, 'RaftTransport');

/** Sends to one peer over one long-lived client stream, batching whatever is queued into frames. */
class PeerSender {
  private queue: Message[] = [];
  private stream: grpc.ClientWritableStream<Buffer> | null = null;
  private client: grpc.Client | null = null;
  private flushScheduled = false;
  private writable = true;
  private reconnectAtMs = 0;
  private reconnectDelayMs = 50;
  private closed = false;

  constructor(
    readonly peerId: number,
    readonly address: string,
    private readonly transport: GrpcTransport,
  ) {}

  enqueue(m: Message): void {
    if (this.queue.length >= this.transport.queueMessagesMax) {
      this.transport.dropped(this.peerId, m, 'queue full');
      return;
    }
    this.queue.push(m);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.closed) return;
    this.flushScheduled = true;
    // A microtask, not the next event-loop turn: the Ready loop hands over all of a Ready's messages
    // in one synchronous call, so they still leave as one frame, and sooner.
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private connect(): grpc.ClientWritableStream<Buffer> | null {
    if (this.stream !== null) return this.stream;
    if (Date.now() < this.reconnectAtMs) return null;
    this.client ??= new StreamClient(this.address, grpc.credentials.createInsecure(), {
      'grpc.max_send_message_length': 256 * 1024 * 1024,
      'grpc.keepalive_time_ms': 10_000,
    });
    const metadata = new grpc.Metadata();
    metadata.set(SECRET_HEADER, this.transport.secret);
    const stream = this.client.makeClientStreamRequest<Buffer, Buffer>(serviceDefinition['stream']?.path as string, passthrough, passthrough, metadata, () => {
      this.onBroken(stream);
    });
    stream.on('error', () => this.onBroken(stream));
    this.stream = stream;
    this.writable = true;
    return stream;
  }

  private onBroken(stream: grpc.ClientWritableStream<Buffer>): void {
    if (this.stream !== stream) return;
    this.stream = null;
    this.reconnectAtMs = Date.now() + this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, this.transport.reconnectDelayMsMax);
    this.transport.handler?.reportUnreachable(this.peerId);
    if (this.queue.length > 0) setTimeout(() => this.scheduleFlush(), this.reconnectDelayMs).unref();
  }

  private flush(): void {
    if (this.queue.length === 0 || !this.writable || this.closed) return;
    const stream = this.connect();
    if (stream === null) {
      for (const m of this.queue) this.transport.dropped(this.peerId, m, 'peer unreachable');
      this.queue = [];
      return;
    }
    while (this.queue.length > 0 && this.writable) {
      const first = this.queue[0] as Message;
      if (first.snapshot !== null) {
        this.queue.shift();
        this.writable = this.sendSnapshot(stream, first);
        continue;
      }
      const batch: Message[] = [];
      let bytes = 0;
      while (this.queue.length > 0 && (this.queue[0] as Message).snapshot === null && (batch.length === 0 || bytes < this.transport.frameBytesMax)) {
        const m = this.queue.shift() as Message;
        bytes += 64 + entriesBytes(m.entries);
        batch.push(m);
      }
      this.writable = stream.write(Buffer.from(encodeFrame(this.transport.id, batch, null)));
    }
    if (!this.writable) {
      stream.once('drain', () => {
        this.writable = true;
        this.reconnectDelayMs = 50;
        this.flush();
      });
    }
  }

  /** Stream a snapshot in chunks; the stream's own flow control paces them. */
  private sendSnapshot(stream: grpc.ClientWritableStream<Buffer>, m: Message): boolean {
    const snapshot = m.snapshot;
    if (snapshot === null) return true;
    const data = snapshot.data;
    const chunkBytes = this.transport.snapshotChunkBytes;
    let ok = true;
    for (let offset = 0; offset === 0 || offset < data.byteLength; offset += chunkBytes) {
      const piece = data.subarray(offset, Math.min(offset + chunkBytes, data.byteLength));
      const isLast = offset + chunkBytes >= data.byteLength;
      ok = stream.write(Buffer.from(encodeFrame(this.transport.id, [], { message: m, offset, totalBytes: data.byteLength, data: piece })), (error?: Error | null) => {
        if (isLast) this.transport.handler?.reportSnapshot(this.peerId, error === undefined || error === null);
      });
      if (data.byteLength === 0) break;
    }
    return ok;
  }

  close(): void {
    this.closed = true;
    this.stream?.end();
    this.client?.close();
    this.stream = null;
    this.client = null;
    this.queue = [];
  }
}

interface SnapshotAssembly {
  readonly message: Message;
  readonly chunks: Uint8Array[];
  received: number;
}

/**
 * The gRPC peer transport: one long-lived client stream per peer carrying batches of messages, bounded
 * per-peer queues, reconnect with backoff and chunked snapshots. Malformed frames, oversize snapshots
 * and traffic from non-members are dropped and logged, never a crash.
 */
export class GrpcTransport implements Transport {
  readonly id: number;
  readonly secret: string;
  readonly queueMessagesMax: number;
  readonly frameBytesMax: number;
  readonly snapshotChunkBytes: number;
  readonly reconnectDelayMsMax: number;
  private readonly snapshotBytesMax: number;
  handler: TransportHandler | null = null;
  private readonly senders = new Map<number, PeerSender>();
  private readonly server = new grpc.Server({ 'grpc.max_receive_message_length': 256 * 1024 * 1024 });
  private readonly log: NonNullable<GrpcTransportOptions['log']>;
  droppedCount = 0;
  private faults: { dropTo: Set<number>; dropFrom: Set<number>; delayMs: number } | null = null;

  constructor(private readonly options: GrpcTransportOptions) {
    this.id = options.id;
    this.secret = options.secret ?? '';
    this.queueMessagesMax = options.queueMessagesMax ?? 10_000;
    this.frameBytesMax = options.frameBytesMax ?? 4 * 1024 * 1024;
    this.snapshotChunkBytes = options.snapshotChunkBytes ?? 1024 * 1024;
    this.snapshotBytesMax = options.snapshotBytesMax ?? 4 * 1024 * 1024 * 1024;
    this.reconnectDelayMsMax = options.reconnectDelayMsMax ?? 1000;
    this.log = options.log ?? (() => {});
    for (const [id, address] of options.peers) if (id !== this.id) this.addPeer(id, address);
  }

  async start(handler: TransportHandler): Promise<void> {
    this.handler = handler;
    this.server.addService(serviceDefinition, { stream: (call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => this.acceptStream(call, callback) });
    await new Promise<void>((resolve, reject) => {
      this.server.bindAsync(this.options.listenAddress, grpc.ServerCredentials.createInsecure(), (error) => (error === null ? resolve() : reject(error)));
    });
  }

  private acceptStream(call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>): void {
    const presented = String(call.metadata.get(SECRET_HEADER)[0] ?? '');
    if (this.secret !== '' && !(presented.length === this.secret.length && timingSafeEqual(Buffer.from(presented), Buffer.from(this.secret)))) {
      this.log('warn', 'refused a raft stream without the cluster secret', { peer: call.getPeer() });
      callback({ code: grpc.status.UNAUTHENTICATED, details: 'bad cluster secret' });
      return;
    }
    const assemblies = new Map<number, SnapshotAssembly>();
    call.on('data', (bytes: Buffer) => this.receiveFrame(bytes, assemblies));
    call.on('end', () => callback(null, Buffer.alloc(0)));
    call.on('error', () => {});
  }

  private receiveFrame(bytes: Buffer, assemblies: Map<number, SnapshotAssembly>): void {
    let frame: WireFrame;
    try {
      frame = decodeFrame(bytes);
    } catch (error) {
      if (!(error instanceof MalformedMessageError)) throw error;
      this.log('warn', 'dropped a malformed raft frame', { error: error.message, bytes: bytes.byteLength });
      return;
    }
    if (!this.senders.has(frame.from)) {
      this.log('warn', 'dropped a raft frame from a node that is not a peer', { from: frame.from });
      return;
    }
    for (const m of frame.messages) this.deliver(frame.from, m);
    if (frame.snapshotChunk !== null) this.receiveChunk(frame.from, frame.snapshotChunk, assemblies);
  }

  private deliver(from: number, m: Message): void {
    if (this.faults?.dropFrom.has(from) === true) return;
    if (m.to !== this.id || m.from !== from) {
      this.log('warn', 'dropped a raft message with a wrong address', { from, messageFrom: m.from, to: m.to });
      return;
    }
    this.handler?.receive(m);
  }

  private receiveChunk(from: number, chunk: NonNullable<WireFrame['snapshotChunk']>, assemblies: Map<number, SnapshotAssembly>): void {
    if (chunk.totalBytes > this.snapshotBytesMax) {
      this.log('warn', 'dropped an oversize snapshot', { from, bytes: chunk.totalBytes });
      return;
    }
    let assembly = assemblies.get(from);
    if (chunk.offset === 0) {
      assembly = { message: chunk.message, chunks: [], received: 0 };
      assemblies.set(from, assembly);
    }
    if (assembly === undefined || chunk.offset !== assembly.received) {
      this.log('warn', 'dropped an out-of-order snapshot chunk', { from, offset: chunk.offset });
      assemblies.delete(from);
      return;
    }
    assembly.chunks.push(chunk.data);
    assembly.received += chunk.data.byteLength;
    if (assembly.received < chunk.totalBytes) return;
    assemblies.delete(from);
    const data = Buffer.concat(assembly.chunks);
    const snapshot = assembly.message.snapshot;
    if (snapshot === null) return;
    this.deliver(from, { ...assembly.message, snapshot: { metadata: snapshot.metadata, data: new Uint8Array(data) } });
  }

  /** Inject faults (only when constructed with faultInjection); an empty plan heals. */
  setFaults(faults: TransportFaults): void {
    if (this.options.faultInjection !== true) throw new Error('fault injection is not enabled on this transport');
    this.faults = { dropTo: new Set(faults.dropTo), dropFrom: new Set(faults.dropFrom), delayMs: faults.delayMs };
    this.log('warn', 'transport faults injected', { dropTo: faults.dropTo, dropFrom: faults.dropFrom, delayMs: faults.delayMs });
  }

  send(messages: readonly Message[]): void {
    const faults = this.faults;
    if (faults !== null && (faults.dropTo.size > 0 || faults.delayMs > 0)) {
      const kept = messages.filter((m) => !faults.dropTo.has(m.to));
      if (faults.delayMs > 0) setTimeout(() => this.sendNow(kept), faults.delayMs);
      else this.sendNow(kept);
      return;
    }
    this.sendNow(messages);
  }

  private sendNow(messages: readonly Message[]): void {
    for (const m of messages) {
      const sender = this.senders.get(m.to);
      if (sender === undefined) {
        this.dropped(m.to, m, 'unknown peer');
        continue;
      }
      sender.enqueue(m);
    }
  }

  dropped(peerId: number, m: Message, reason: string): void {
    this.droppedCount++;
    if (m.snapshot !== null) this.handler?.reportSnapshot(peerId, false);
    this.handler?.reportUnreachable(peerId);
    if (this.droppedCount % 1000 === 1) this.log('warn', 'dropping raft messages', { peer: peerId, reason, dropped: this.droppedCount });
  }

  addPeer(id: number, address: string): void {
    if (id === this.id) return;
    const existing = this.senders.get(id);
    if (existing !== undefined && existing.address === address) return;
    existing?.close();
    this.senders.set(id, new PeerSender(id, address, this));
  }

  removePeer(id: number): void {
    this.senders.get(id)?.close();
    this.senders.delete(id);
  }

  async close(): Promise<void> {
    for (const sender of this.senders.values()) sender.close();
    this.senders.clear();
    // Peers hold long-lived streams open to us; waiting for them to end would wait for the peers.
    this.server.forceShutdown();
  }
}
