/**
 * A start that cleans up after itself (`scripts/cluster up`, and `npm start`, which is `up --foreground`):
 * a port that is taken is named with its node before anything starts, and a node that dies while the
 * cluster starts takes the others down with it; either way the command exits non-zero and leaves no
 * process behind.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeBasePort } from '../../scripts/free-ports.js';
import { nextNodeId } from '../../scripts/node-ids.js';

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

/**
 * A fresh temporary directory for each test of the suite (`dir()`), whose processes are killed and which
 * is removed after each.
 */
function eachTestDir(prefix: string): () => string {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    for (const pid of processesUsing(dir)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}

describe("scripts/cluster's command line", function () {
  this.timeout(60_000);
  const tempDir = eachTestDir('rootcoord-cli-');

  it('--help prints the usage and starts nothing, for the script and for a command', async () => {
    const dir = tempDir();
    const cluster1 = join(dir, 'never');
    for (const args of [['--help'], ['up', '--help', '--dir', cluster1]]) {
      const result = await cluster(args);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.include('usage: scripts/cluster');
      expect(result.stdout).to.include('add [--dir .cluster]');
    }
    expect(existsSync(cluster1), 'no cluster directory made').to.equal(false);
    expect(processesUsing(dir)).to.deep.equal([]);
  });

  it('a flag a command does not take (a typo), a repeated one or an argument too many: exit 2, naming it, nothing started', async () => {
    const dir = tempDir();
    const cases: Array<[string[], string]> = [
      [['up', '--base-prot', '47000', '--dir', join(dir, 'c')], '--base-prot'],
      [['status', '--bogus', '--dir', join(dir, 'c')], '--bogus'],
      [['up', '--nodes', '3', '--nodes', '5', '--dir', join(dir, 'c')], '--nodes'],
      [['start', '1', '2', '--dir', join(dir, 'c')], 'unexpected argument 2'],
    ];
    for (const [args, named] of cases) {
      const result = await cluster(args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).to.equal(2);
      expect(result.stderr).to.include(named);
    }
    expect(existsSync(join(dir, 'c', 'cluster.json'))).to.equal(false);
    expect(processesUsing(dir)).to.deep.equal([]);
  });

  it('an added member takes an ID this cluster never had: not a removed member\'s, whose data directory stays', () => {
    expect(nextNodeId(undefined, [1, 2, 3], ['node-1', 'node-2', 'node-3', 'cluster.json', 'node-1.log'])).to.equal(4);
    // 4 was added, then removed: cluster.json no longer lists it, its directory stays.
    expect(nextNodeId(4, [1, 2, 3], ['node-1', 'node-2', 'node-3', 'node-4'])).to.equal(5);
    // A cluster.json of an older build (no lastNodeId): the directories tell.
    expect(nextNodeId(undefined, [1, 2, 3], ['node-1', 'node-2', 'node-3', 'node-4', 'node-4.log'])).to.equal(5);
    expect(nextNodeId(7, [1, 2], [])).to.equal(8);
  });
});

describe('npm start (up --foreground): Ctrl-C', function () {
  this.timeout(120_000);
  const tempDir = eachTestDir('rootcoord-ctrlc-');

  it('stops every node of the cluster, one restarted with `scripts/cluster start` since included', async () => {
    const dir = tempDir();
    const base = await freeBasePort(3);
    const foreground = spawn(process.execPath, [clusterScript, 'up', '--base-port', String(base), '--dir', dir, '--foreground'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const closed = new Promise<number | null>((resolve) => foreground.on('close', resolve));
    let output = '';
    foreground.stdout.on('data', (d: Buffer) => (output += d.toString()));
    foreground.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 90_000;
    while (!output.includes('Ctrl-C stops all nodes')) {
      if (Date.now() > deadline) throw new Error(`the cluster did not come up: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const killed = await cluster(['kill', '2', '--signal', 'TERM', '--wait', '--dir', dir]);
    expect(killed.code, killed.stderr).to.equal(0);
    // Its log gone, a member must not start again under its ID (it would have forgotten its votes).
    renameSync(join(dir, 'node-2', 'raft'), join(dir, 'node-2', 'raft-away'));
    const refused = await cluster(['start', '2', '--dir', dir]);
    expect(refused.code).to.not.equal(0);
    expect(refused.stderr).to.include('node 2 has no raft log').and.to.include('scripts/cluster remove 2');
    renameSync(join(dir, 'node-2', 'raft-away'), join(dir, 'node-2', 'raft'));
    // A catalog the node refuses: `start` waits for it and says why, with exit code 1 (before session
    // 36 it said "started node 2" and exited 0, the refusal only in the node's log).
    const current = readFileSync(join(dir, 'node-2', 'meta', 'CURRENT'));
    writeFileSync(join(dir, 'node-2', 'meta', 'CURRENT'), 'MANIFEST-999999\n');
    const damaged = await cluster(['start', '2', '--dir', dir]);
    expect(damaged.code, damaged.stdout).to.equal(1);
    expect(damaged.stderr).to.include('node 2 exited with code 1 as it started').and.to.include('scripts/cluster remove');
    writeFileSync(join(dir, 'node-2', 'meta', 'CURRENT'), current);
    const started = await cluster(['start', '2', '--dir', dir]);
    expect(started.code, started.stderr).to.equal(0);
    expect(started.stdout).to.match(/started node 2 \(pid \d+\), listening after/);
    const restarted = (JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { nodes: Array<{ id: number; pid: number }> }).nodes.find((n) => n.id === 2)?.pid;
    expect(processesUsing(dir)).to.include(restarted);
    foreground.kill('SIGINT');
    expect(await closed).to.equal(0);
    expect(processesUsing(dir), 'every node stopped, the restarted one too').to.deep.equal([]);
    // `up` again with a member's log gone: refused before anything starts.
    renameSync(join(dir, 'node-3', 'raft'), join(dir, 'node-3', 'raft-away'));
    const again = await cluster(['up', '--dir', dir]);
    expect(again.code).to.not.equal(0);
    expect(again.stderr).to.include('node 3 has no raft log');
    expect(processesUsing(dir)).to.deep.equal([]);
  });
});
