/**
 * scripts/cluster up on a cluster made before keeps the settings it was made with, and says so when
 * the flags given differ (a restart with another --snapshot-entries-kept looked as if it had taken it).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freeBasePort } from '../../scripts/free-ports.js';

const run = promisify(execFile);
const clusterScript = fileURLToPath(new URL('../../scripts/cluster.js', import.meta.url));

describe('scripts/cluster up of a cluster made before', function () {
  this.timeout(120_000);
  let dir = '';
  const cluster = async (...args: string[]): Promise<{ stdout: string; stderr: string }> => run(process.execPath, [clusterScript, ...args, '--dir', dir]);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rootcoord-settings-'));
  });
  after(async () => {
    await cluster('down', '--wipe').catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps its settings and names the flags it did not take', async () => {
    const base = String(await freeBasePort(1));
    await cluster('up', '--nodes', '1', '--base-port', base, '--snapshot-entries-kept', '700');
    await cluster('down');
    const again = await cluster('up', '--nodes', '1', '--base-port', base, '--snapshot-entries-kept', '900', '--chaos');
    expect(again.stderr).to.match(/--snapshot-entries-kept 900, --chaos not taken: the cluster in .* keeps the settings it was made with/);
    await cluster('down');
    // The same settings again: nothing to say.
    const same = await cluster('up', '--nodes', '1', '--base-port', base, '--snapshot-entries-kept', '700');
    expect(same.stderr).to.not.match(/not taken/);
  });
});
