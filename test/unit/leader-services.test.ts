/**
 * A node that loses leadership while its services start, and wins it again, runs two activations: the
 * stale one must not stop what the newer one started. Its TSO window proposal may settle late (applied
 * with the next term's first entry, or refused at its 5 s timeout) after the newer activation serves;
 * it used to stop every service then, leaving a leader that answered "not the serving leader" to every
 * call until the next election.
 */
import { expect } from 'chai';
import { systemClock } from '../../raft/clock.js';
import type { LeaderServicesPorts } from '../../src/node/leader-services.js';
import { LeaderServices } from '../../src/node/leader-services.js';
import { CollectionTable } from '../../src/meta/collection-table.js';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The activations here wait only on promises (no timer): one turn of the event loop runs them all to their next wait. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('LeaderServices: a stale activation', () => {
  function services(tsoStarts: Array<() => Promise<void>>): { leader: LeaderServices; tsoActive: () => boolean } {
    let active = false;
    let starts = 0;
    const component = { start: () => {}, stop: () => {} };
    const ports = {
      raft: { readIndex: async () => 0, isLeader: () => true },
      tso: {
        start: async () => {
          await (tsoStarts[starts++] as () => Promise<void>)();
          active = true;
        },
        stop: () => {
          active = false;
        },
        window: () => 0n,
      },
      ids: { start: async () => {}, stop: () => {} },
      scheduler: component,
      background: component,
      recovery: { meta: { tsoWindowMs: 0n, idUpTo: 0n, collections: new CollectionTable() } },
      firstLeaderSetup: async () => {},
      services: [],
      log: { info: () => {}, warn: () => {} },
      clock: systemClock,
    } as unknown as LeaderServicesPorts;
    return { leader: new LeaderServices(ports), tsoActive: () => active };
  }

  for (const how of ['fails late', 'succeeds late'] as const) {
    it(`whose TSO start ${how} does not stop the services of the newer one`, async () => {
      const first = deferred();
      const { leader, tsoActive } = services([() => first.promise, async () => {}]);
      leader.onLeadership(true); // epoch 1: its TSO window proposal hangs
      await settle();
      leader.onLeadership(false);
      leader.onLeadership(true); // epoch 3 starts and serves
      await settle();
      expect(leader.isServing(), 'the newer activation serves').to.equal(true);
      if (how === 'fails late') first.reject(new Error('proposal timed out'));
      else first.resolve();
      await settle();
      expect(leader.isServing(), 'still serving after the stale activation settled').to.equal(true);
      expect(tsoActive()).to.equal(true);
      leader.onLeadership(false);
      expect(leader.isServing()).to.equal(false);
      expect(tsoActive()).to.equal(false);
    });
  }

  it('that began no newer start stops what it started itself', async () => {
    const first = deferred();
    const { leader, tsoActive } = services([() => first.promise]);
    leader.onLeadership(true);
    await settle();
    leader.onLeadership(false); // lost while the TSO start waits; not won again
    first.resolve(); // the TSO becomes active after the stop: the stale activation must stop it again
    await settle();
    expect(tsoActive()).to.equal(false);
    expect(leader.isServing()).to.equal(false);
  });
});
