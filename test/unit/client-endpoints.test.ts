/**
 * A client gives up on a call when its retry budget is spent (at once with `retryBudgetMs: 0`); its
 * next call must not go back to the endpoint that just failed with a retriable error, or a client of
 * a stopped node fails every call until the node returns (chaos run 19: 1,114 not-ready answers in one
 * burst after a leader restart, its clients all pinned to the restarting node).
 */
import * as grpc from '@grpc/grpc-js';
import { createServer } from 'node:net';
import { expect } from 'chai';
import { RootCoordClient } from '../../src/client/root-coord-client.js';
import { rootCoordService } from '../../src/protocol/proto.js';
import type { PlainMessage } from '../../src/protocol/proto.js';
import { freePorts } from '../raft/fixtures/process-cluster.js';
import { expectCode } from '../rootcoord/expect-code.js';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  return (await freePorts(1))[0] as number;
}

describe('client: endpoints after a failed call', () => {
  const servers: grpc.Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.forceShutdown();
  });

  /** A stand-in RootCoord answering AllocTimestamp with `status`. */
  async function standIn(status: PlainMessage): Promise<{ port: number; calls: () => number }> {
    let calls = 0;
    const server = new grpc.Server();
    servers.push(server);
    const handler = (_call: unknown, callback: (error: null, response: PlainMessage) => void): void => {
      calls++;
      callback(null, { status, timestamp: 1n, count: 1 });
    };
    server.addService(rootCoordService.definition, { AllocTimestamp: handler } as unknown as grpc.UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e === null ? resolve(p) : reject(e))));
    return { port, calls: () => calls };
  }

  it('moves on from an unreachable endpoint even when it retries nothing', async () => {
    const dead = await closedPort();
    const live = await standIn({ code: 0 });
    const client = new RootCoordClient({ endpoints: [`127.0.0.1:${dead}`, `127.0.0.1:${live.port}`], retryBudgetMs: 0, attemptDeadlineMs: 5000 });
    try {
      await expectCode(client.call('AllocTimestamp', { count: 1 }), 1);
      for (let i = 0; i < 3; i++) await client.call('AllocTimestamp', { count: 1 });
      expect(live.calls()).to.equal(3);
    } finally {
      client.close();
    }
  });

  it('moves past a failed endpoint once, however many calls failed there together', async () => {
    const dead = await closedPort();
    const live = await standIn({ code: 0 });
    const client = new RootCoordClient({ endpoints: [`127.0.0.1:${dead}`, `127.0.0.1:${live.port}`], retryBudgetMs: 0, attemptDeadlineMs: 5000 });
    try {
      // Two calls fail on the dead endpoint together: moving on once each would land on it again.
      await Promise.all([expectCode(client.call('AllocTimestamp', { count: 1 }), 1), expectCode(client.call('AllocTimestamp', { count: 1 }), 1)]);
      for (let round = 0; round < 3; round++) await Promise.all([client.call('AllocTimestamp', { count: 1 }), client.call('AllocTimestamp', { count: 1 })]);
      expect(live.calls()).to.equal(6);
    } finally {
      client.close();
    }
  });

  it('stays on an endpoint whose answer was a final one', async () => {
    const live = await standIn({ code: 1100, error_code: 5, reason: 'invalid' });
    const dead = await closedPort();
    const client = new RootCoordClient({ endpoints: [`127.0.0.1:${live.port}`, `127.0.0.1:${dead}`], retryBudgetMs: 0, attemptDeadlineMs: 5000 });
    try {
      for (let i = 0; i < 3; i++) await expectCode(client.call('AllocTimestamp', { count: 1 }), 1100);
      expect(live.calls()).to.equal(3);
    } finally {
      client.close();
    }
  });

  it('stays on a busy endpoint when it gives up on a full queue (no forwarding hop, no escape from its limit)', async () => {
    const busy = await standIn({ code: 2001, error_code: 1, reason: 'queue full', retriable: true });
    const other = await standIn({ code: 0 });
    const client = new RootCoordClient({ endpoints: [`127.0.0.1:${busy.port}`, `127.0.0.1:${other.port}`], retryBudgetMs: 0, attemptDeadlineMs: 5000 });
    try {
      for (let i = 0; i < 3; i++) await expectCode(client.call('AllocTimestamp', { count: 1 }), 2001);
      expect(busy.calls()).to.equal(3);
      expect(other.calls()).to.equal(0);
    } finally {
      client.close();
    }
  });
});

describe('client: a node that is down', () => {
  it('is tried again about once a second, not after a backoff that grows to minutes', async function () {
    this.timeout(30_000);
    // A node that accepts connections and drops them at once: each connection attempt is counted.
    let attempts = 0;
    const server = createServer((socket) => {
      attempts++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const client = new RootCoordClient({ endpoints: [`127.0.0.1:${port}`], retryBudgetMs: 0, attemptDeadlineMs: 2000 });
    try {
      // 6 s of calls: with the backoff at most 1 s (from 250 ms, x1.6, +-20%) that is 6 attempts or more;
      // grpc-js's default (1 s, x1.6, up to 120 s) makes at most 5 (attempts at about 0, 1, 2.6, 5.2 s).
      const until = Date.now() + 6000;
      while (Date.now() < until) {
        await client.call('AllocTimestamp', { count: 1 }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(attempts).to.be.at.least(6);
    } finally {
      client.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
