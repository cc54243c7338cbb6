/**
 * A client gives up on a call when its retry budget is spent (at once with `retryBudgetMs: 0`); its
 * next call must not go back to the endpoint that just failed with a retriable error, or a client of
 * a stopped node fails every call until the node returns (chaos run 19: 1,114 not-ready answers in one
 * burst after a leader restart, its clients all pinned to the restarting node).
 */
import * as grpc from '@grpc/grpc-js';
import { createServer } from 'node:net';
import { expect } from 'chai';
import { RootCoordClient, RootCoordError } from '../../src/client/root-coord-client.js';
import { rootCoordService } from '../../src/protocol/proto.js';
import type { PlainMessage } from '../../src/protocol/proto.js';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('client: endpoints after a failed call', () => {
  let server: grpc.Server | null = null;
  afterEach(() => server?.forceShutdown());

  async function standIn(status: PlainMessage): Promise<{ port: number; calls: () => number }> {
    let calls = 0;
    server = new grpc.Server();
    const handler = (_call: unknown, callback: (error: null, response: PlainMessage) => void): void => {
      calls++;
      callback(null, { status, timestamp: 1n, count: 1 });
    };
    server.addService(rootCoordService.definition, { AllocTimestamp: handler } as unknown as grpc.UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) => server?.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e === null ? resolve(p) : reject(e))));
    return { port, calls: () => calls };
  }

  it('moves on from an unreachable endpoint even when it retries nothing', async () => {
    const dead = await closedPort();
    const live = await standIn({ code: 0 });
    const client = new RootCoordClient({ endpoints: [`127.0.0.1:${dead}`, `127.0.0.1:${live.port}`], retryBudgetMs: 0, attemptDeadlineMs: 5000 });
    try {
      const first = await client.call('AllocTimestamp', { count: 1 }).then(() => null, (e: unknown) => e);
      expect(first).to.be.instanceOf(RootCoordError);
      expect((first as RootCoordError).code).to.equal(1);
      for (let i = 0; i < 3; i++) await client.call('AllocTimestamp', { count: 1 });
      expect(live.calls()).to.equal(3);
    } finally {
      client.close();
    }
  });

  it('stays on an endpoint whose answer was a final one', async () => {
    const live = await standIn({ code: 1100, error_code: 5, reason: 'invalid' });
    const dead = await closedPort();
    const client = new RootCoordClient({ endpoints: [`127.0.0.1:${live.port}`, `127.0.0.1:${dead}`], retryBudgetMs: 0, attemptDeadlineMs: 5000 });
    try {
      for (let i = 0; i < 3; i++) {
        const error = await client.call('AllocTimestamp', { count: 1 }).then(() => null, (e: unknown) => e);
        expect((error as RootCoordError).code).to.equal(1100);
      }
      expect(live.calls()).to.equal(3);
    } finally {
      client.close();
    }
  });
});

describe('client: a node that comes back', () => {
  let server: grpc.Server | null = null;
  afterEach(() => server?.forceShutdown());

  it('is reached within about a second of its return, however long it was down', async function () {
    this.timeout(30_000);
    const port = await closedPort();
    const client = new RootCoordClient({ endpoints: [`127.0.0.1:${port}`], retryBudgetMs: 0, attemptDeadlineMs: 2000 });
    try {
      // Down for 5 s of calls: grpc-js's default reconnect backoff (1 s, x1.6 per failure, up to 120 s)
      // would make the next connection attempt about 4 s away by then.
      const downUntil = Date.now() + 5000;
      while (Date.now() < downUntil) {
        await client.call('AllocTimestamp', { count: 1 }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      server = new grpc.Server();
      const handler = (_call: unknown, callback: (error: null, response: PlainMessage) => void): void => callback(null, { status: { code: 0 }, timestamp: 1n, count: 1 });
      server.addService(rootCoordService.definition, { AllocTimestamp: handler } as unknown as grpc.UntypedServiceImplementation);
      await new Promise<number>((resolve, reject) => server?.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e, p) => (e === null ? resolve(p) : reject(e))));
      const back = Date.now();
      for (;;) {
        const ok = await client.call('AllocTimestamp', { count: 1 }).then(() => true, () => false);
        if (ok) break;
        expect(Date.now() - back, 'time to reach the node again').to.be.below(2500);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      client.close();
    }
  });
});
