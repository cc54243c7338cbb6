/**
 * `rootcoord --limit name=value`: a value that is not a non-negative number is refused at start (it
 * became NaN, and a limit compared with NaN is never reached: the limit was silently off); a string
 * limit keeps everything after the first '='. `--config F`: every flag from a JSON or YAML file, the
 * command line winning, every bad setting refused naming it; --help shows the defaults.
 */
import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePortBase } from '../../scripts/free-ports.js';
import { defaultLimits } from '../../src/ddl/limits.js';
import { parseArgs } from '../../src/main.js';

const base = ['--id', '1', '--data-dir', '/tmp/unused', '--peers', '1=127.0.0.1:1', '--clients', '1=127.0.0.1:2'];

/** A node process (src/main.js) with these flags. */
function startNode(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [fileURLToPath(new URL('../../src/main.js', import.meta.url)), ...args], { stdio: 'ignore' });
}

/** Whether the node whose metrics are at `address` answers /readyz within `ms` (polled). */
async function readyWithin(address: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await fetch(`http://${address}/readyz`).then((r) => r.ok, () => false)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** Each thread's nice value (Linux /proc): field 19 of its stat, the 17th after the command name's closing parenthesis. */
function threadNices(pid: number): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    nices.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return nices;
}

/** SIGTERM to a node still running, and its exit. */
async function stopNode(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('rootcoord --limit', () => {
  it('refuses a numeric limit that is not a non-negative number, naming it', () => {
    for (const bad of ['maxInflightRequests=lots', 'maxInflightRequests=', 'maxPartitionNum=-1', 'maxRequestBytes=1e999']) {
      expect(() => parseArgs([...base, '--limit', bad]), bad).to.throw(/--limit \w+: want a non-negative number/);
    }
    expect(() => parseArgs([...base, '--limit', 'noSuchLimit=1'])).to.throw(/unknown limit/);
  });

  it('takes numbers, and a string limit whole', () => {
    const config = parseArgs([...base, '--limit', 'maxInflightRequests=12', '--limit', 'clusterPrefix=a=b']);
    expect(config.limits.maxInflightRequests).to.equal(12);
    expect(config.limits.clusterPrefix).to.equal('a=b');
  });
});

describe('rootcoord --config', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rootcoord-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('takes every kind of setting from JSON: values, members as objects, limits as an object, switches', () => {
    const f = file('node.json', JSON.stringify({
      id: 2, 'data-dir': '/tmp/unused-2', peers: { 1: '127.0.0.1:1', 2: '127.0.0.1:2' }, clients: '1=127.0.0.1:3,2=127.0.0.1:4',
      'metrics-address': '127.0.0.1:5', 'tick-ms': 20, 'election-ticks': 10, 'heartbeat-ticks': 2, 'snapshot-entries': 500, 'snapshot-entries-kept': 50,
      'time-tick-ms': 100, secret: 's3', auth: true, join: false, limit: { maxDatabaseNum: 7, clusterPrefix: 'x' }, 'root-password': 'pw123456',
    }));
    const config = parseArgs(['--config', f]);
    expect(config.id).to.equal(2);
    expect(config.members.get(1)?.peer).to.equal('127.0.0.1:1');
    expect(config.clientAddress).to.equal('127.0.0.1:4');
    expect(config.metricsAddress).to.equal('127.0.0.1:5');
    expect([config.tickIntervalMs, config.electionTicks, config.heartbeatTicks, config.snapshotEntries, config.snapshotEntriesKept, config.timeTickIntervalMs]).to.deep.equal([20, 10, 2, 500, 50, 100]);
    expect(config.secret).to.equal('s3');
    expect(config.security?.authorizationEnabled).to.equal(true);
    expect(config.security?.rootPassword).to.equal('pw123456');
    expect(config.join).to.equal(false);
    expect(config.limits.maxDatabaseNum).to.equal(7);
    expect(config.limits.clusterPrefix).to.equal('x');
  });

  it('reads YAML, and the command line wins over the file (limits: both, the command line last)', () => {
    const f = file('node.yaml', ['# a node', 'id: 1', 'data-dir: /tmp/unused', 'peers: "1=127.0.0.1:1"', 'clients:', '  1: 127.0.0.1:2', 'tick-ms: 30', 'limit:', '  maxDatabaseNum: 9', '  maxUserNum: 5', ''].join('\n'));
    const config = parseArgs(['--config', f, '--tick-ms', '40', '--limit', 'maxUserNum=6']);
    expect(config.tickIntervalMs).to.equal(40);
    expect(config.limits.maxDatabaseNum).to.equal(9);
    expect(config.limits.maxUserNum).to.equal(6);
    expect(config.clientAddress).to.equal('127.0.0.1:2');
  });

  it('refuses a bad file or setting with an error naming it', () => {
    const bad = (settings: Record<string, unknown>): string => file(`bad-${Math.random()}.json`, JSON.stringify({ id: 1, 'data-dir': '/tmp/x', peers: '1=127.0.0.1:1', clients: '1=127.0.0.1:2', ...settings }));
    expect(() => parseArgs(['--config', bad({ 'tick-msec': 5 })])).to.throw(/unknown setting "tick-msec"/);
    expect(() => parseArgs(['--config', bad({ 'tick-ms': 'fast' })])).to.throw(/setting "tick-ms" in .* must be a number/);
    expect(() => parseArgs(['--config', bad({ 'snapshot-entries': 1.5 })])).to.throw(/setting "snapshot-entries" in .* must be an integer/);
    expect(() => parseArgs(['--config', bad({ 'election-ticks': 2, 'heartbeat-ticks': 2 })])).to.throw(/setting "election-ticks" in .* must exceed setting "heartbeat-ticks"/);
    expect(() => parseArgs(['--config', bad({ auth: 'yes' })])).to.throw(/setting "auth" in .*: want true or false/);
    expect(() => parseArgs(['--config', bad({ secret: { a: 1 } })])).to.throw(/setting "secret" in .*: want a string or a number/);
    expect(() => parseArgs(['--config', bad({ limit: { maxDatabaseNum: -1 } })])).to.throw(/"limit" in .* maxDatabaseNum: want a non-negative number/);
    expect(() => parseArgs(['--config', bad({ peers: { 1: '127.0.0.1' } })])).to.throw(/setting "peers" in .*: bad member/);
    expect(() => parseArgs(['--config', file('broken.json', '{"id": 1,')])).to.throw(/broken\.json: not valid JSON/);
    expect(() => parseArgs(['--config', file('list.yaml', '- id: 1')])).to.throw(/want an object of settings/);
    expect(() => parseArgs(['--config', join(dir, 'missing.json')])).to.throw(/--config .*missing\.json/);
    expect(() => parseArgs([...base, '--tick-msec', '5'])).to.throw(/unknown flag --tick-msec/);
  });

  it('a node starts from a YAML config file alone and serves', async function () {
    this.timeout(30_000);
    const base = await freePortBase([1, 101, 201]);
    const f = file('live.yaml', [`id: 1`, `data-dir: ${join(dir, 'live-data')}`, `peers: {1: "127.0.0.1:${base + 101}"}`, `clients: {1: "127.0.0.1:${base + 1}"}`, `metrics-address: 127.0.0.1:${base + 201}`, `log-file: ${join(dir, 'live.log')}`, ''].join('\n'));
    const child = startNode(['--config', f]);
    try {
      expect(await readyWithin(`127.0.0.1:${base + 201}`, 20_000), 'the node became ready').to.equal(true);
    } finally {
      await stopNode(child);
    }
  });

  it('--help lists the defaults, every limit with its own', () => {
    const help = execFileSync(process.execPath, [fileURLToPath(new URL('../../src/main.js', import.meta.url)), '--help'], { encoding: 'utf8' });
    expect(help).to.include('--config F');
    expect(help).to.match(/--tick-ms N +raft tick interval \(default 50\)/);
    for (const [name, value] of Object.entries(defaultLimits)) expect(help).to.include(`${name}=${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  });
});

describe('rootcoord --raft-nice, --request-nice', () => {
  it('takes nice values from -20 to 19, the Raft thread never below the request thread', () => {
    const config = parseArgs([...base, '--raft-nice', '-10', '--request-nice', '-5']);
    expect([config.raftNice, config.requestNice]).to.deep.equal([-10, -5]);
    const none = parseArgs(base);
    expect([none.raftNice, none.requestNice]).to.deep.equal([undefined, undefined]);
    for (const bad of ['20', '-21', '1.5', 'x', '']) expect(() => parseArgs([...base, '--raft-nice', bad]), bad).to.throw(/--raft-nice must be an integer from -20 to 19/);
    expect(() => parseArgs([...base, '--raft-nice', '5', '--request-nice', '3'])).to.throw(/--raft-nice \(5\) must not be above --request-nice \(3\)/);
  });

  it('a Raft thread lowered alone lowers the request thread with it (Linux)', async function () {
    this.timeout(30_000);
    if (!existsSync('/proc/self/task') || getPriority() >= 3) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'rootcoord-nice-'));
    const port = await freePortBase([1, 101, 201]);
    const child = startNode(['--id', '1', '--data-dir', join(dir, 'data'), '--peers', `1=127.0.0.1:${port + 101}`, '--clients', `1=127.0.0.1:${port + 1}`, '--metrics-address', `127.0.0.1:${port + 201}`, '--milvus-address', 'none', '--log-file', join(dir, 'log'), '--raft-nice', '3']);
    try {
      expect(await readyWithin(`127.0.0.1:${port + 201}`, 20_000), 'the node became ready').to.equal(true);
      expect(threadNices(child.pid as number).get(child.pid as number), 'the request thread').to.equal(3);
    } finally {
      await stopNode(child);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sets each thread's own value in a running node (Linux)", async function () {
    this.timeout(30_000);
    // Values above this process's own need no privilege; /proc shows each thread's.
    if (!existsSync('/proc/self/task') || getPriority() >= 2) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'rootcoord-nice-'));
    const port = await freePortBase([1, 101, 201]);
    const child = startNode(['--id', '1', '--data-dir', join(dir, 'data'), '--peers', `1=127.0.0.1:${port + 101}`, '--clients', `1=127.0.0.1:${port + 1}`, '--metrics-address', `127.0.0.1:${port + 201}`, '--milvus-address', 'none', '--log-file', join(dir, 'log'), '--raft-nice', '2', '--request-nice', '4']);
    try {
      expect(await readyWithin(`127.0.0.1:${port + 201}`, 20_000), 'the node became ready').to.equal(true);
      const nices = threadNices(child.pid as number);
      expect(nices.get(child.pid as number), 'the request thread (the main thread)').to.equal(4);
      expect([...nices.values()].filter((nice) => nice === 2), 'the Raft thread').to.have.length(1);
    } finally {
      await stopNode(child);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
