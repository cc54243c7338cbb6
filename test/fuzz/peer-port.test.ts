/**
 * Fuzzer for the Raft peer port (raft/tcp-transport.ts, raft/message-codec.ts) of a real 3-node
 * cluster: random bytes, garbage frames, malformed and odd hellos, huge length headers, slow and
 * half-open connections, and mutated encoded Raft frames after a hello that presents the secret.
 * Every run ends with every process alive, every node ready, a leader serving a DDL and equal digests.
 *
 * Seeded: FUZZ_SEED=N (default 1); FUZZ_ITERATIONS=N runs N attacks without the default time cap
 * (FUZZ_SECONDS caps it). Default: at most 1500 attacks or 20 s.
 */
import { expect } from 'chai';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { decodeFrame, encodeFrame } from '../../raft/message-codec.js';
import { Prng } from '../../raft/prng.js';
import { framed, helloFrame } from '../../raft/tcp-transport.js';
import { EntryType, localMessageTypes, MessageType } from '../../raft/types.js';
import type { Entry, Message } from '../../raft/types.js';
import { fuzzSettings, httpGet, mutate, randomBuffer, sleep, useFuzzCluster } from './fixtures/fuzz-cluster.js';
import type { FuzzNode } from './fixtures/fuzz-cluster.js';

const HELLO_MAGIC = 'rootcoord-raft/1';
const peerTypes = Object.values(MessageType).filter((v): v is MessageType => typeof v === 'number' && !localMessageTypes.has(v));

function frame(payload: Uint8Array): Buffer {
  return Buffer.concat(framed(payload));
}

function header(length: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(length >>> 0, 0);
  return b;
}

/** Open a connection, write `chunks` (with an optional pause between them), then close it; never throws. */
function send(address: string, chunks: Buffer[], options: { pauseMs?: number; end?: 'destroy' | 'end' | 'keep'; keepMs?: number } = {}): Promise<void> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: host as string, port: Number(port) });
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      socket.destroy();
      resolve();
    };
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('data', () => {});
    socket.setTimeout(5000, finish);
    socket.on('connect', () => {
      void (async () => {
        for (const c of chunks) {
          if (socket.destroyed) return finish();
          socket.write(c);
          if (options.pauseMs !== undefined) await sleep(options.pauseMs);
        }
        const end = options.end ?? 'destroy';
        if (end === 'end') socket.end();
        const keep = options.keepMs ?? 20;
        setTimeout(finish, end === 'keep' ? keep : Math.min(keep, 50));
      })();
    });
  });
}

/** A random peer message, mostly plausibly addressed (to the target, from the member the hello named). */
function randomMessage(rng: Prng, to: number, from: number, staleTerm = 2): Message {
  const small = (): number => rng.pick([0, 1, 2, 3, rng.intBelow(50), rng.intBelow(1000), rng.intBelow(2 ** 31), Number.MAX_SAFE_INTEGER]);
  const entries: Entry[] = Array.from({ length: rng.chance(0.5) ? 0 : rng.intBelow(4) }, () => ({
    term: small(),
    index: small(),
    type: rng.intBelow(2) as 0 | 1,
    data: randomBuffer(rng, rng.intBelow(64)),
  }));
  const type = rng.pick(peerTypes);
  return {
    type,
    to: rng.chance(0.9) ? to : small(),
    from: rng.chance(0.9) ? from : small(),
    term: rng.chance(0.8) ? rng.pick([0, 1, rng.intBelow(staleTerm)]) : small(),
    logTerm: small(),
    index: small(),
    entries,
    commit: small(),
    snapshot: type === MessageType.Snap || rng.chance(0.05) ? { metadata: { index: small(), term: small(), confState: { voters: [1, 2, 3].filter(() => rng.chance(0.7)), learners: rng.chance(0.2) ? [small()] : [] } }, data: new Uint8Array(0) } : null,
    reject: rng.chance(0.3),
    rejectHint: small(),
    context: small(),
  };
}

/**
 * Whether an authenticated frame may be sent: a peer that presents the secret is trusted by Raft's
 * crash-fault model, so a frame that decodes to messages Raft acts on (current or higher term) could
 * rightly change the cluster (a forged append, a forged vote). Sent are frames the node must refuse
 * (undecodable, out of bounds, misaddressed) and frames Raft must ignore or answer harmlessly: messages
 * of a term below every node's (stale), and forwarded proposals, read requests and transfer requests
 * (term 0, as followers send them) without membership changes.
 */
function harmless(bytes: Uint8Array, target: number, member: number, staleTerm: number): boolean {
  // FUZZ_FORGE=1 sends every authenticated frame (forged current-term messages included): expect a
  // crash-fault-tolerant cluster to be damaged then, not necessarily a bug.
  if (process.env['FUZZ_FORGE'] !== undefined) return true;
  let decoded: ReturnType<typeof decodeFrame>;
  try {
    decoded = decodeFrame(bytes);
  } catch {
    return true;
  }
  if (decoded.from !== member) return true;
  const ok = (m: Message): boolean => {
    if (m.to !== target || m.from !== member) return true;
    if (m.term >= 1 && m.term < staleTerm) return true;
    return m.term === 0 && [MessageType.Prop, MessageType.ReadIndex, MessageType.TransferLeader].includes(m.type) && m.entries.every((e) => e.type === EntryType.Normal);
  };
  return decoded.messages.every(ok) && (decoded.snapshotChunk === null || ok(decoded.snapshotChunk.message));
}

