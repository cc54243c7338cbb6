import { createHash, timingSafeEqual } from 'node:crypto';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import { decodeFrame, encodeFrame, MalformedMessageError } from './message-codec.js';
import type { WireFrame } from './message-codec.js';
import { nodeFileSystem } from './file-system.js';
import type { FileSystem } from './file-system.js';
import { SnapshotFile, snapshotPieces } from './snapshot-data.js';
import type { SnapshotData } from './snapshot-data.js';
import { SnapshotReceiver } from './snapshot-receiver.js';
import type { Transport, TransportHandler } from './transport.js';
import { entriesBytes, MessageType } from './types.js';
import type { Message } from './types.js';

export interface TcpTransportOptions {
  readonly id: number;
  /** host:port this node listens on for peers. */
  readonly listenAddress: string;
  readonly peers: ReadonlyMap<number, string>;
  /** Shared cluster secret; a connection that does not present it is refused. Empty: no check. */
  readonly secret?: string;
  readonly queueMessagesMax?: number;
  readonly frameBytesMax?: number;
  readonly snapshotChunkBytes?: number;
  /**
   * Appends to a peer at most this often while the peer has not answered an append since the last
   * frame of appends was written (ms; 0, the default: every message as soon as there is one, and
   * commitUpdateWaitMs unused). Under load the leader sends a frame per Ready, a thousand a second per
   * peer, and on loopback each socket write costs about 0.1 ms of this thread; waiting out the
   * interval gathers several Readys' appends into one frame. An append to a peer that has answered
   * since (a single client's next write) goes at once, as does one after a quiet spell; heartbeats,
   * votes, read indexes and snapshots never wait. Any answer counts, also one to an earlier frame:
   * a heuristic for batching, nothing depends on it for correctness.
   */
  readonly frameIntervalMs?: number;
  /**
   * A frame of commit updates alone (appends without entries) waits until this long after the last
   * frame (default: frameIntervalMs); whatever frame goes first (the next append, a heartbeat) takes
   * them along. A host that sends heartbeats sets its heartbeat interval: the followers then learn a
   * commit from the next append or heartbeat, and no frame goes only to tell them.
   */
  readonly commitUpdateWaitMs?: number;
  readonly snapshotBytesMax?: number;
  /**
   * Where a snapshot being received that is larger than `snapshotInMemoryBytesMax` (1 MiB) is written as
   * it arrives (the node's log directory); absent: every snapshot is assembled in memory.
   */
  readonly snapshotDir?: string;
  readonly snapshotInMemoryBytesMax?: number;
  /** The file system under `snapshotDir` (the real disk by default). */
  readonly fs?: FileSystem;
  readonly reconnectDelayMsMax?: number;
  /** A connection that has not presented an accepted hello this long after it opened is closed (5 s). */
  readonly helloTimeoutMs?: number;
  /**
   * At most this many connections wait for their hello at once (16); a new one closes the oldest. With
   * one connection per member (a member's new connection replaces its old one), the peer port holds at
   * most this many plus the number of members, however many connections anyone opens.
   */
  readonly pendingHellosMax?: number;
  readonly log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
  /**
   * The protocol name in every connection's hello (the host's, with a version, e.g. "myapp-raft/1"): a
   * connection presenting another is refused, so clusters of different products never talk.
   */
  readonly helloMagic: string;
  /** Wall time and timers (default: the process's). */
  readonly clock?: Clock;
}

/** A connection opened to announce a starting node is given up after this long without connecting. */
const ANNOUNCE_TIMEOUT_MS = 1000;
/** How long a probe that connected stays open to see whether the peer resets it (a dying process). */
const PROBE_HOLD_MS = 200;
const PROBE_RETRY_MS = 5;
const PROBE_ATTEMPTS = 5;
/** The largest hello a connection may send. */
const HELLO_BYTES_MAX = 4096;
/** TCP keepalive on every peer connection, so a peer that vanished without a reset is noticed. */
const KEEPALIVE_MS = 10_000;
const HEADER_BYTES = 4;
/**
 * The largest frame a member may send: one message is never split, and one entry may be as large as the
 * uncommitted-log limit lets a proposal be (64 MiB by default). A connection gets this limit only after
 * its hello is accepted.
 */
const FRAME_BYTES_LIMIT = 256 * 1024 * 1024;

