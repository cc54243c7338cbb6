/**
 * Fuzzer for the metrics HTTP port (src/metrics/http-server.ts) of a real 3-node cluster: raw requests
 * over TCP with random methods, paths (odd bytes, percent escapes, huge), headers (many, huge, malformed,
 * conflicting lengths, chunked garbage), pipelined requests, random bytes, and slowloris-style partial
 * requests (bounded in count and time). Every run ends with every process alive, every node ready, a
 * leader serving a DDL and equal digests.
 *
 * Seeded: FUZZ_SEED=N (default 1); FUZZ_ITERATIONS=N requests without the default time cap
 * (FUZZ_SECONDS caps it). Default: at most 1500 requests or 12 s.
 */
import { expect } from 'chai';
import { connect } from 'node:net';
import { Prng } from '../../raft/prng.js';
import { fuzzSettings, httpGet, mutate, randomBuffer, sleep, useFuzzCluster } from './fixtures/fuzz-cluster.js';

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH', 'BREW', 'get', 'G\u00C9T', '', 'GET GET'];
const paths = ['/metrics', '/healthz', '/readyz', '/', '*', '/metrics?x=1', '/readyz/../metrics', '//metrics', '/%00', '/%', '/%zz', '/\u00E9', '/\u{1F600}', 'http://127.0.0.1/metrics', '/a/b/c/d', '/metrics#frag', '?', ''];

function randomPath(rng: Prng): string {
  const k = rng.intBelow(6);
  if (k < 3) return rng.pick(paths);
  if (k === 3) return `/${'a'.repeat(rng.pick([100, 8000, 20_000, 100_000]))}`;
  if (k === 4) return `/${randomBuffer(rng, rng.intBelow(64)).toString('latin1').replace(/[\r\n ]/g, '_')}`;
  return rng.pick(paths) + rng.pick(paths);
}

function randomHeaders(rng: Prng): string {
  const lines: string[] = [];
  if (rng.chance(0.8)) lines.push('Host: 127.0.0.1');
  for (let i = 0, n = rng.pick([0, 1, 3, 10, 200]); i < n; i++) lines.push(`X-Fuzz-${i}: ${'v'.repeat(rng.intBelow(100))}`);
  const odd = [
    () => `X-Huge: ${'h'.repeat(rng.pick([8000, 17_000, 70_000]))}`,
    () => 'Content-Length: -1',
    () => 'Content-Length: 99999999999999999999',
    () => 'Content-Length: 5\r\nContent-Length: 6',
    () => 'Transfer-Encoding: chunked',
    () => 'Transfer-Encoding: gzip, chunked',
    () => 'Connection: keep-alive',
    () => 'Connection: close',
    () => 'Expect: 100-continue',
    () => 'Upgrade: websocket\r\nConnection: Upgrade',
    () => 'No-Colon-Header',
    () => ': empty-name',
    () => ' leading-space: x',
    () => 'X-Nul: a\0b',
    () => 'X-Bytes: \u00FF\u00FE',
    () => 'Accept: application/openmetrics-text; version=1.0.0',
  ];
  for (let i = 0, n = rng.intBelow(3); i < n; i++) lines.push(rng.pick(odd)());
  return lines.join('\r\n');
}

function randomRequest(rng: Prng): Buffer {
  const k = rng.intBelow(10);
  if (k === 0) return randomBuffer(rng, rng.intBelow(2000));
  const version = rng.pick(['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1 extra', '']);
  const body = rng.chance(0.2) ? randomBuffer(rng, rng.intBelow(3000)).toString('latin1') : '';
  const text = `${rng.pick(methods)} ${randomPath(rng)} ${version}\r\n${randomHeaders(rng)}\r\n\r\n${body}`;
  const bytes = Buffer.from(text, 'latin1');
  if (k === 1) return mutate(rng, bytes);
  if (k === 2) return Buffer.concat([bytes, Buffer.from('GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n'), Buffer.from('GET /metrics HTTP/1.1\r\n\r\n')]); // pipelined
  return bytes;
}

/** Write `bytes` (in pieces with pauses when slow), read whatever comes back, close after `holdMs` at most. */
function exchange(address: string, bytes: Buffer, options: { pieces?: number; pauseMs?: number; holdMs: number }): Promise<void> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host: host as string, port: Number(port) });
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(finish, options.holdMs);
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('data', () => {});
    socket.on('connect', () => {
      void (async () => {
        const n = options.pieces ?? 1;
        const size = Math.ceil(bytes.length / n);
        for (let i = 0; i < n && !socket.destroyed; i++) {
          socket.write(bytes.subarray(i * size, (i + 1) * size));
          if (options.pauseMs !== undefined) await sleep(options.pauseMs);
        }
      })();
    });
  });
}

describe('fuzz: metrics HTTP port', function () {
  this.timeout(240_000);
  const running = useFuzzCluster();

  it('survives random, malformed, huge and slow HTTP requests', async () => {
    const cluster = running();
    const { seed, iterations, deadlineMs } = fuzzSettings(1500, 12);
    let done = 0;
    const slow: Array<Promise<void>> = [];
    const parallel = 6;
    await Promise.all(Array.from({ length: parallel }, (_, w) => (async () => {
      const rng = new Prng(seed * 1000 + w);
      for (let i = w; i < iterations && Date.now() < deadlineMs; i += parallel) {
        const node = rng.pick(cluster.nodes);
        const request = randomRequest(rng);
        if (rng.chance(0.05) && slow.length < 40) {
          // Slowloris: a partial request trickled out, the connection held (bounded: 40 at most, 3 s each).
          const partial = request.subarray(0, Math.max(1, request.length - 1 - rng.intBelow(4)));
          slow.push(exchange(node.metrics, partial, { pieces: Math.min(partial.length, 20), pauseMs: 100, holdMs: 3000 }));
        } else {
          await exchange(node.metrics, request, { holdMs: 300 });
        }
        done++;
        if (i % 100 === 0) cluster.assertAlive();
      }
    })()));
    // While the slow connections are held, the port still answers.
    for (const n of cluster.nodes) expect((await httpGet(n.metrics, '/healthz')).status).to.equal(200);
    await Promise.all(slow);
    console.log(`      seed ${seed}: ${done} requests (${slow.length} slow)`);
    for (const n of cluster.nodes) {
      const metrics = await httpGet(n.metrics, '/metrics');
      expect(metrics.status).to.equal(200);
      expect(metrics.body).to.include('rootcoord_raft_term');
    }
    expect(cluster.dead()).to.deep.equal([]);
    await cluster.check('metrics');
  });
});
