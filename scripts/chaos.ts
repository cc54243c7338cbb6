/**
 * scripts/chaos: start a cluster, drive concurrent DDL, reads, AllocTimestamp and AllocID while injecting
 * faults on a seeded schedule, record every operation, and check the history. Flags: USAGE below
 * (`scripts/chaos --help`). Prints progress as it runs and a JSON summary; exits 0 only when nothing is
 * violated.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Prng } from '../raft/prng.js';
import { parseCommandLine } from '../src/common/command-line.js';
import { checkHistory, firstViolation } from './check/linearizability.js';
import type { Operation } from './check/linearizability.js';
import { metadataModel } from './check/metadata-model.js';
import type { MetaInput, MetaOutput } from './check/metadata-model.js';
import { CHECKED_PROPERTY, randomMetaInput, randomMetaRead, randomRbacInput } from './check/metadata-workload.js';
import { RootCoordClient, RootCoordError } from '../src/client/root-coord-client.js';
import { ErrorCodes } from '../src/protocol/error-codes.js';
import { percentile, svgChart } from './bench-lib.js';
import type { Band } from './bench-lib.js';
import { freeBasePort } from './free-ports.js';
import { readDigests, REPLICA_CHECK_LOG_LINES } from './replicas.js';
import { countLoggedLines, messageNeedle } from './node-log.js';
import { checkReplicas } from '../src/client/replica-check.js';

/** How often the leader checks the replicas during a chaos run (replicaCheckIntervalMs). */
const REPLICA_CHECK_INTERVAL_MS = 10_000;
/** Collections and request IDs per part of a memory check during a chaos run (replicaMemoryCheckPart): a run keeps thousands of request IDs. */
const MEMORY_CHECK_PART_IN_CHAOS = 2_000;
/** The nodes' `--snapshot-entries` and `--snapshot-entries-kept` (see main). */
const SNAPSHOT_ENTRIES = 1_000;
const SNAPSHOT_ENTRIES_KEPT = 100;
/**
 * What the nodes' logs say of snapshots: catalog copies leaders made for peers that needed one, and
 * snapshots nodes restored (a received one, or at a start, a node's own newest when its catalog was behind it).
 */
const SNAPSHOT_LOG_LINES = {
  copiesForPeers: messageNeedle('made a copy of the state machine for a peer that needs a snapshot'),
  restored: messageNeedle('state machine restored from a snapshot'),
} as const;

const run = promisify(execFile);
const clusterScript = fileURLToPath(new URL('./cluster.js', import.meta.url));
const FAULT_KINDS = ['kill', 'pause', 'partition', 'restart', 'clock', 'delay', 'torn', 'load'] as const;
type FaultKind = (typeof FAULT_KINDS)[number];
const SCHEMA = { fields: [{ name: 'id', data_type: 'Int64', is_primary_key: true }, { name: 'v', data_type: 'FloatVector', dim: 8 }] };
/** Name groups (see randomMetaInput); names change every epoch, so long histories split up. */
const GROUPS = ['g0', 'g1', 'g2', 'g3', 'g4'];
const CHAOS_USER = 'chaos';
const CHAOS_PASSWORD = 'chaos-password';
/** Codes after which a call certainly did not take effect. */
const DEFINITE_CODES = new Set<number>((['CollectionNotFound', 'DatabaseNotFound', 'DatabaseNumLimitExceeded', 'ParameterInvalid', 'AliasNotFound', 'AliasCollectionNameConflict', 'AliasAlreadyExist', 'QueueFull', 'Unexpected'] as const).map((name) => ErrorCodes[name].code));

interface Args {
  durationSeconds: number;
  seed: number;
  nodes: number;
  clients: number;
  /**
   * Readers per node that only ever talk to that node (as a proxy beside it would): they read from an
   * isolated or lagging node for as long as it answers, where a read that skips the ReadIndex barrier
   * returns stale data. Clients that rotate leave such a node at their first failed call.
   */
  pinnedReaders: number;
  faults: FaultKind[];
  dir: string | null;
  report: string | null;
  staleReads: boolean;
  /** Run the cluster with authorization on; every client signs in as a member of admin. */
  auth: boolean;
  /** How often kill and pause faults pick the leader rather than any node. */
  leaderBias: number;
  /** Collection names change every epoch, so long histories split into independently checkable parts. */
  epochSeconds: number;
  /** Clients of one load fault (a burst: half create and drop a collection of their own, half allocate timestamps). */
  burstClients: number;
}

const USAGE = `usage: scripts/chaos [--duration-seconds 60] [--seed N] [--nodes 3] [--clients 8] [--pinned-readers 1]
                     [--faults ${FAULT_KINDS.join(',')}] [--dir DIR] [--report FILE]
                     [--unsafe stale-reads] [--leader-bias 0.7] [--epoch-seconds 60] [--burst-clients 300] [--auth]
Starts a cluster, drives concurrent DDL, reads, AllocTimestamp and AllocID while injecting the faults
on the seed's schedule, records every operation and checks the history (see the README, "Chaos").
Exits 0 only when nothing is violated.`;