/** `[u32 big-endian length][payload]`. */
export function framed(payload: Uint8Array): Buffer[] {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32BE(payload.byteLength, 0);
  return [header, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)];
}

/** The first frame on every connection: the protocol's name (helloMagic), who dials, and the cluster secret. */
export function helloFrame(magic: string, from: number, secret: string): Buffer {
  return Buffer.concat(framed(Buffer.from(JSON.stringify({ magic, from, secret }))));
}

/** Write one frame (header and payload in one system call); false when the socket's buffer is full. */
function writeFrame(socket: Socket, payload: Uint8Array, done?: (error?: Error | null) => void): boolean {
  const [header, body] = framed(payload) as [Buffer, Buffer];
  socket.cork();
  socket.write(header);
  const ok = done === undefined ? socket.write(body) : socket.write(body, done);
  socket.uncork();
  return ok;
}

/**
 * Compare secrets in time independent of where they differ: digests have one length whatever the input
 * (timingSafeEqual throws on buffers of different lengths, and characters are not bytes).
 */
function secretsEqual(presented: string, secret: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(secret));
}

/** A connection refused: every address tried refused it (Node's happy eyeballs may try several). */
function isRefused(error: Error): boolean {
  if (error instanceof AggregateError) return error.errors.length > 0 && error.errors.every((e: unknown) => e instanceof Error && isRefused(e));
  return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
}

function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(address.slice(at + 1)) };
}

/**
 * Cuts a byte stream into length-prefixed frames. Pieces are kept until a frame is complete, so a
 * large frame arriving in many reads is copied once, not once per read.
 */
export class FrameReader {
  private pieces: Buffer[] = [];
  private buffered = 0;
  private frameBytes = -1;

  constructor(
    /** Frames announcing more are refused; may be raised once the peer is known. */
    public frameBytesMax: number,
    private readonly onFrame: (payload: Buffer) => void,
  ) {}

  /** False if the stream announced a frame over the limit: the caller should drop the connection. */
  push(chunk: Buffer): boolean {
    this.pieces.push(chunk);
    this.buffered += chunk.byteLength;
    for (;;) {
      if (this.frameBytes < 0) {
        if (this.buffered < HEADER_BYTES) return true;
        const head = (this.pieces[0] as Buffer).byteLength >= HEADER_BYTES ? (this.pieces[0] as Buffer) : this.joined();
        const length = head.readUInt32BE(0);
        if (length > this.frameBytesMax) return false;
        this.frameBytes = HEADER_BYTES + length;
      }
      if (this.buffered < this.frameBytes) return true;
      const all = this.joined();
      const end = this.frameBytes;
      this.frameBytes = -1;
      const rest = all.subarray(end);
      this.pieces = rest.byteLength > 0 ? [rest] : [];
      this.buffered = rest.byteLength;
      this.onFrame(all.subarray(HEADER_BYTES, end));
    }
  }

  private joined(): Buffer {
    if (this.pieces.length > 1) this.pieces = [Buffer.concat(this.pieces, this.buffered)];
    return this.pieces[0] as Buffer;
  }
}

/** Sends to one peer over one long-lived connection, batching whatever is queued into frames. */
class PeerSender {
  private queue: Message[] = [];
  private socket: Socket | null = null;
  private flushScheduled = false;
  private writable = true;
  private reconnectAtMs = 0;
  private reconnectDelayMs = 50;
  private closed = false;
  /** The connection dial() opened, until it connects (messages wait for it). */
  private announcing: Socket | null = null;
  /** The snapshot being sent and the offset of its next chunk (being read from its file); messages queued after it wait. */
  private snapshotSend: SnapshotSend | null = null;
  /** When the last frame of messages, and the last one with entries, was written (monotonic ms). */
  private lastFrameAtMs = -Infinity;
  private lastEntriesFrameAtMs = -Infinity;
  /** A frame with entries was written and the peer has not answered an append (any) since. */
  private entriesUnanswered = false;
  /** Set while appends or commit updates wait (frameIntervalMs, commitUpdateWaitMs), with when it fires. */
  private flushTimer: ReturnType<Clock['setTimeout']> | null = null;
  private flushDueAtMs = Infinity;
  /**
   * Whether the queue holds a message that must not wait (not an append), and appends with entries:
   * kept as messages are queued, until the queue empties, so that each message costs O(1) to queue.
   */
  private queuedUrgent = false;
  private queuedEntries = false;