function oddHello(rng: Prng, secret: string, memberOtherThanTarget: number): Buffer {
  const json = (o: unknown): Buffer => frame(Buffer.from(JSON.stringify(o)));
  const variants: Array<() => Buffer> = [
    () => json({ magic: HELLO_MAGIC, from: memberOtherThanTarget, secret: `${secret}\u{1F600}` }),
    () => json({ magic: HELLO_MAGIC, from: memberOtherThanTarget, secret: '\u05D0\u200F\u202E\uFFFF\uD800x' }),
    () => json({ magic: HELLO_MAGIC, from: memberOtherThanTarget, secret: 's'.repeat(4000) }),
    () => frame(Buffer.from(JSON.stringify({ magic: HELLO_MAGIC, from: memberOtherThanTarget, secret: 'x'.repeat(5000) }))), // over the hello limit
    () => json({ magic: HELLO_MAGIC, from: memberOtherThanTarget, secret: secret.slice(0, -1) }),
    () => json({ magic: HELLO_MAGIC, from: memberOtherThanTarget }),
    () => json({ magic: HELLO_MAGIC, from: memberOtherThanTarget, secret: 12345 }),
    () => json({ magic: HELLO_MAGIC, from: memberOtherThanTarget, secret: { toString: 1 } }),
    () => json({ magic: 'rootcoord-raft/2', from: memberOtherThanTarget, secret }),
    () => json({ magic: HELLO_MAGIC.toUpperCase(), from: memberOtherThanTarget, secret }),
    () => json({ magic: HELLO_MAGIC, from: 99, secret }),
    () => json({ magic: HELLO_MAGIC, from: -1, secret }),
    () => json({ magic: HELLO_MAGIC, from: 0, secret }),
    () => json({ magic: HELLO_MAGIC, from: 1.5, secret }),
    () => json({ magic: HELLO_MAGIC, from: 2 ** 60, secret }),
    () => json({ magic: HELLO_MAGIC, from: String(memberOtherThanTarget), secret }),
    () => frame(Buffer.from(`{"magic":"${HELLO_MAGIC}","from":NaN,"secret":"${secret}"}`)),
    () => frame(Buffer.from(`{"magic":"${HELLO_MAGIC}","from":1e400,"secret":"${secret}"}`)),
    () => json({ magic: HELLO_MAGIC, from: null, secret }),
    () => json({ __proto__: { magic: HELLO_MAGIC }, from: memberOtherThanTarget, secret }),
    () => frame(Buffer.from(`{"__proto__":{"magic":"${HELLO_MAGIC}","from":${memberOtherThanTarget},"secret":"${secret}"}}`)),
    () => json([HELLO_MAGIC, memberOtherThanTarget, secret]),
    () => json(null),
    () => json(42),
    () => json('hello'),
    () => frame(Buffer.from('not json at all')),
    () => frame(Buffer.from('{"magic":')),
    () => frame(Buffer.alloc(0)),
    () => frame(randomBuffer(rng, rng.intBelow(4096))),
    () => frame(Buffer.from([0xff, 0xfe, 0xfd, 0xc3, 0x28])),
    () => frame(Buffer.from(`\uFEFF${JSON.stringify({ magic: HELLO_MAGIC, from: memberOtherThanTarget, secret })}`)),
  ];
  return rng.pick(variants)();
}

