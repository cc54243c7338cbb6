/**
 * A start that cleans up after itself (`scripts/cluster up`, and `npm start`, which is `up --foreground`):
 * a port that is taken is named with its node before anything starts, and a node that dies while the
 * cluster starts takes the others down with it; either way the command exits non-zero and leaves no
 * process behind.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeBasePort } from '../../scripts/free-ports.js';

const clusterScript = fileURLToPath(new URL('../../scripts/cluster.js', import.meta.url));

/** Runs scripts/cluster to its end (or kills it after `timeoutMs`): exit code and output. */
function cluster(args: string[], timeoutMs = 40_000, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [clusterScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** PIDs of the processes whose command line names `dir` (only this test's own temporary directories). */
function processesUsing(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

describe('scripts/cluster up cleans up after a failed start', function () {
  this.timeout(90_000);
  let dir = '';
  let blocker: Server | null = null;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rootcoord-start-'));
  });
  afterEach(async () => {
    blocker?.close();
    blocker = null;
    for (const pid of processesUsing(dir)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  for (const foreground of [false, true]) {
    it(`a taken port is named with its node, nothing starts, exit 1${foreground ? ' (npm start: --foreground)' : ''}`, async () => {
      const base = await freeBasePort(3);
      const port = base + 102;
      blocker = createServer();
      await new Promise<void>((resolve) => blocker?.listen(port, '127.0.0.1', resolve));
      const result = await cluster(['up', '--base-port', String(base), '--dir', dir, ...(foreground ? ['--foreground'] : [])]);
      expect(result.code, result.stderr).to.equal(1);
      expect(result.stderr).to.include(`127.0.0.1:${port} (node 2, raft peer port)`);
      expect(result.stderr).to.match(/--base-port \d+/);
      expect(existsSync(join(dir, 'cluster.json')), 'no cluster was recorded').to.equal(false);
      expect(processesUsing(dir)).to.deep.equal([]);
    });
  }

  it('a node that dies while the cluster starts: the others are stopped, the node is named, exit 1 (npm start: --foreground)', async () => {
    const base = await freeBasePort(3);
    // Node 2's data directory cannot be made: it is a file.
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'node-2'), 'not a directory');
    const result = await cluster(['up', '--base-port', String(base), '--dir', dir, '--foreground']);
    expect(result.code, result.stdout + result.stderr).to.equal(1);
    expect(result.stderr).to.include('node 2 exited with code 1 while the cluster was starting');
    expect(result.stderr).to.match(/stopped 2 process\(es\)/);
    expect(processesUsing(dir), 'nodes 1 and 3 stopped').to.deep.equal([]);
    // A cluster that never served is forgotten, so `up` with other ports starts afresh.
    expect(existsSync(join(dir, 'cluster.json'))).to.equal(false);
  });

  it('the same in the background: the node is named from its log', async () => {
    const base = await freeBasePort(3);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'node-3'), 'not a directory');
    const result = await cluster(['up', '--base-port', String(base), '--dir', dir]);
    expect(result.code, result.stdout + result.stderr).to.equal(1);
    expect(result.stderr).to.include('node 3 exited with code 1 while the cluster was starting');
    expect(processesUsing(dir)).to.deep.equal([]);
  });
});

describe('scripts/cluster up waits for nodes that take long to load', function () {
  this.timeout(120_000);
  let dir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rootcoord-slow-start-'));
  });
  after(async () => {
    await cluster(['down', '--dir', dir]);
    for (const pid of processesUsing(dir)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the leader 15 s from the moment every node answers, not from the start (a big catalog loads for longer)', async () => {
    const base = await freeBasePort(3);
    // Every node's main thread (not its worker threads, which inherit the flags) sits 16 s before it
    // starts, as a node loading 200,000 collections does for 8 s or more.
    const slowStart = "--import=data:text/javascript,import%7BisMainThread%7Dfrom'node:worker_threads';if(isMainThread)await%20new%20Promise((r)=>setTimeout(r,16000))";
    const result = await cluster(['up', '--base-port', String(base), '--dir', dir], 90_000, { ...process.env, ROOTCOORD_NODE_FLAGS: slowStart });
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.include('waiting for nodes 1, 2, 3 to load their catalogs and answer');
    // Every node runs with 32 MB semi-spaces, a 128 MB floor under its old-generation limit and limits that
    // grow by half the live heap (before the operator's flags, which win), and libuv's pool at 16.
    const nodes = processesUsing(dir);
    expect(nodes).to.have.length(3);
    for (const pid of nodes) {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(args.indexOf('--max-semi-space-size=32'), args.join(' ')).to.be.within(0, args.indexOf(slowStart) - 1);
      expect(args.indexOf('--initial-old-space-size=128'), args.join(' ')).to.be.within(0, args.indexOf(slowStart) - 1);
      expect(args.indexOf('--heap-growing-percent=50'), args.join(' ')).to.be.within(0, args.indexOf(slowStart) - 1);
      expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).to.include(`UV_THREADPOOL_SIZE=${process.env['UV_THREADPOOL_SIZE'] ?? '16'}`);
    }
  });
});