  constructor(
    readonly peerId: number,
    readonly address: string,
    private readonly transport: TcpTransport,
  ) {}

  enqueue(m: Message): void {
    if (this.queue.length >= this.transport.queueMessagesMax) {
      this.transport.dropped(this.peerId, m, 'queue full');
      return;
    }
    this.queue.push(m);
    if (m.type !== MessageType.App || m.snapshot !== null) this.queuedUrgent = true;
    else if (m.entries.length > 0) this.queuedEntries = true;
    this.scheduleFlush();
  }

  /** The queue was emptied (sent, dropped): nothing in it waits or hurries. */
  private emptied(): void {
    this.queue = [];
    this.queuedUrgent = false;
    this.queuedEntries = false;
  }

  private scheduleFlush(): void {
    if (this.closed || (this.queue.length === 0 && this.snapshotSend === null)) return;
    const wait = this.flushWaitMs();
    if (wait > 0) {
      // Appends and commit updates that may wait: gathered until the interval is over. An append
      // queued behind a commit update's longer wait brings the timer forward.
      const dueAtMs = this.transport.clock.monotonicMs() + wait;
      if (!this.flushScheduled && dueAtMs < this.flushDueAtMs) {
        if (this.flushTimer !== null) this.transport.clock.clearTimeout(this.flushTimer);
        this.flushDueAtMs = dueAtMs;
        this.flushTimer = this.transport.clock.setTimeout(() => {
          this.flushTimer = null;
          this.flushDueAtMs = Infinity;
          this.scheduleFlush();
        }, wait);
      }
      return;
    }
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // A microtask, not the next event-loop turn: the Ready loop hands over all of a Ready's messages
    // in one synchronous call, so they still leave as one frame, and sooner.
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /**
   * How long the queued messages may wait (0: send now). With frameIntervalMs, appends wait until that
   * long after the last frame that carried entries if the peer has not answered it yet, and a frame of
   * commit updates alone until commitUpdateWaitMs after the last frame; anything else (a heartbeat, a
   * vote, a read index, a snapshot) goes at once.
   */
  private flushWaitMs(): number {
    const { frameIntervalMs, commitUpdateWaitMs } = this.transport;
    if (frameIntervalMs <= 0 || this.snapshotSend !== null || this.queuedUrgent) return 0;
    if (!this.queuedEntries) return this.lastFrameAtMs + commitUpdateWaitMs - this.transport.clock.monotonicMs();
    if (!this.entriesUnanswered) return 0;
    return this.lastEntriesFrameAtMs + frameIntervalMs - this.transport.clock.monotonicMs();
  }

  /** The peer answered an append: the next appends need not wait for an earlier frame's. */
  appendAnswered(): void {
    this.entriesUnanswered = false;
  }

  /**
   * The peer is back (it connected to us): dial it at the next message instead of waiting out the
   * backoff its absence built up (up to reconnectDelayMsMax), so a restarted member hears its leader
   * at the next heartbeat.
   */
  peerIsBack(): void {
    if (this.closed || this.socket !== null) return;
    this.reconnectAtMs = 0;
    this.reconnectDelayMs = 50;
    if (this.queue.length > 0) this.scheduleFlush();
  }

  /**
   * Open the connection now if it is not open (a node starting tells its peers it is back). A peer
   * that is down is not held against it: the next message dials again at once.
   */
  dial(): void {
    if (this.closed || this.socket !== null) return;
    const socket = this.connect();
    this.announcing = socket;
    // A peer whose host does not answer at all must not hold the messages for a TCP connect timeout.
    this.transport.clock
      .setTimeout(() => {
        if (this.announcing === socket) socket?.destroy();
      }, ANNOUNCE_TIMEOUT_MS)
      .unref();
  }

  private connect(): Socket | null {
    if (this.socket !== null) return this.socket;
    if (this.transport.clock.wallMs() < this.reconnectAtMs) return null;
    const { host, port } = splitAddress(this.address);
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_MS);
    socket.on('connect', () => {
      this.reconnectDelayMs = 50;
      if (this.announcing === socket) {
        this.announcing = null;
        this.flush();
      }
    });
    socket.on('drain', () => {
      if (this.socket !== socket) return;
      this.writable = true;
      this.flush();
    });
    socket.on('error', (error) => {
      const refused = isRefused(error);
      if (refused) this.transport.peerRefused(this.peerId, this.address);
      this.onBroken(socket, refused);
    });
    socket.on('close', () => this.onBroken(socket));
    // The peer never writes on this connection; reading keeps a half-closed socket from lingering.
    socket.resume();
    socket.write(helloFrame(this.transport.helloMagic, this.transport.id, this.transport.secret));
    this.socket = socket;
    this.writable = true;
    return socket;
  }

