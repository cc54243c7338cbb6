/**
 * Regression (found by the peer-port fuzzer, seeds 7 and 8 at 3,000 attacks): a peer connection that
 * broke while its socket's buffer was full (the sender waiting for 'drain') left the sender "not
 * writable" for good: it never dialled again, and the follower never heard from the leader until the
 * leader's process restarted. The fuzzer's hellos replace a member's connection at the receiver, which
 * closes the old one; any reset of a busy connection does the same.
 */
import { expect } from 'chai';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { decodeFrame } from '../../raft/message-codec.js';
import { FrameReader, TcpTransport } from '../../raft/tcp-transport.js';
import { message, MessageType } from '../../raft/types.js';
import type { Message } from '../../raft/types.js';
import { freePorts } from '../raft/fixtures/process-cluster.js';

describe('TcpTransport: a connection that breaks while its buffer is full', function () {
  this.timeout(30_000);
  let server: Server | null = null;
  let transport: TcpTransport | null = null;
  const sockets: Socket[] = [];
  after(async () => {
    for (const s of sockets) s.destroy();
    await transport?.close();
    await new Promise<void>((resolve) => (server === null ? resolve() : server.close(() => resolve())));
  });

  it('is dialled again, and later messages get through', async () => {
    const [peerPort, ownPort] = await freePorts(2);
    // The peer: the first connection is never read (its buffers fill), later ones are.
    const received: Message[] = [];
    let connections = 0;
    server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => {});
      if (connections++ === 0) {
        socket.pause();
        return;
      }
      let helloSeen = false;
      const reader = new FrameReader(1 << 30, (payload) => {
        if (!helloSeen) {
          helloSeen = true;
          return;
        }
        received.push(...decodeFrame(payload).messages);
      });
      socket.on('data', (chunk: Buffer) => reader.push(chunk));
    });
    await new Promise<void>((resolve) => server?.listen(peerPort, '127.0.0.1', () => resolve()));
    transport = new TcpTransport({ helloMagic: 'test-raft/1', id: 1, listenAddress: `127.0.0.1:${ownPort as number}`, peers: new Map([[2, `127.0.0.1:${peerPort as number}`]]), secret: 's', reconnectDelayMsMax: 100 });
    await transport.start({ receive: () => {}, reportUnreachable: () => {}, reportPeerDown: () => {}, reportSnapshot: () => {} });

    // Fill the unread connection: far more than the kernel's and the socket's buffers take.
    const entry = { term: 1, index: 1, type: 0 as const, data: new Uint8Array(1024 * 1024) };
    for (let i = 0; i < 16; i++) transport.send([message({ type: MessageType.App, from: 1, to: 2, term: 1, entries: [entry] })]);
    const deadline = Date.now() + 10_000;
    while ((connections === 0 || transport.outboundBufferedBytes(2) === 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(transport.outboundBufferedBytes(2), 'the connection is backed up').to.be.above(0);

    // The peer drops that connection (as a receiver does when the member connects again).
    (sockets[0] as Socket).destroy();
    const until = Date.now() + 20_000;
    while (!received.some((m) => m.type === MessageType.Heartbeat) && Date.now() < until) {
      transport.send([message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 1 })]);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(connections, 'dialled again').to.be.at.least(2);
    expect(received.map((m) => MessageType[m.type]), `${connections} connections`).to.include('Heartbeat');
  });
});
