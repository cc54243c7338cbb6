import { createServer } from 'node:net';

/** True if nothing listens on 127.0.0.1:port right now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/**
 * A base port B with B+offset free for every offset. Below Linux's ephemeral range (32768-60999): a
 * port there that is free now may be taken later by any outgoing connection, and a node added later
 * (`scripts/cluster add`) would then fail to listen.
 */
export async function freePortBase(offsets: readonly number[]): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 124) * 100;
    if ((await Promise.all(offsets.map((offset) => portFree(base + offset)))).every(Boolean)) return base;
  }
  throw new Error('no free range of ports for a local cluster');
}

/**
 * A base port B for a local cluster of `nodes` nodes whose client (B+i), peer (B+100+i), metrics
 * (B+200+i) and Milvus (B+300+i) ports are all free, with room for `spare` more nodes.
 */
export function freeBasePort(nodes: number, spare = 1): Promise<number> {
  return freePortBase([1, 101, 201, 301].flatMap((offset) => Array.from({ length: nodes + spare }, (_, i) => offset + i)));
}