  /** `refused`: the connection was refused (already reported): no need to probe the peer. */
  private onBroken(socket: Socket, refused = false): void {
    if (this.socket !== socket) return;
    this.socket = null;
    // A connection broken while waiting for 'drain' never drains: the next one starts writable, or
    // flush would wait for it forever and never dial again.
    this.writable = true;
    socket.destroy();
    this.abandonSnapshot();
    if (this.announcing === socket) {
      // Only announcing ourselves: no backoff for a peer that may simply not be up yet.
      this.announcing = null;
      if (this.queue.length > 0) this.scheduleFlush();
      return;
    }
    this.reconnectAtMs = this.transport.clock.wallMs() + this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, this.transport.reconnectDelayMsMax);
    this.transport.handler?.reportUnreachable(this.peerId);
    if (!refused) this.transport.probe(this.peerId, this.address);
    if (this.queue.length > 0 && !this.closed) this.transport.clock.setTimeout(() => this.scheduleFlush(), this.reconnectDelayMs).unref();
  }

  private flush(): void {
    if ((this.queue.length === 0 && this.snapshotSend === null) || !this.writable || this.closed) return;
    // Messages wait for an announcing connection to connect: if it fails, they go on the next one.
    if (this.announcing !== null) return;
    const socket = this.connect();
    if (socket === null) {
      for (const m of this.queue) this.transport.dropped(this.peerId, m, 'peer unreachable');
      this.emptied();
      return;
    }
    while ((this.queue.length > 0 || this.snapshotSend !== null) && this.writable) {
      if (this.snapshotSend !== null) {
        const send = this.snapshotSend;
        const data = snapshotDataOf(send.message);
        if (data instanceof SnapshotFile) {
          // The chunk is read from disk, then written; the read's completion goes on flushing.
          this.readSnapshotChunk(socket, send, data);
          return;
        }
        this.writable = this.sendSnapshotChunk(socket, send, data.subarray(send.offset, Math.min(send.offset + this.transport.snapshotChunkBytes, data.byteLength)));
        continue;
      }
      const first = this.queue[0] as Message;
      if (first.snapshot !== null) {
        this.queue.shift();
        this.snapshotSend = { message: first, offset: 0, reading: false, pieces: null };
        continue;
      }
      const batch: Message[] = [];
      let bytes = 0;
      while (this.queue.length > 0 && (this.queue[0] as Message).snapshot === null && (batch.length === 0 || bytes < this.transport.frameBytesMax)) {
        const m = this.queue.shift() as Message;
        bytes += 64 + entriesBytes(m.entries);
        batch.push(m);
      }
      this.writable = writeFrame(socket, encodeFrame(this.transport.id, batch, null));
      this.lastFrameAtMs = this.transport.clock.monotonicMs();
      if (batch.some((m) => m.entries.length > 0)) {
        this.lastEntriesFrameAtMs = this.lastFrameAtMs;
        this.entriesUnanswered = true;
      }
    }
    if (this.queue.length === 0) this.emptied();
  }

  /** Read the next chunk of a snapshot kept in a file, then send it and go on flushing. */
  private readSnapshotChunk(socket: Socket, send: SnapshotSend, data: SnapshotFile): void {
    if (send.reading) return;
    send.reading = true;
    // One read of the file for the whole send (compaction may remove the file meanwhile), checked as
    // it goes: the last chunk comes only once the whole checks out, so a file the disk changed is not sent.
    send.pieces ??= snapshotPieces(data, this.transport.snapshotChunkBytes);
    send.pieces.next().then(
      (next) => {
        send.reading = false;
        // Abandoned meanwhile (the connection broke, the sender closed): nothing to send.
        if (this.snapshotSend !== send || this.socket !== socket || this.closed) return;
        // Only an empty file ends before a chunk was sent: it goes as one empty chunk.
        this.writable = this.sendSnapshotChunk(socket, send, next.done === true ? new Uint8Array(0) : next.value);
        this.flush();
      },
    ).catch((error: unknown) => {
      send.reading = false;
      if (this.snapshotSend !== send) return;
      this.transport.log('warn', 'could not read a snapshot to send; it is abandoned', { peer: this.peerId, error: String(error) });
      this.abandonSnapshot();
      try {
        this.flush();
      } catch (flushError) {
        this.transport.log('warn', 'could not go on sending to a peer', { peer: this.peerId, error: String(flushError) });
      }
    });
  }

  /**
   * Write the next chunk of the snapshot being sent; false when the socket's buffer is full. The next
   * chunk is written only after 'drain', so a snapshot of any size holds about one chunk in memory here.
   */
  private sendSnapshotChunk(socket: Socket, send: SnapshotSend, piece: Uint8Array): boolean {
    const m = send.message;
    const totalBytes = snapshotDataOf(m).byteLength;
    const offset = send.offset;
    send.offset = offset + piece.byteLength;
    const isLast = send.offset >= totalBytes;
    if (isLast) {
      this.snapshotSend = null;
      stopReading(send);
    }
    const frame = encodeFrame(this.transport.id, [], { message: m, offset, totalBytes, data: piece });
    return writeFrame(socket, frame, (error) => {
      if (isLast) this.transport.handler?.reportSnapshot(this.peerId, error === undefined || error === null);
    });
  }

  /** The connection broke or closed while a snapshot was being sent: its remaining chunks never will be. */
  private abandonSnapshot(): void {
    if (this.snapshotSend === null) return;
    stopReading(this.snapshotSend);
    this.snapshotSend = null;
    this.transport.handler?.reportSnapshot(this.peerId, false);
  }

  /** Bytes handed to the connection that the kernel has not taken yet. */
  bufferedBytes(): number {
    return this.socket?.writableLength ?? 0;
  }

  /**
   * Close, but first send what is queued if it is only small messages without entries (commit updates,
   * a heartbeat) on an open connection: a member being removed learns that its removal committed
   * (held with the commit updates, it would otherwise go on campaigning until it is stopped).
   */
  closeAfterSmallMessages(): void {
    const socket = this.socket;
    if (socket !== null && this.announcing === null && this.writable && this.snapshotSend === null && this.queue.length > 0 && this.queue.every((m) => m.entries.length === 0 && m.snapshot === null)) {
      writeFrame(socket, encodeFrame(this.transport.id, this.queue, null));
      this.emptied();
      this.socket = null;
      socket.end();
      this.transport.clock.setTimeout(() => socket.destroy(), ANNOUNCE_TIMEOUT_MS).unref();
    }
    this.close();
  }

  close(): void {
    this.closed = true;
    if (this.flushTimer !== null) this.transport.clock.clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.flushDueAtMs = Infinity;
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    this.abandonSnapshot();
    this.emptied();
  }
}