const VALUE_FLAGS = ['duration-seconds', 'seed', 'nodes', 'clients', 'pinned-readers', 'faults', 'dir', 'report', 'leader-bias', 'epoch-seconds', 'burst-clients', 'unsafe'];

function parseArgs(argv: string[]): Args {
  const args: Args = { durationSeconds: 60, seed: 1, nodes: 3, clients: 8, pinnedReaders: 1, faults: [...FAULT_KINDS], dir: null, report: null, staleReads: false, auth: false, leaderBias: 0.7, epochSeconds: 60, burstClients: 300 };
  for (const arg of parseCommandLine(argv, { switches: ['auth', 'help'], values: VALUE_FLAGS })) {
    if (arg.kind === 'switch') {
      if (arg.name === 'help') {
        console.log(USAGE);
        process.exit(0);
      }
      args.auth = true;
      continue;
    }
    // Anything but a known flag with its value: an unknown flag takes the next argument, as ever, before it is refused.
    const flag = arg.kind === 'positional' ? arg.value : `--${arg.name}`;
    const value = arg.kind === 'value' ? arg.value : argv[arg.index + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (arg.kind !== 'value') throw new Error(`unknown flag ${flag}`);
    switch (flag) {
      case '--duration-seconds':
        args.durationSeconds = Number(value);
        break;
      case '--seed':
        args.seed = Number(value);
        break;
      case '--nodes':
        args.nodes = Number(value);
        break;
      case '--clients':
        args.clients = Number(value);
        break;
      case '--pinned-readers':
        args.pinnedReaders = Number(value);
        break;
      case '--faults':
        args.faults = value.split(',').filter((f): f is FaultKind => (FAULT_KINDS as readonly string[]).includes(f));
        break;
      case '--dir':
        args.dir = resolve(value);
        break;
      case '--report':
        args.report = resolve(value);
        break;
      case '--leader-bias':
        args.leaderBias = Number(value);
        break;
      case '--epoch-seconds':
        args.epochSeconds = Number(value);
        break;
      case '--burst-clients':
        args.burstClients = Number(value);
        break;
      case '--unsafe':
        if (value !== 'stale-reads') throw new Error('--unsafe takes stale-reads');
        args.staleReads = true;
        break;
      default:
        throw new Error(`unknown flag ${String(flag)}`);
    }
  }
  return args;
}

interface Alloc {
  readonly invoke: number;
  readonly complete: number;
  readonly first: bigint;
  readonly count: number;
}

interface FaultRecord {
  kind: FaultKind;
  target: number;
  /** The target was the leader when the fault began. */
  leader: boolean;
  startMs: number;
  endMs: number;
  detail: string;
}

/** One catalog operation through the client: a write answers `{ code: 0 }`, a read what it observed. */
async function invokeMeta(client: RootCoordClient, input: MetaInput): Promise<MetaOutput> {
  const c = input.collection;
  const alias = input.alias ?? '';
  const database = input.database ?? '';
  const user = input.user ?? '';
  const role = input.role ?? '';
  const write = async (call: Promise<unknown>): Promise<MetaOutput> => {
    await call;
    return { code: 0 };
  };
  switch (input.op) {
    case 'createCollection':
      return write(client.createCollection(c, SCHEMA));
    case 'dropCollection':
      return write(client.dropCollection(c));
    case 'hasCollection':
      return { code: 0, exists: (await client.hasCollection(c))['value'] === true };
    case 'createPartition':
      return write(client.createPartition(c, input.partition as string));
    case 'dropPartition':
      return write(client.dropPartition(c, input.partition as string));
    case 'showPartitions':
      return { code: 0, partitions: (await client.showPartitions(c))['partition_names'] as string[] };
    case 'renameCollection':
      return write(client.renameCollection(c, input.newName ?? ''));
    case 'alterCollection':
      return write(client.alterCollection(c, { [CHECKED_PROPERTY]: input.value ?? '' }));
    case 'describeCollection': {
      const properties = ((await client.describeCollection(c))['properties'] ?? []) as Array<{ key: string; value: string }>;
      return { code: 0, value: properties.find((p) => p.key === CHECKED_PROPERTY)?.value ?? null };
    }
    case 'createAlias':
      return write(client.createAlias(c, alias));
    case 'dropAlias':
      return write(client.dropAlias(alias));
    case 'alterAlias':
      return write(client.alterAlias(c, alias));
    case 'describeAlias':
      return { code: 0, value: String((await client.describeAlias(alias))['collection']) };
    case 'createDatabase':
      return write(client.createDatabase(database));
    case 'dropDatabase':
      return write(client.dropDatabase(database));
    case 'listDatabases':
      return { code: 0, exists: ((await client.listDatabases())['db_names'] as string[]).includes(database) };
    case 'createUser':
      return write(client.createCredential(user, 'chaos-user-password'));
    case 'deleteUser':
      return write(client.deleteCredential(user));
    case 'createRole':
      return write(client.createRole(role));
    case 'dropRole':
      return write(client.dropRole(role, true));
    case 'bindRole':
      return write(client.operateUserRole(user, role, true));
    case 'unbindRole':
      return write(client.operateUserRole(user, role, false));
    case 'selectUser': {
      const found = (await client.selectUser(user, true))[0];
      return found === undefined ? { code: 0 } : { code: 0, roles: found.roles };
    }
    case 'selectRole':
      return { code: 0, exists: (await client.selectRole(role, false)).length > 0 };
  }
}

class Chaos {
  readonly meta: Operation<MetaInput, MetaOutput>[] = [];
  readonly timestamps: Alloc[] = [];
  readonly ids: Alloc[] = [];
  readonly completions: number[] = [];
  counts = { ok: 0, failed: 0, unknown: 0 };
  leaderKills = 0;
  readonly faults: FaultRecord[] = [];
  /** Answers to the load faults' calls, by code (0: success); they are outside the checked history. */
  readonly burstAnswers: Record<string, number> = {};
  /** The first reason of each failure code among the load faults' answers. */
  readonly burstReasons: Record<string, string> = {};
  private bursts = 0;
  private stopping = false;
  private readonly t0 = performance.now();
  nodes: Array<{ id: number; client: string }> = [];
  private readonly paused = new Set<number>();
  private readonly dead = new Set<number>();

  constructor(
    readonly args: Args,
    readonly dir: string,
    private readonly prng: Prng,
  ) {}

  now(): number {
    return performance.now() - this.t0;
  }

  cluster(...a: string[]): Promise<string> {
    return run(process.execPath, [clusterScript, ...a, '--dir', this.dir]).then((r) => r.stdout);
  }

  async status(): Promise<{ leader: number | null; nodes: Array<{ id: number; alive: boolean; appliedIndex: number | null }> }> {
    return JSON.parse(await this.cluster('status', '--json')) as { leader: number | null; nodes: Array<{ id: number; alive: boolean; appliedIndex: number | null }> };
  }

  // ---- clients ----

  /** With --auth: the workload's user, a member of admin (so every call passes its privilege check). */
  credentials(): { user?: string; password?: string } {
    return this.args.auth ? { user: CHAOS_USER, password: CHAOS_PASSWORD } : {};
  }

  /** With --auth: root creates the workload's user and binds it to admin. */
  async setUpAuth(): Promise<void> {
    if (!this.args.auth) return;
    const root = new RootCoordClient({ endpoints: this.nodes.map((n) => n.client), retryBudgetMs: 10_000, user: 'root', password: 'Milvus' });
    try {
      await root.createCredential(CHAOS_USER, CHAOS_PASSWORD);
      await root.operateUserRole(CHAOS_USER, 'admin', true);
    } finally {
      root.close();
    }
  }

  async worker(index: number): Promise<void> {
    const endpoints = this.nodes.map((n) => n.client);
    const rotated = [...endpoints.slice(index % endpoints.length), ...endpoints.slice(0, index % endpoints.length)];
    const client = new RootCoordClient({ endpoints: rotated, retryBudgetMs: 2000, attemptDeadlineMs: 2000, staleReads: this.args.staleReads, ...this.credentials() });
    const prng = new Prng(this.args.seed * 1000 + index);
    try {
      while (!this.stopping) await this.oneOp(client, prng, index);
    } finally {
      client.close();
    }
  }

  /** A client bound to one node that only reads (see Args.pinnedReaders). */
  async pinnedReader(node: { client: string }, clientId: number): Promise<void> {
    const client = new RootCoordClient({ endpoints: [node.client], retryBudgetMs: 500, attemptDeadlineMs: 2000, staleReads: this.args.staleReads, ...this.credentials() });
    const prng = new Prng(this.args.seed * 1000 + clientId);
    try {
      while (!this.stopping) {
        const epoch = Math.floor(this.now() / (this.args.epochSeconds * 1000));
        await this.metaOp(client, clientId, randomMetaRead(prng, `${prng.pick(GROUPS)}_e${epoch}`));
      }
    } finally {
      client.close();
    }
  }

  private async oneOp(client: RootCoordClient, prng: Prng, clientId: number): Promise<void> {
    const roll = prng.intBelow(100);
    if (roll < 12) return this.alloc(client, prng, 'ts');
    if (roll < 20) return this.alloc(client, prng, 'id');
    const epoch = Math.floor(this.now() / (this.args.epochSeconds * 1000));
    const group = `${prng.pick(GROUPS)}_e${epoch}`;
    await this.metaOp(client, clientId, roll < 92 ? randomMetaInput(prng, group) : randomRbacInput(prng, group));
  }

  async metaOp(client: RootCoordClient, clientId: number, input: MetaInput): Promise<void> {
    const callTime = this.now();
    let output: MetaOutput = null;
    let returnTime = Infinity;
    try {
      output = await invokeMeta(client, input);
      returnTime = this.now();
      this.counts.ok++;
      this.completions.push(returnTime);
    } catch (error) {
      // A definite failure only if no earlier attempt might have been executed (see lastCallAttempts).
      if (error instanceof RootCoordError && DEFINITE_CODES.has(error.code) && client.lastCallAttempts === 1) {
        output = { code: error.code };
        returnTime = this.now();
        this.counts.failed++;
      } else {
        this.counts.unknown++;
      }
    }
    this.meta.push({ clientId, input, output, callTime, returnTime });
  }

  private async alloc(client: RootCoordClient, prng: Prng, what: 'ts' | 'id'): Promise<void> {
    const count = prng.intBetween(1, 5);
    const invoke = this.now();
    try {
      const first = what === 'ts' ? (await client.allocTimestamp(count)).timestamp : (await client.allocId(count)).id;
      const complete = this.now();
      (what === 'ts' ? this.timestamps : this.ids).push({ invoke, complete, first, count });
      this.counts.ok++;
      this.completions.push(complete);
    } catch {
      this.counts.unknown++;
    }
  }

  // ---- faults ----

  private async admin(id: number, method: string, request: Record<string, unknown>): Promise<void> {
    const node = this.nodes.find((n) => n.id === id);
    if (node === undefined || this.dead.has(id) || this.paused.has(id)) return;
    const client = new RootCoordClient({ endpoints: [node.client], retryBudgetMs: 0, attemptDeadlineMs: 2000, ...this.credentials() });
    try {
      await client.call(method, request, 'admin');
    } catch {
      // a node that does not answer keeps whatever faults it had; healing retries it
    } finally {
      client.close();
    }
  }

  async faultLoop(): Promise<void> {
    if (this.args.faults.length === 0) return;
    while (!this.stopping) {
      await new Promise((r) => setTimeout(r, this.prng.intBetween(1500, 4000)));
      if (this.stopping) break;
      const kind = this.prng.pick(this.args.faults);
      await this.inject(kind).catch((error: unknown) => console.log(`  fault ${kind} failed: ${(error as Error).message}`));
    }
  }

  private async inject(kind: FaultKind): Promise<void> {
    const st = await this.status();
    const leader = st.leader;
    const alive = st.nodes.filter((n) => n.alive).map((n) => n.id);
    const target = leader !== null && this.prng.chance(this.args.leaderBias) ? leader : this.prng.pick(alive);
    const record: FaultRecord = { kind, target, leader: target === leader, startMs: this.now(), endMs: 0, detail: '' };
    if (target === leader && (kind === 'kill' || kind === 'torn')) this.leaderKills++;
    const holdMs = this.prng.intBetween(800, 2500);
    switch (kind) {
      case 'kill':
        await this.cluster('kill', String(target), '--wait');
        this.dead.add(target);
        await new Promise((r) => setTimeout(r, holdMs));
        await this.cluster('start', String(target));
        this.dead.delete(target);
        record.detail = `kill -9, restarted after ${holdMs} ms`;
        break;
      case 'restart':
        // --wait: a node may take more than a second to stop on a busy machine, and `start` refuses a
        // node still running (it was left down for the rest of a run that way).
        await this.cluster('kill', String(target), '--signal', 'TERM', '--wait');
        this.dead.add(target);
        await new Promise((r) => setTimeout(r, 1200));
        await this.cluster('start', String(target));
        this.dead.delete(target);
        record.detail = 'SIGTERM, restarted';
        break;
      case 'pause':
        await this.cluster('kill', String(target), '--signal', 'STOP');
        this.paused.add(target);
        await new Promise((r) => setTimeout(r, holdMs));
        await this.cluster('kill', String(target), '--signal', 'CONT');
        this.paused.delete(target);
        record.detail = `SIGSTOP for ${holdMs} ms`;
        break;
      case 'partition': {
        const others = this.nodes.map((n) => n.id).filter((id) => id !== target);
        const oneWay = this.prng.chance(0.3);
        await this.admin(target, 'InjectFaults', { drop_to: others.map(String), drop_from: oneWay ? [] : others.map(String), delay_ms: 0, clock_skew_ms: '0' });
        for (const id of others) await this.admin(id, 'InjectFaults', { drop_to: oneWay ? [] : [String(target)], drop_from: [String(target)], delay_ms: 0, clock_skew_ms: '0' });
        await new Promise((r) => setTimeout(r, holdMs));
        await this.heal();
        record.detail = `${oneWay ? 'one-way' : 'symmetric'} isolation for ${holdMs} ms`;
        break;
      }
      case 'delay': {
        const delayMs = this.prng.intBetween(10, 150);
        await this.admin(target, 'InjectFaults', { drop_to: [], drop_from: [], delay_ms: delayMs, clock_skew_ms: '0' });
        await new Promise((r) => setTimeout(r, holdMs));
        await this.admin(target, 'InjectFaults', { drop_to: [], drop_from: [], delay_ms: 0, clock_skew_ms: '0' });
        record.detail = `outgoing peer traffic delayed ${delayMs} ms for ${holdMs} ms`;
        break;
      }
      case 'torn': {
        // Stop the node hard, leave a torn record at the end of its log, and restart it: it must
        // truncate the torn tail, rejoin, and lose nothing it had acknowledged.
        await this.cluster('kill', String(target), '--wait');
        this.dead.add(target);
        const bytes = this.prng.intBetween(1, 40);
        const file = tearLogTail(join(this.dir, `node-${target}`, 'raft'), bytes, this.prng);
        await this.cluster('start', String(target));
        this.dead.delete(target);
        record.detail = file === null ? 'kill -9 (no log segment to tear)' : `kill -9, ${bytes} torn bytes appended to ${file}, restarted`;
        break;
      }
      case 'load': {
        const answers = await this.burst(holdMs);
        const total = Object.values(answers).reduce((a, b) => a + b, 0);
        record.detail = `${this.args.burstClients} clients for ${holdMs} ms: ${total} calls, answers by code ${JSON.stringify(answers)}`;
        break;
      }
      case 'clock': {
        const skew = this.prng.intBetween(-5000, 5000);
        await this.admin(target, 'InjectFaults', { drop_to: [], drop_from: [], delay_ms: 0, clock_skew_ms: String(skew) });
        await new Promise((r) => setTimeout(r, holdMs));
        await this.admin(target, 'InjectFaults', { drop_to: [], drop_from: [], delay_ms: 0, clock_skew_ms: '0' });
        record.detail = `TSO clock ${skew > 0 ? '+' : ''}${skew} ms for ${holdMs} ms`;
        break;
      }
    }
    record.endMs = this.now();
    this.faults.push(record);
  }

  /**
   * A load fault: `burstClients` clients, each on its own connections, call as fast as they can for
   * `holdMs`: half create and drop a collection of their own (names outside the checked groups), half
   * allocate timestamps. Overload must be answered (2001 queue full, retriable), not left to time out.
   */
  private async burst(holdMs: number): Promise<Record<string, number>> {
    const burst = this.bursts++;
    const answers: Record<string, number> = {};
    const count = (code: number, reason?: string): void => {
      answers[String(code)] = (answers[String(code)] ?? 0) + 1;
      this.burstAnswers[String(code)] = (this.burstAnswers[String(code)] ?? 0) + 1;
      // The first reason given for each failure code, so that a report says why, not only how often.
      if (reason !== undefined && this.burstReasons[String(code)] === undefined) this.burstReasons[String(code)] = reason.slice(0, 300);
    };
    const until = this.now() + holdMs;
    const endpoints = this.nodes.map((n) => n.client);
    await Promise.all(
      Array.from({ length: this.args.burstClients }, async (_, i) => {
        const rotated = [...endpoints.slice(i % endpoints.length), ...endpoints.slice(0, i % endpoints.length)];
        const client = new RootCoordClient({ endpoints: rotated, retryBudgetMs: 0, attemptDeadlineMs: 5000, ...this.credentials() });
        try {
          for (let n = 0; this.now() < until && !this.stopping; n++) {
            const call = i % 2 === 0 ? client.allocTimestamp(1) : n % 2 === 0 ? client.createCollection(`burst_${burst}_${i}`, SCHEMA) : client.dropCollection(`burst_${burst}_${i}`);
            await call.then(
              () => count(0),
              (error: unknown) => count(error instanceof RootCoordError ? error.code : -1, error instanceof Error ? error.message : String(error)),
            );
          }
        } finally {
          client.close();
        }
      }),
    );
    return answers;
  }

  async heal(): Promise<void> {
    for (const n of this.nodes) await this.admin(n.id, 'InjectFaults', { drop_to: [], drop_from: [], delay_ms: 0, clock_skew_ms: '0' });
  }

  async run(): Promise<void> {
    const durationMs = this.args.durationSeconds * 1000;
    const progress = setInterval(() => {
      console.log(`[${(this.now() / 1000).toFixed(0)} s] ops ok ${this.counts.ok}, failed ${this.counts.failed}, unknown ${this.counts.unknown}; faults ${this.faults.length}`);
    }, 5000);
    const workers = Array.from({ length: this.args.clients }, (_, i) => this.worker(i));
    for (let r = 0; r < this.args.pinnedReaders; r++) {
      this.nodes.forEach((node, i) => workers.push(this.pinnedReader(node, this.args.clients + r * this.nodes.length + i)));
    }
    const faulting = this.faultLoop();
    await new Promise((r) => setTimeout(r, durationMs));
    this.stopping = true;
    await Promise.all([...workers, faulting]);
    clearInterval(progress);
  }

  stop(): void {
    this.stopping = true;
  }
}

/** Append a partial record to the newest log segment, as a write cut short by a crash would leave. */
function tearLogTail(raftDir: string, bytes: number, prng: Prng): string | null {
  const segments = readdirSync(raftDir).filter((f) => /^wal-[0-9a-f]{16}\.log$/.test(f)).sort();
  const newest = segments[segments.length - 1];
  if (newest === undefined) return null;
  const junk = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) junk[i] = prng.intBelow(256);
  // With room for a header, claim a length that runs past the end of the file: a torn record.
  if (bytes >= 4) junk.writeUInt32LE(64 + bytes, 0);
  appendFileSync(join(raftDir, newest), junk);
  return newest;
}