describe('fuzz: Raft peer port', function () {
  this.timeout(240_000);
  const running = useFuzzCluster();

  it('a member frame with a term near 2^53 stops no node (regression)', async () => {
    const cluster = running();
    for (const target of cluster.nodes) {
      const member = (cluster.nodes.find((n) => n.id !== target.id) as FuzzNode).id;
      const poison = encodeFrame(member, [{ ...randomMessage(new Prng(7), target.id, member), type: MessageType.Vote, to: target.id, from: member, term: Number.MAX_SAFE_INTEGER, entries: [], snapshot: null }], null);
      await send(target.peer, [helloFrame(HELLO_MAGIC, member, cluster.secret), frame(poison)]);
    }
    await sleep(1500); // several election timeouts: a node that adopted the term would have failed by now
    expect(cluster.dead()).to.deep.equal([]);
  });

  it('survives random, malformed, slow, half-open and authenticated-but-mutated traffic', async () => {
    const cluster = running();
    const { seed, iterations, deadlineMs } = fuzzSettings(1500, 20);
    const kinds = new Map<string, number>();
    const lingering: Array<Promise<void>> = [];
    let done = 0;
    let withheld = 0;
    // Terms only grow: a term below every node's term now is stale for the whole run.
    const terms = await Promise.all(cluster.nodes.map(async (n) => (JSON.parse((await httpGet(n.metrics, '/readyz')).body) as { term: number }).term));
    const staleTerm = Math.min(...terms);
    expect(staleTerm).to.be.above(1);
    const attack = async (r: Prng): Promise<void> => {
      const target = r.pick(cluster.nodes) as FuzzNode;
      const others = cluster.nodes.filter((n) => n.id !== target.id).map((n) => n.id);
      const member = r.pick(others);
      const kind = r.pick(['random', 'garbage-frame', 'odd-hello', 'mutated-frames', 'mutated-frames', 'mutated-frames', 'huge-length', 'slow', 'half-open', 'flood']);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      const hello = helloFrame(HELLO_MAGIC, member, cluster.secret);
      switch (kind) {
        case 'random':
          await send(target.peer, [randomBuffer(r, r.intBelow(3000))]);
          break;
        case 'garbage-frame':
          await send(target.peer, [frame(randomBuffer(r, r.intBelow(4096))), frame(randomBuffer(r, r.intBelow(512)))]);
          break;
        case 'odd-hello':
          await send(target.peer, [oddHello(r, cluster.secret, member), frame(encodeFrame(member, [randomMessage(r, target.id, member)], null))]);
          break;
        case 'mutated-frames': {
          const frames: Buffer[] = [hello];
          for (let k = 0, n = 1 + r.intBelow(6); k < n; k++) {
            const from = r.chance(0.9) ? member : r.intBelow(5);
            const messages = Array.from({ length: 1 + r.intBelow(3) }, () => randomMessage(r, target.id, from, staleTerm));
            const chunk = r.chance(0.1) ? { message: randomMessage(r, target.id, from, staleTerm), offset: r.pick([0, 0, r.intBelow(100)]), totalBytes: r.pick([0, 10, r.intBelow(2 ** 31)]), data: randomBuffer(r, r.intBelow(32)) } : null;
            let payload: Buffer;
            try {
              payload = Buffer.from(encodeFrame(from, messages, chunk));
            } catch {
              payload = randomBuffer(r, 32);
            }
            const way = r.intBelow(5);
            const body = way <= 2 && way > 0 ? mutate(r, payload) : payload;
            const sent = way <= 2 ? body : body.subarray(0, way === 3 ? body.length : Math.max(0, body.length - 1 - r.intBelow(8)));
            if (!harmless(sent, target.id, member, staleTerm)) {
              withheld++;
              break; // the stream after this frame would be cut differently: stop here
            }
            if (way <= 2) frames.push(frame(body));
            else {
              // A lying length ends the stream: longer than sent (the frame never completes), or shorter
              // (the tail, at most 8 bytes, is read as the next header and frame).
              frames.push(Buffer.concat([header(way === 3 ? payload.length + r.intBelow(64) + 1 : sent.length), payload]));
              break;
            }
          }
          await send(target.peer, frames, { end: r.pick(['destroy', 'end'] as const) });
          break;
        }
        case 'huge-length': {
          const length = r.pick([0xffffffff, 0x7fffffff, 256 * 1024 * 1024 + 1, 4097, 64 * 1024 * 1024]);
          const before = r.chance(0.5) ? [hello] : [];
          await send(target.peer, [...before, header(length), randomBuffer(r, r.intBelow(2048))]);
          break;
        }
        case 'slow': {
          let body = mutate(r, encodeFrame(member, [randomMessage(r, target.id, member, staleTerm)], null));
          if (!harmless(body, target.id, member, staleTerm)) body = Buffer.from([0xff, 0xff]);
          const bytes = Buffer.concat([hello, frame(body)]);
          const pieces = Array.from(bytes.subarray(0, 40 + r.intBelow(60)), (b) => Buffer.from([b]));
          await send(target.peer, pieces, { pauseMs: 2 });
          break;
        }
        case 'half-open': {
          const partial = r.pick([hello.subarray(0, r.intBelow(hello.length)), header(100), Buffer.concat([hello, header(1000), Buffer.alloc(10)])]);
          lingering.push(send(target.peer, [partial], { end: r.pick(['keep', 'end'] as const), keepMs: 500 + r.intBelow(1500) }));
          break;
        }
        case 'flood':
          // More connections waiting for a hello than the transport keeps.
          await Promise.all(Array.from({ length: 24 }, () => send(target.peer, [Buffer.from([0])], { end: 'keep', keepMs: 200 })));
          break;
      }
      done++;
    };
    const parallel = 4;
    const workers = Array.from({ length: parallel }, (_, w) => (async () => {
      const r = new Prng(seed * 1000 + w);
      for (let i = w; i < iterations && Date.now() < deadlineMs; i += parallel) {
        await attack(r);
        if (i % 50 === 0) cluster.assertAlive();
      }
    })());
    await Promise.all(workers);
    await Promise.all(lingering);
    console.log(`      seed ${seed}: ${done} attacks (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}); ${withheld} authenticated frames withheld as not harmless`);
    expect(cluster.dead()).to.deep.equal([]);
    await cluster.check('peer');
  });
});