/** A snapshot being sent: the offset of its next chunk, and (kept in a file) its file, open while it is read. */
interface SnapshotSend {
  readonly message: Message;
  offset: number;
  reading: boolean;
  /** The chunks of a snapshot kept in a file, read as they are sent (its file open until they end or stop). */
  pieces: AsyncGenerator<Uint8Array> | null;
}

/** Close the snapshot's file (at once, or after the read under way). */
function stopReading(send: SnapshotSend): void {
  send.pieces?.return(undefined).catch(() => undefined);
  send.pieces = null;
}

function snapshotDataOf(m: Message): SnapshotData {
  return (m.snapshot as NonNullable<Message['snapshot']>).data;
}

/**
 * The peer transport: one long-lived TCP connection per peer and direction, carrying length-prefixed
 * batches of messages (`proto/raft.proto` frames), bounded per-peer queues, reconnect with backoff and
 * chunked snapshots. A connection starts with a hello naming the sender and presenting the cluster
 * secret. Malformed or oversize frames, oversize snapshots and traffic from non-members are dropped and
 * logged, never a crash. (A gRPC stream did the same job at about 1.6x the CPU per message here.)
 */
export class TcpTransport implements Transport {
  readonly id: number;
  readonly secret: string;
  readonly queueMessagesMax: number;
  readonly frameBytesMax: number;
  readonly snapshotChunkBytes: number;
  readonly frameIntervalMs: number;
  readonly commitUpdateWaitMs: number;
  readonly reconnectDelayMsMax: number;
  readonly helloMagic: string;
  readonly clock: Clock;
  private readonly snapshotBytesMax: number;
  handler: TransportHandler | null = null;
  private readonly senders = new Map<number, PeerSender>();
  private readonly inbound = new Set<Socket>();
  /** Inbound connections waiting for their hello, oldest first. */
  private readonly pendingHellos = new Set<Socket>();
  /** The accepted inbound connection of each member. */
  private readonly memberConnections = new Map<number, Socket>();
  /** Peers being probed (probe), with the probe's connection: one at a time each. */
  private readonly probing = new Map<number, Socket>();
  private readonly helloTimeoutMs: number;
  private readonly pendingHellosMax: number;
  private evictedCount = 0;
  private server: Server | null = null;
  readonly log: NonNullable<TcpTransportOptions['log']>;
  private readonly snapshots: SnapshotReceiver;
  droppedCount = 0;