// ---- checks ----

/** Every allocation is strictly above every allocation that completed before it was invoked. */
function monotonic(allocs: readonly Alloc[]): string[] {
  const byComplete = [...allocs].sort((a, b) => a.complete - b.complete);
  const byInvoke = [...allocs].sort((a, b) => a.invoke - b.invoke);
  const violations: string[] = [];
  let maxLast = -1n;
  let j = 0;
  for (const op of byInvoke) {
    while (j < byComplete.length && (byComplete[j] as Alloc).complete < op.invoke) {
      const done = byComplete[j] as Alloc;
      const last = done.first + BigInt(done.count) - 1n;
      if (last > maxLast) maxLast = last;
      j++;
    }
    if (op.first <= maxLast) violations.push(`allocation ${op.first} (invoked at ${op.invoke.toFixed(1)} ms) is not above ${maxLast}, allocated before it was invoked`);
  }
  return violations;
}

function overlapping(allocs: readonly Alloc[]): string[] {
  const sorted = [...allocs].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const violations: string[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as Alloc;
    const cur = sorted[i] as Alloc;
    if (cur.first < prev.first + BigInt(prev.count)) violations.push(`ID ranges [${prev.first}, +${prev.count}) and [${cur.first}, +${cur.count}) overlap`);
  }
  return violations;
}

