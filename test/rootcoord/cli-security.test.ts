/**
 * A secured local cluster end to end: `scripts/cluster up --auth --tls` (real processes), rootcoordctl
 * managing users, roles and grants as root over TLS, and a user held to its grants.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freeBasePort } from '../../scripts/free-ports.js';

const run = promisify(execFile);
const clusterScript = fileURLToPath(new URL('../../scripts/cluster.js', import.meta.url));
const ctlScript = fileURLToPath(new URL('../../src/cli/rootcoordctl.js', import.meta.url));

describe('rootcoordctl on a cluster with authorization and TLS', function () {
  this.timeout(120_000);
  let dir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rootcoord-secure-'));
    const base = await freeBasePort(3);
    await run(process.execPath, [clusterScript, 'up', '--dir', dir, '--base-port', String(base), '--auth', '--tls']);
  });
  after(async () => {
    await run(process.execPath, [clusterScript, 'down', '--dir', dir, '--wipe']).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  /** rootcoordctl's exit code, stdout and stderr (a failure is an answer here, not an exception). */
  const ctl = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
    try {
      const r = await run(process.execPath, [ctlScript, '--dir', dir, ...args]);
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, out: e.stdout ?? '', err: e.stderr ?? '' };
    }
  };
  const asRoot = (...args: string[]): Promise<{ code: number; out: string; err: string }> => ctl('--user', 'root', '--password', 'Milvus', ...args);

  it('keeps root\'s password and the TLS key private, and the scripts sign in as root', async () => {
    expect((await stat(join(dir, 'root.password'))).mode & 0o077).to.equal(0);
    expect((await stat(join(dir, 'tls', 'key.pem'))).mode & 0o077).to.equal(0);
    const st = JSON.parse((await run(process.execPath, [clusterScript, 'status', '--json', '--dir', dir])).stdout) as { leader: number | null };
    expect(st.leader).to.not.equal(null);
  });

  it('refuses calls without credentials; root manages users, roles and grants; a user is held to its grants', async () => {
    const anonymous = await ctl('db', 'list');
    expect(anonymous.code).to.equal(1);
    expect(anonymous.err).to.match(/code 1400/);
    expect((await asRoot('user', 'create', 'alice', 'alice-password')).code).to.equal(0);
    expect((await asRoot('db', 'create', 'shop')).code).to.equal(0);
    expect((await asRoot('role', 'create', 'shop_admin')).code).to.equal(0);
    expect((await asRoot('role', 'grant', 'shop_admin', 'DatabaseAdmin', '--db', 'shop', '--v2')).code).to.equal(0);
    expect((await asRoot('role', 'bind', 'alice', 'shop_admin')).code).to.equal(0);
    const grants = JSON.parse((await asRoot('--json', 'grant', 'list', 'shop_admin')).out) as Array<{ privilege: string; dbName: string }>;
    expect(grants).to.deep.equal([{ role: 'shop_admin', objectType: 'Global', objectName: '*', dbName: 'shop', privilege: 'DatabaseAdmin', grantor: 'root' }]);

    const schema = join(fileURLToPath(new URL('../../../examples/', import.meta.url)), 'books.schema.json');
    const alice = (...args: string[]): Promise<{ code: number; out: string; err: string }> => ctl('--user', 'alice', '--password', 'alice-password', ...args);
    expect((await alice('--db', 'shop', 'collection', 'create', 'books', '--schema', schema)).code).to.equal(0);
    const denied = await alice('db', 'create', 'other');
    expect(denied.code).to.equal(1);
    expect(denied.err).to.match(/code 1401/);
    expect((await alice('user', 'passwd', 'alice', 'alice-password', 'alice-password-2')).code).to.equal(0);
    expect((await alice('db', 'list')).err).to.match(/code 1400/);

    const backup = JSON.parse((await asRoot('--json', 'rbac', 'backup')).out) as { users: Array<{ user: string }> };
    expect(backup.users.map((u) => u.user)).to.deep.equal(['alice']);
    expect(await readFile(join(dir, 'cluster.json'), 'utf8')).to.match(/"auth": true/);
  });
});