  constructor(private readonly options: TcpTransportOptions) {
    this.id = options.id;
    this.secret = options.secret ?? '';
    this.queueMessagesMax = options.queueMessagesMax ?? 10_000;
    this.frameBytesMax = options.frameBytesMax ?? 4 * 1024 * 1024;
    this.snapshotChunkBytes = options.snapshotChunkBytes ?? 1024 * 1024;
    this.frameIntervalMs = options.frameIntervalMs ?? 0;
    this.commitUpdateWaitMs = options.commitUpdateWaitMs ?? this.frameIntervalMs;
    this.snapshotBytesMax = options.snapshotBytesMax ?? 4 * 1024 * 1024 * 1024;
    this.reconnectDelayMsMax = options.reconnectDelayMsMax ?? 1000;
    this.helloTimeoutMs = options.helloTimeoutMs ?? 5000;
    this.pendingHellosMax = options.pendingHellosMax ?? 16;
    this.log = options.log ?? (() => {});
    this.helloMagic = options.helloMagic;
    this.clock = options.clock ?? systemClock;
    this.snapshots = new SnapshotReceiver({
      dir: options.snapshotDir ?? null,
      fs: options.fs ?? nodeFileSystem,
      inMemoryBytesMax: options.snapshotInMemoryBytesMax ?? 1024 * 1024,
      log: this.log,
    });
    for (const [id, address] of options.peers) if (id !== this.id) this.addPeer(id, address);
  }

  async start(handler: TransportHandler): Promise<void> {
    this.handler = handler;
    await this.snapshots.start();
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    const { host, port } = splitAddress(this.options.listenAddress);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Peers that gave up dialing this node while it was down learn at once that it is back.
    for (const sender of this.senders.values()) sender.dial();
  }

  /** Peers being probed (a probe's connection open, or its next attempt waiting). */
  probesInFlight(): number {
    return this.probing.size;
  }

