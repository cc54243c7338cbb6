/**
 * A DDL takes effect once per request key, the client's request ID with a digest of its call: a retry
 * (the same call, directly or through a follower) is answered without running again; the same ID on
 * another call or other arguments is another request, which runs (it used to be answered "success" for
 * the first without running: found by an adversarial test of the client port).
 */
import { expect } from 'chai';
import { InProcessCluster } from './fixtures/in-process-cluster.js';

describe('request keys: exactly once per request, not per request ID', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;

  before(async () => {
    cluster = await InProcessCluster.start(3);
  });
  after(async () => {
    await cluster.close();
  });

  const databases = async (): Promise<string[]> => {
    const client = cluster.client();
    try {
      return (await client.listDatabases())['db_names'] as string[];
    } finally {
      client.close();
    }
  };

  it('an ID reused for another call or other arguments runs that request; a retry of the first is still answered without running', async () => {
    const leader = await cluster.waitForServingLeader();
    const follower = [...cluster.addresses.keys()].find((id) => id !== leader) as number;
    const direct = cluster.client({ endpoints: [cluster.addresses.get(leader)?.client as string] });
    const viaFollower = cluster.client({ endpoints: [cluster.addresses.get(follower)?.client as string] });
    try {
      const id = 'same-id-for-three-calls';
      // Through a follower (decoded there, encoded again and forwarded): the same key as sent directly.
      await viaFollower.call('CreateDatabase', { db_name: 'rid_x' }, 'api', id);
      await direct.call('CreateDatabase', { db_name: 'rid_y' }, 'api', id);
      expect(await databases()).to.include.members(['rid_x', 'rid_y']);
      await direct.call('DropDatabase', { db_name: 'rid_x' }, 'api', id);
      expect(await databases()).to.not.include('rid_x');
      // A late retry of the first call (directly to the leader this time) finds it took effect: it does not create rid_x again.
      await direct.call('CreateDatabase', { db_name: 'rid_x' }, 'api', id);
      expect(await databases()).to.not.include('rid_x');
      // Another ID: a new request.
      await direct.call('CreateDatabase', { db_name: 'rid_x' }, 'api', 'another-id');
      expect(await databases()).to.include('rid_x');
      // A request ID still has at most 64 characters (the key adds the digest).
      const long = await direct.call('CreateDatabase', { db_name: 'rid_z' }, 'api', 'x'.repeat(65)).then(() => null, (e: unknown) => e as { code: number; reason: string });
      expect(long?.code).to.equal(1100);
      expect(long?.reason).to.match(/a request ID has 1 to 64 characters, not 65/);
      await direct.call('CreateDatabase', { db_name: 'rid_z' }, 'api', 'x'.repeat(64));
      expect(await databases()).to.include('rid_z');
    } finally {
      direct.close();
      viaFollower.close();
    }
  });
});