function throughputAround(completions: readonly number[], fault: FaultRecord): { before: number; during: number; after: number } {
  const rate = (from: number, to: number): number => (to <= from ? 0 : Math.round((completions.filter((t) => t >= from && t < to).length / (to - from)) * 1000));
  const span = Math.max(1000, fault.endMs - fault.startMs);
  return { before: rate(fault.startMs - span, fault.startMs), during: rate(fault.startMs, fault.endMs), after: rate(fault.endMs, fault.endMs + span) };
}

/**
 * Charts of a run, faults shaded: the latency of completed operations (p50 and p99 per second, by
 * completion time) and throughput (completions per second) around every fault, leader kills included.
 */
function charts(chaos: Chaos): Record<'latency' | 'throughput', string> {
  const done: Array<[number, number]> = [
    ...chaos.meta.filter((o) => Number.isFinite(o.returnTime)).map((o): [number, number] => [o.returnTime, o.returnTime - o.callTime]),
    ...[...chaos.timestamps, ...chaos.ids].map((a): [number, number] => [a.complete, a.complete - a.invoke]),
  ];
  const seconds = new Map<number, number[]>();
  for (const [at, ms] of done) {
    const s = Math.floor(at / 1000);
    const bucket = seconds.get(s);
    if (bucket === undefined) seconds.set(s, [ms]);
    else bucket.push(ms);
  }
  const last = Math.max(0, ...seconds.keys());
  const at = Array.from({ length: last + 1 }, (_, s) => s);
  const latencies = (s: number): number[] => seconds.get(s) ?? [];
  const bands: Band[] = chaos.faults.map((f) => ({ from: f.startMs / 1000, to: Math.max(f.endMs, f.startMs + 100) / 1000, label: `${f.kind} n${f.target}${f.leader ? ' (leader)' : ''}` }));
  const title = `chaos, seed ${chaos.args.seed}: ${chaos.faults.length} faults (shaded), ${chaos.leaderKills} of the leader`;
  return {
    latency: svgChart({
      title: `${title}: latency`,
      xLabel: 's since the start',
      yLabel: 'ms',
      bands,
      width: 1000,
      series: [
        { name: 'p50 per second', points: at.filter((s) => latencies(s).length > 0).map((s) => [s, percentile(latencies(s), 0.5)]) },
        { name: 'p99 per second', points: at.filter((s) => latencies(s).length > 0).map((s) => [s, percentile(latencies(s), 0.99)]) },
      ],
    }),
    throughput: svgChart({
      title: `${title}: throughput`,
      xLabel: 's since the start',
      yLabel: 'completed operations per s',
      bands,
      width: 1000,
      series: [{ name: 'completed/s', points: at.map((s) => [s, latencies(s).length]) }],
    }),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // The report's directory made now: a run of ten minutes must not end unable to write its report.
  if (args.report !== null) mkdirSync(dirname(args.report), { recursive: true });
  const dir = args.dir ?? mkdtempSync(join(tmpdir(), 'rootcoord-chaos-'));
  const prng = new Prng(args.seed);
  const chaos = new Chaos(args, dir, prng);
  console.log(`chaos: seed ${args.seed}, ${args.durationSeconds} s, ${args.nodes} nodes, ${args.clients} clients, ${args.pinnedReaders * args.nodes} pinned readers, faults ${args.faults.join(',') || 'none'}${args.staleReads ? ', UNSAFE stale reads' : ''}${args.auth ? ', authorization on' : ''}; data in ${dir}`);
  const base = await freeBasePort(args.nodes);
  // Users and roles accumulate over epochs: no limit on them; cheap password hashes. Replica checks
  // every 10 s (an hour by default): each compares every replica's catalog at a mark under the faults,
  // and each replica's memory with its store a part of MEMORY_CHECK_PART_IN_CHAOS at a time (25,000 by
  // default), so that a run's catalog is compared in parts too.
  const limits = ['maxUserNum=1000000', 'maxRoleNum=1000000', 'passwordHashCost=10', `replicaCheckIntervalMs=${REPLICA_CHECK_INTERVAL_MS}`, `replicaMemoryCheckPart=${MEMORY_CHECK_PART_IN_CHAOS}`].flatMap((l) => ['--limit', l]);
  // The log compacted every 1,000 entries (10,000 by default), keeping 100 behind (1,000): a node that was
  // down or cut off for a few seconds is sent the catalog, so snapshots are sent, received, stored and
  // restored under the faults too (with the defaults no run had sent one).
  const snapshots = ['--snapshot-entries', String(SNAPSHOT_ENTRIES), '--snapshot-entries-kept', String(SNAPSHOT_ENTRIES_KEPT)];
  await chaos.cluster('up', '--nodes', String(args.nodes), '--base-port', String(base), '--gc-confirm-delay-ms', '0', '--chaos', ...limits, ...snapshots, ...(args.auth ? ['--auth'] : []));
  let exitCode = 1;
  try {
    chaos.nodes = (JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { nodes: Array<{ id: number; client: string }> }).nodes;
    await chaos.setUpAuth();
    const startStatus = await chaos.status();
    await chaos.run();

    // Heal everything, let the cluster converge, then read every name once more.
    await chaos.heal();
    const healed = await chaos.status();
    for (const n of healed.nodes.filter((x) => !x.alive)) await chaos.cluster('start', String(n.id));
    let converged = false;
    const deadline = Date.now() + 30_000;
    while (!converged && Date.now() < deadline) {
      const st = await chaos.status();
      const leaderApplied = st.nodes.find((n) => n.id === st.leader)?.appliedIndex ?? -1;
      converged = st.leader !== null && st.nodes.every((n) => n.alive && n.appliedIndex === leaderApplied);
      if (!converged) await new Promise((r) => setTimeout(r, 200));
    }
    const finalClient = new RootCoordClient({ endpoints: chaos.nodes.map((n) => n.client), retryBudgetMs: 10_000, ...chaos.credentials() });
    for (const group of new Set(chaos.meta.map((o) => o.input.group ?? ''))) {
      for (const name of [`${group}_c0`, `${group}_c1`]) {
        await chaos.metaOp(finalClient, 999, { op: 'hasCollection', group, collection: name });
        await chaos.metaOp(finalClient, 999, { op: 'showPartitions', group, collection: name });
        await chaos.metaOp(finalClient, 999, { op: 'describeCollection', group, collection: name });
      }
      await chaos.metaOp(finalClient, 999, { op: 'describeAlias', group, collection: `${group}_a`, alias: `${group}_a` });
      await chaos.metaOp(finalClient, 999, { op: 'listDatabases', group, collection: '', database: `${group}_db` });
      for (const i of [0, 1]) {
        await chaos.metaOp(finalClient, 999, { op: 'selectUser', group, collection: '', user: `${group}_u${i}`, role: '' });
        await chaos.metaOp(finalClient, 999, { op: 'selectRole', group, collection: '', user: '', role: `${group}_r${i}` });
      }
    }
    // Digests are comparable only at the same applied index (the leader keeps proposing TSO windows).
    let digests: string[] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      const round = await readDigests(chaos.nodes.map((n) => n.client), chaos.credentials());
      digests = round.answers.flatMap((a) => (a === null ? [] : [a.digest]));
      if (round.sameIndex) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    finalClient.close();
    // One more replica check, now that every node is up: each one's digest at the mark is the leader's.
    const finalCheck = await checkReplicas(
      chaos.nodes.map((n) => n.client),
      { ...chaos.credentials(), attemptDeadlineMs: 30_000, retryBudgetMs: 30_000 },
    ).catch((error: unknown) => ({ error: String(error) }));
    const nodeLogs = chaos.nodes.map((n) => join(dir, `node-${n.id}.log`));
    // Each node's log read once.
    const { checksProposed, checksDiffering, memoryDiffering, memorySame, ...snapshotsSent } = countLoggedLines(nodeLogs, { ...REPLICA_CHECK_LOG_LINES, ...SNAPSHOT_LOG_LINES });
    const endStatus = await chaos.status();

    const lin = checkHistory(metadataModel, chaos.meta, { budget: 20_000_000 });
    const tsViolations = monotonic(chaos.timestamps);
    const idViolations = overlapping(chaos.ids);
    const violations: string[] = [...tsViolations, ...idViolations];
    let violatingHistory: unknown[] = [];
    let firstUnexplained: unknown = null;
    if (lin.verdict === 'not-linearizable') {
      const partitions = metadataModel.partition?.(chaos.meta) ?? [chaos.meta];
      const ops = partitions[lin.partition ?? 0] ?? [];
      violations.push(`the history of ${ops[0]?.input.group ?? ops[0]?.input.collection ?? '?'} is not linearizable`);
      const plain = (o: Operation<MetaInput, MetaOutput>): Record<string, unknown> => ({ client: o.clientId, ...o.input, output: o.output, call: Math.round(o.callTime * 10) / 10, return: Number.isFinite(o.returnTime) ? Math.round(o.returnTime * 10) / 10 : null });
      violatingHistory = ops.map(plain);
      // The first result no linearization explains, found on sound cuts of the history (see historyAt).
      // At most a minute: the verdict is made; this only names the first result nothing explains.
      const first = firstViolation(metadataModel, ops, null, 2_000_000, performance.now() + 60_000);
      if (first !== null) firstUnexplained = plain(first.operation);
    }
    if (lin.verdict === 'unknown') violations.push('the linearizability search ran out of budget');
    const replicasConverged = converged && digests.length === chaos.nodes.length && new Set(digests).size === 1;
    if (!replicasConverged) violations.push(`replicas did not converge (${digests.length} digests, ${new Set(digests).size} distinct, converged=${converged})`);
    if ('error' in finalCheck) violations.push(`the final replica check failed: ${finalCheck.error}`);
    else if (finalCheck.differ > 0 || finalCheck.unanswered > 0) violations.push(`the final replica check: ${finalCheck.differ} replica(s) differ from the leader, ${finalCheck.unanswered} gave no digest at index ${finalCheck.index}`);
    if (checksDiffering > 0) violations.push(`replica checks during the run: ${checksDiffering} found a replica different from the leader (the nodes' logs)`);
    if (memoryDiffering > 0) violations.push(`replica checks during the run: ${memoryDiffering} found a replica's memory different from its own catalog store (the nodes' logs)`);
    const byKind: Record<string, number> = {};
    for (const f of chaos.faults) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
    const summary = {
      seed: args.seed,
      durationSeconds: args.durationSeconds,
      nodes: args.nodes,
      clients: args.clients,
      pinnedReaders: args.pinnedReaders * args.nodes,
      unsafe: args.staleReads ? 'stale-reads' : null,
      auth: args.auth,
      ops: { ...chaos.counts, metadata: chaos.meta.length, usersAndRoles: chaos.meta.filter((o) => o.input.user !== undefined || o.input.role !== undefined).length, timestamps: chaos.timestamps.length, ids: chaos.ids.length },
      burstAnswers: chaos.burstAnswers,
      burstReasons: chaos.burstReasons,
      faults: { total: chaos.faults.length, byKind, leaderKills: chaos.leaderKills, list: chaos.faults.map((f) => ({ ...f, startMs: Math.round(f.startMs), endMs: Math.round(f.endMs), throughput: throughputAround(chaos.completions, f) })) },
      leader: { atStart: startStatus.leader, atEnd: endStatus.leader },
      snapshots: snapshotsSent,
      checks: {
        linearizable: lin.verdict === 'linearizable',
        tsoMonotonic: tsViolations.length === 0,
        idsUnique: idViolations.length === 0,
        noAckedLoss: lin.verdict === 'linearizable',
        replicasConverged,
        replicaChecks: { proposedDuringRun: checksProposed, mismatchesDuringRun: checksDiffering, memoryChecksSameDuringRun: memorySame, memoryDifferencesDuringRun: memoryDiffering, final: 'error' in finalCheck ? finalCheck.error : { index: finalCheck.index, differ: finalCheck.differ, unanswered: finalCheck.unanswered } },
      },
      violations,
      firstUnexplained,
      violatingHistory,
    };
    const text = JSON.stringify(summary, null, 2);
    console.log(text);
    if (args.report !== null) {
      writeFileSync(args.report, `${text}\n`);
      for (const [name, svg] of Object.entries(charts(chaos))) {
        const file = `${args.report.replace(/\.json$/i, '')}-${name}.svg`;
        writeFileSync(file, svg);
        console.log(`chaos: chart ${file}`);
      }
    }
    exitCode = violations.length === 0 ? 0 : 1;
  } finally {
    // Keep the data and the node logs of a failed run for diagnosis.
    const wipe = args.dir === null && exitCode === 0;
    await chaos.cluster('down', ...(wipe ? ['--wipe'] : [])).catch(() => undefined);
    if (wipe) rmSync(dir, { recursive: true, force: true });
    else console.log(`chaos: data and node logs kept in ${dir}`);
  }
  process.exit(exitCode);
}

main().catch((error: unknown) => {
  console.error(`chaos: ${(error as Error).stack ?? String(error)}`);
  process.exit(2);
});