  /** Open inbound connections (accepted members' and those waiting for a hello). */
  inboundConnections(): number {
    return this.inbound.size;
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_MS);
    socket.on('error', () => {});
    if (this.server === null) {
      socket.destroy();
      return;
    }
    if (this.pendingHellos.size >= this.pendingHellosMax) {
      const oldest = this.pendingHellos.values().next().value as Socket;
      this.pendingHellos.delete(oldest);
      oldest.destroy();
      if (this.evictedCount++ % 1000 === 0) {
        this.log('warn', 'closing raft connections that have not sent a hello to make room for new ones', { peer: oldest.remoteAddress, closed: this.evictedCount });
      }
    }
    this.inbound.add(socket);
    this.pendingHellos.add(socket);
    const helloTimer = this.clock.setTimeout(() => {
      if (!this.pendingHellos.has(socket)) return;
      this.log('warn', 'closed a raft connection that sent no hello in time', { peer: socket.remoteAddress, timeoutMs: this.helloTimeoutMs });
      socket.destroy();
    }, this.helloTimeoutMs);
    helloTimer.unref();
    let from = -1;
    socket.on('close', () => {
      this.clock.clearTimeout(helloTimer);
      this.inbound.delete(socket);
      this.pendingHellos.delete(socket);
      if (this.memberConnections.get(from) === socket) {
        this.memberConnections.delete(from);
        // The member's connection closed, not replaced by a newer one: is its process still there?
        const sender = this.senders.get(from);
        if (sender !== undefined) this.probe(from, sender.address);
      }
    });
    const reader = new FrameReader(HELLO_BYTES_MAX, (payload) => {
      if (from === -1) {
        from = this.hello(payload, socket);
        this.pendingHellos.delete(socket);
        this.clock.clearTimeout(helloTimer);
        if (from > 0) {
          reader.frameBytesMax = FRAME_BYTES_LIMIT;
          // A member that connects again has given up on its previous connection.
          const previous = this.memberConnections.get(from);
          this.memberConnections.set(from, socket);
          previous?.destroy();
          this.senders.get(from)?.peerIsBack();
        }
        return;
      }
      if (from > 0) this.receiveFrame(from, payload, socket);
    });
    let dropped = false;
    socket.on('data', (chunk: Buffer) => {
      if (dropped || from === -2) return;
      // Whatever a peer sends, nothing it causes may escape this handler: that would stop the process.
      try {
        if (reader.push(chunk)) return;
        this.log('warn', 'dropped a raft connection that announced an oversize frame', { peer: socket.remoteAddress, from, limit: reader.frameBytesMax });
      } catch (error) {
        this.log('warn', 'dropped a raft connection whose data could not be handled', { peer: socket.remoteAddress, from, error: String(error) });
      }
      dropped = true;
      socket.destroy();
    });
  }

  /** Check a connection's hello: the sender's id if it is a member presenting the secret, else -2 (refused). */
  private hello(payload: Buffer, socket: Socket): number {
    let hello: { magic?: unknown; from?: unknown; secret?: unknown };
    try {
      const parsed: unknown = JSON.parse(payload.toString('utf8'));
      hello = typeof parsed === 'object' && parsed !== null ? (parsed as typeof hello) : {};
    } catch {
      hello = {};
    }
    const presented = typeof hello.secret === 'string' ? hello.secret : '';
    const refuse = (message: string): number => {
      this.log('warn', message, { peer: socket.remoteAddress, from: hello.from });
      socket.destroy();
      return -2;
    };
    if (hello.magic !== this.helloMagic || typeof hello.from !== 'number' || !Number.isSafeInteger(hello.from) || hello.from <= 0) return refuse('refused a raft connection with a malformed hello');
    if (this.secret !== '' && !secretsEqual(presented, this.secret)) {
      return refuse('refused a raft connection without the cluster secret');
    }
    if (!this.senders.has(hello.from)) return refuse('refused a raft connection from a node that is not a peer');
    return hello.from;
  }

  private receiveFrame(connectionFrom: number, bytes: Uint8Array, socket: Socket): void {
    let frame: WireFrame;
    try {
      frame = decodeFrame(bytes);
    } catch (error) {
      if (!(error instanceof MalformedMessageError)) throw error;
      this.log('warn', 'dropped a malformed raft frame', { error: error.message, bytes: bytes.byteLength });
      return;
    }
    if (frame.from !== connectionFrom || !this.senders.has(frame.from)) {
      this.log('warn', 'dropped a raft frame from a node that is not a peer', { from: frame.from, connection: connectionFrom });
      return;
    }
    // In the order the peer sent them: after a snapshot of its still being stored.
    for (const m of frame.messages) if (this.addressedRightly(frame.from, m)) this.snapshots.inOrder(frame.from, m, this.handOver);
    if (frame.messages.some((m) => m.type === MessageType.AppResp)) this.senders.get(frame.from)?.appendAnswered();
    if (frame.snapshotChunk !== null) this.receiveChunk(frame.from, frame.snapshotChunk, socket);
  }

  private readonly handOver = (m: Message): void => this.handler?.receive(m);

  private addressedRightly(from: number, m: Message): boolean {
    if (m.to === this.id && m.from === from) return true;
    this.log('warn', 'dropped a raft message with a wrong address', { from, messageFrom: m.from, to: m.to });
    return false;
  }

  private deliver(from: number, m: Message): void {
    if (this.addressedRightly(from, m)) this.handOver(m);
  }

  private receiveChunk(from: number, chunk: NonNullable<WireFrame['snapshotChunk']>, socket: Socket): void {
    if (chunk.totalBytes > this.snapshotBytesMax) {
      this.log('warn', 'dropped an oversize snapshot', { from, bytes: chunk.totalBytes });
      return;
    }
    this.snapshots.chunk(from, chunk, socket, (m) => this.deliver(from, m));
  }

  /** A snapshot this transport delivered is stored by the node now: the copy it received goes. */
  releaseSnapshot(data: SnapshotData): void {
    this.snapshots.release(data);
  }

  send(messages: readonly Message[]): void {
    for (const m of messages) {
      const sender = this.senders.get(m.to);
      if (sender === undefined) {
        this.dropped(m.to, m, 'unknown peer');
        continue;
      }
      sender.enqueue(m);
    }
  }

  /**
   * Connect to a peer, only to learn whether anything listens at its address (nothing is sent). A
   * refusal is reported (reportPeerDown): a follower whose leader it is need not wait out an election
   * timeout. A process being killed closes its connections and its listening socket in no set order, so
   * a probe that connects is held for PROBE_HOLD_MS: a live peer keeps it open (it waits for a hello),
   * a dying one resets it, and then the peer is probed again, up to PROBE_ATTEMPTS times. One probe
   * per peer at a time.
   */
  probe(peerId: number, address: string, attempt = 1): void {
    if (this.server === null || (attempt === 1 && this.probing.has(peerId))) return;
    const { host, port } = splitAddress(address);
    const socket = connect({ host, port });
    this.probing.set(peerId, socket);
    let connected = false;
    let refused = false;
    /** Reset by the peer (which may come before 'connect' is seen). */
    let reset = false;
    const timer = this.clock.setTimeout(() => socket.destroy(), ANNOUNCE_TIMEOUT_MS);
    timer.unref();
    let holdTimer: ReturnType<Clock['setTimeout']> | null = null;
    socket.on('connect', () => {
      connected = true;
      this.clock.clearTimeout(timer);
      // Alive if it is still open at the end of the hold; closed by the peer before: probe again.
      holdTimer = this.clock.setTimeout(() => {
        holdTimer = null;
        socket.destroy();
      }, PROBE_HOLD_MS);
      holdTimer.unref();
    });
    socket.resume();
    socket.on('error', (error) => {
      if (isRefused(error)) refused = true;
      else if ((error as NodeJS.ErrnoException).code === 'ECONNRESET') reset = true;
    });
    socket.on('close', () => {
      this.clock.clearTimeout(timer);
      const closedByPeer = reset || (connected && holdTimer !== null);
      if (holdTimer !== null) this.clock.clearTimeout(holdTimer);
      if (this.probing.get(peerId) !== socket) return;
      this.probing.delete(peerId);
      if (refused) this.peerRefused(peerId, address);
      else if (closedByPeer && attempt < PROBE_ATTEMPTS && this.server !== null) {
        this.probing.set(peerId, socket);
        this.clock
          .setTimeout(() => {
            if (this.probing.get(peerId) !== socket) return;
            this.probing.delete(peerId);
            this.probe(peerId, address, attempt + 1);
          }, PROBE_RETRY_MS)
          .unref();
      }
    });
  }

  /** A connection to the peer's `address` was refused: nothing listens there (if it is still the peer's). */
  peerRefused(peerId: number, address: string): void {
    if (this.server === null || this.senders.get(peerId)?.address !== address) return;
    this.handler?.reportPeerDown(peerId);
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

  /** Bytes waiting in this process to be sent to a peer (what the kernel has not taken yet). */
  outboundBufferedBytes(id: number): number {
    return this.senders.get(id)?.bufferedBytes() ?? 0;
  }

  removePeer(id: number): void {
    this.senders.get(id)?.closeAfterSmallMessages();
    this.senders.delete(id);
  }

  async close(): Promise<void> {
    this.snapshots.close();
    for (const sender of this.senders.values()) sender.close();
    this.senders.clear();
    for (const socket of this.inbound) socket.destroy();
    this.inbound.clear();
    for (const socket of this.probing.values()) socket.destroy();
    this.probing.clear();
    this.pendingHellos.clear();
    this.memberConnections.clear();
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
