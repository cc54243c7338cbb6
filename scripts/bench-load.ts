/**
 * scripts/bench --load [--quick] [--clients 500] [--seconds 60] [--channels 50] [--parts load,big,auth] [--prefill N] [--out DIR]
 * On a fresh 3-node cluster (with --prefill N, first filled to N collections by 64 clients, in
 * databases of at most 60,000, so that every part runs against a catalog of that size): 500 concurrent callers for 60 s (--quick 20 s), half CreateCollection,
 * half AllocTimestamp, every answer counted once by code (the client's retries off); then kill -9 of
 * the leader under that load and the time to the next successful DDL; then one 16 MB AlterDatabase
 * and one CreateCollection with a 30 MB description. On a second fresh cluster with --auth: 16, then
 * 64 clients sending wrong passwords for 20 s each, while a legitimate client does CreateCollection.
 * Leader changes (terms, rootcoord_raft_leader_changes_seen_total) and event-loop lag from every
 * node's /metrics throughout. `--parts`: which of the three to run (load and kill; big requests; the
 * password flood), all by default. `--cluster-flags "F"`: more flags of `scripts/cluster up` for every
 * cluster it makes (an A/B of a node setting, e.g. "--snapshot-entries-kept 1000").
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loggedLines } from './node-log.js';
import { ErrorCodes } from '../src/protocol/error-codes.js';
import { Args, BenchCluster, clusterFlags, NOT_SERVING, UNREACHABLE, MetricsTimeline, OneShot, startBystander, SCHEMA3, addCount, callUntilSettled, codeKey, createCollectionRequest, defaultOut, fillDatabases, lagSeries, log, machineInfo, round, sleep, summary, svgChart, termRisePoints } from './bench-lib.js';
import type { CodeCounts, NodeSample } from './bench-lib.js';

type Kind = 'CreateCollection' | 'AllocTimestamp';

interface PhaseStats {
  codes: Record<Kind, CodeCounts>;
  okMs: Record<Kind, number[]>;
  allMs: Record<Kind, number[]>;
  deadlines: number;
  reasons: Map<string, number>;
}

function newStats(): PhaseStats {
  return { codes: { CreateCollection: {}, AllocTimestamp: {} }, okMs: { CreateCollection: [], AllocTimestamp: [] }, allMs: { CreateCollection: [], AllocTimestamp: [] }, deadlines: 0, reasons: new Map() };
}

function statsJson(s: PhaseStats, seconds: number): Record<string, unknown> {
  const kinds: Kind[] = ['CreateCollection', 'AllocTimestamp'];
  return {
    ...Object.fromEntries(
      kinds.map((k) => [k, { codes: s.codes[k], okPerSec: round(s.okMs[k].length / seconds, 1), ok: summary(s.okMs[k]), allAnswers: summary(s.allMs[k]) }]),
    ),
    clientDeadlines: s.deadlines,
    errorReasons: Object.fromEntries([...s.reasons.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10)),
  };
}

function shortReason(reason: string): string {
  return reason.replace(/load\d+|\d{3,}/g, '#').slice(0, 120);
}

/**
 * The answers after a kill in 100 ms steps (by when they came): codes per call kind and the commonest
 * reason, to see where the time to the first success goes (election, leader set-up, shedding, routing).
 */
function afterKillSteps(events: Load['afterSince'], untilMs: number): Array<Record<string, unknown>> {
  const steps: Array<Record<string, unknown>> = [];
  for (let from = 0; from < untilMs; from += 100) {
    const inStep = events.filter((e) => e.endMs >= from && e.endMs < from + 100);
    if (inStep.length === 0) continue;
    const codes: Record<string, CodeCounts> = {};
    const reasons = new Map<string, number>();
    const okMs: Record<string, number[]> = {};
    for (const e of inStep) {
      addCount((codes[e.kind] ??= {}), codeKey(e.code));
      if (e.code === 0) {
        (okMs[e.kind] ??= []).push(e.endMs - e.startMs);
        continue;
      }
      const reason = `${e.kind} ${e.code}: ${e.reason}`;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    const top = [...reasons.entries()].sort((a, b) => b[1] - a[1])[0];
    const okTook = Object.fromEntries(Object.entries(okMs).map(([k, v]) => [k, { p50Ms: summary(v).p50Ms, maxMs: summary(v).maxMs }]));
    steps.push({ fromMs: from, codes, okTook, ...(top === undefined ? {} : { topReason: `${top[0]} (${top[1]})` }) });
  }
  return steps;
}

/** `clients` callers, half CreateCollection, half AllocTimestamp, until `stop()`; `stats` can be swapped between phases. */
class Load {
  stats = newStats();
  private running = true;
  private readonly pools: OneShot[];
  private done: Promise<void> = Promise.resolve();
  private nextName = 0;
  /** Performance.now() of the first successful CreateCollection answered after `since` (set by the caller). */
  since = Infinity;
  firstDdlAfterSince = Infinity;
  firstTsoAfterSince = Infinity;
  /** Answers to calls started after `since`, in its first 5 s: when each started and ended (ms after `since`), how. */
  readonly afterSince: Array<{ kind: Kind; startMs: number; endMs: number; code: number; reason: string }> = [];

  constructor(
    private readonly endpoints: string[],
    private readonly clients: number,
    channels: number,
  ) {
    this.pools = Array.from({ length: channels }, () => new OneShot({ attemptDeadlineMs: 10_000 }));
  }

  start(): void {
    this.done = Promise.all(Array.from({ length: this.clients }, (_, i) => this.worker(i))).then(() => {});
  }

  private async worker(i: number): Promise<void> {
    const kind: Kind = i % 2 === 0 ? 'CreateCollection' : 'AllocTimestamp';
    const pool = this.pools[i % this.pools.length] as OneShot;
    let ep = 0;
    while (this.running) {
      const request = kind === 'CreateCollection' ? createCollectionRequest(`load${this.nextName++}`) : { count: 1 };
      const t0 = performance.now();
      const r = await pool.call(this.endpoints[ep % this.endpoints.length] as string, kind, request, randomBytes(16).toString('hex'));
      // An answer a follower forwarded names the leader: go there next, as the client library does.
      const hinted = r.leader === null ? -1 : this.endpoints.indexOf(r.leader);
      if (hinted >= 0) ep = hinted;
      const s = this.stats;
      addCount(s.codes[kind], codeKey(r.code));
      s.allMs[kind].push(r.ms);
      if (r.deadline) s.deadlines++;
      if (t0 >= this.since && t0 - this.since < 5000) this.afterSince.push({ kind, startMs: t0 - this.since, endMs: t0 + r.ms - this.since, code: r.code, reason: r.code === 0 ? '' : shortReason(r.reason) });
      if (r.code === 0) {
        s.okMs[kind].push(r.ms);
        const at = t0 + r.ms;
        if (t0 >= this.since) {
          if (kind === 'CreateCollection' && at < this.firstDdlAfterSince) this.firstDdlAfterSince = at;
          if (kind === 'AllocTimestamp' && at < this.firstTsoAfterSince) this.firstTsoAfterSince = at;
        }
      } else {
        const key = `${kind} ${r.code}: ${shortReason(r.reason)}`;
        s.reasons.set(key, (s.reasons.get(key) ?? 0) + 1);
        // Unreachable, or no leader: the next node (a follower forwards to the leader). Back off a little on any error.
        if ((r.code === NOT_SERVING || r.code === UNREACHABLE) && hinted < 0) ep++;
        await sleep(r.code === ErrorCodes.QueueFull.code ? 20 : 10);
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
    for (const p of this.pools) p.close();
  }
}

/** Collections per database in a prefill (as scripts/bench --scale puts them). */
const PREFILL_PER_DATABASE = 60_000;
const PREFILL_CLIENTS = 64;

/**
 * Fill the cluster to `count` collections (`fill<i>`, spread over databases of at most 60,000) with
 * 64 clients, each create retried under its request ID until it is settled; what the fill met (codes,
 * term rises, lag) for the results.
 */
async function prefill(cluster: BenchCluster, timeline: MetricsTimeline, count: number, credentials: { user?: string; password?: string }): Promise<Record<string, unknown>> {
  const dbs = fillDatabases(count, PREFILL_PER_DATABASE, 'fill');
  const setup = await cluster.client({ attemptDeadlineMs: 30_000, retryBudgetMs: 60_000 });
  for (const db of dbs.slice(1)) await setup.createDatabase(db);
  setup.close();
  const endpoints = await cluster.endpointsLeaderFirst();
  const startSec = timeline.elapsedSec();
  const started = performance.now();
  const codes: CodeCounts = {};
  let next = 0;
  let created = 0;
  let gaveUp = 0;
  const progress = setInterval(() => log(`prefill ${created}/${count} codes ${JSON.stringify(codes)}`), 10_000);
  try {
    await Promise.all(
      Array.from({ length: PREFILL_CLIENTS }, async () => {
        const pool = new OneShot({ attemptDeadlineMs: 10_000, ...credentials });
        const at = { endpoint: 0 };
        try {
          for (let idx = next++; idx < count; idx = next++) {
            const db = dbs[idx % dbs.length] as string;
            const request = createCollectionRequest(`fill${idx}`, { db: db === 'default' ? '' : db });
            const settled = await callUntilSettled(pool, endpoints, at, 'CreateCollection', request, { requestId: randomBytes(16).toString('hex'), attempts: 40, onAnswer: (r) => addCount(codes, codeKey(r.code)) });
            if (settled) created++;
            else gaveUp++;
          }
        } finally {
          pool.close();
        }
      }),
    );
  } finally {
    clearInterval(progress);
  }
  const endSec = timeline.elapsedSec();
  const seconds = (performance.now() - started) / 1000;
  const result = { collections: created, gaveUp, databases: dbs.length, seconds: round(seconds, 1), ratePerSec: round(created / seconds, 1), codes, termRises: timeline.termRises(startSec, endSec), leaderChangesSeen: timeline.leaderChangesSeen(startSec, endSec), lag: timeline.lagMax(startSec, endSec) };
  log(`prefill done: ${JSON.stringify(result)}`);
  if (created < count) throw new Error(`prefill: ${created} of ${count} collections created (${gaveUp} gave up)`);
  return result;
}

export async function runLoad(args: Args): Promise<void> {
  const quick = args.has('quick');
  const clients = args.number('clients', 500);
  const seconds = args.number('seconds', quick ? 20 : 60);
  const channels = args.number('channels', Math.max(1, Math.ceil(clients / 10)));
  const killPhaseSec = quick ? 10 : 20;
  const floodSec = args.number('flood-seconds', quick ? 10 : 20);
  const out = resolve(args.value('out', defaultOut(quick ? 'load-quick' : 'load')));
  const parts = new Set(args.value('parts', 'load,big,auth').split(','));
  for (const part of parts) if (!['load', 'big', 'auth'].includes(part)) throw new Error(`--parts: unknown part "${part}" (load, big, auth)`);
  const prefillCount = args.number('prefill', 0);
  const upFlags = clusterFlags(args);
  if (!Number.isSafeInteger(prefillCount) || prefillCount < 0) throw new Error(`--prefill must be a whole number of collections, not ${String(prefillCount)}`);
  const results: Record<string, unknown> = { kind: 'load', date: new Date().toISOString(), quick, clients, channels, seconds, prefill: prefillCount, clusterFlags: upFlags, machine: machineInfo() };
  const timelines: Record<string, Array<{ tSec: number; nodes: NodeSample[] }>> = {};
  const marks: Record<string, Array<{ name: string; tSec: number }>> = { load: [], auth: [] };
  log(`load: ${clients} callers over ${channels} gRPC channels, ${seconds} s${prefillCount > 0 ? `, each cluster first filled to ${prefillCount} collections` : ''}; output ${out}`);

  /** `part` on a fresh cluster whose nodes' /metrics are sampled every second; the samples are kept under `name`. */
  const onCluster = async (name: string, auth: boolean, part: (cluster: BenchCluster, timeline: MetricsTimeline) => Promise<void>): Promise<void> => {
    const bystander = await startBystander();
    const cluster = await BenchCluster.up({ auth, limits: ['maxCollectionNum=1000000', 'maxCollectionNumPerDB=1000000', 'maxGeneralCapacity=10000000'], upFlags }).catch((error: unknown) => {
      bystander.stop();
      throw error;
    });
    const timeline = new MetricsTimeline(() => cluster.nodes(), 1000, bystander.metrics).start();
    try {
      if (prefillCount > 0) {
        marks[name]?.push({ name: 'prefill', tSec: timeline.elapsedSec() });
        results[`${name}Prefill`] = await prefill(cluster, timeline, prefillCount, cluster.credentials());
      }
      await part(cluster, timeline);
    } finally {
      timeline.stop();
      bystander.stop();
      timelines[name] = timeline.samples;
      await cluster.stop();
    }
  };

  /** The steady load, then kill -9 of the leader under it; the killed node is started again and caught up. */
  const loadAndKill = async (cluster: BenchCluster, timeline: MetricsTimeline, endpoints: string[]): Promise<void> => {
    const load = new Load(endpoints, clients, channels);
    const loadStart = timeline.elapsedSec();
    marks['load']?.push({ name: 'load', tSec: loadStart });
    load.start();
    const progress = setInterval(() => {
      const s = load.stats;
      const last = timeline.samples[timeline.samples.length - 1];
      log(`load: CreateCollection ${JSON.stringify(s.codes.CreateCollection)} AllocTimestamp ${JSON.stringify(s.codes.AllocTimestamp)} | ${last?.nodes.map((n) => `n${n.id}${n.isLeader === 1 ? '*' : ''} t${n.term ?? '?'} lag ${n.lagMaxMs ?? '?'}ms`).join(' ') ?? ''}`);
    }, 5000);
    await sleep(seconds * 1000);
    const loadEnd = timeline.elapsedSec();
    const steady = load.stats;
    load.stats = newStats();
    results['load'] = { ...statsJson(steady, loadEnd - loadStart), termRises: timeline.termRises(loadStart, loadEnd), leaderChangesSeen: timeline.leaderChangesSeen(loadStart, loadEnd), lag: timeline.lagMax(loadStart, loadEnd), failedScrapes: timeline.failedScrapes(loadStart, loadEnd) };
    log(`steady load: ${JSON.stringify(results['load'])}`);

    // kill -9 of the leader under the same load
    await sleep(2000);
    const leader = await cluster.leader();
    const killedNode = cluster.node(leader);
    const killSec = timeline.elapsedSec();
    marks['load']?.push({ name: 'kill -9', tSec: killSec });
    const killedAt = performance.now();
    load.since = killedAt;
    process.kill(killedNode.pid, 'SIGKILL');
    log(`kill -9 of leader ${leader} (pid ${killedNode.pid}) under load`);
    await sleep(killPhaseSec * 1000);
    const afterKill = load.stats;
    await load.stop();
    clearInterval(progress);
    const killEnd = timeline.elapsedSec();
    results['kill'] = {
      leader,
      toFirstCreateCollectionMs: round(load.firstDdlAfterSince - killedAt, 1),
      toFirstAllocTimestampMs: round(load.firstTsoAfterSince - killedAt, 1),
      phaseSec: round(killEnd - killSec, 1),
      ...statsJson(afterKill, killEnd - killSec),
      termRises: timeline.termRises(killSec, killEnd),
      lag: timeline.lagMax(killSec, killEnd),
      killedAtIso: new Date(performance.timeOrigin + killedAt).toISOString(),
      answersByStep: afterKillSteps(load.afterSince, Math.max(3000, Math.min(5000, load.firstDdlAfterSince - killedAt + 500))),
      newLeader: newLeaderSteps(cluster, leader, Date.now() - (performance.now() - killedAt)),
    };
    log(`kill: ${JSON.stringify(results['kill'])}`);
    // The killed node back: its start (catalog load) and its catch-up with the entries of the kill phase.
    const restartAt = performance.now();
    await cluster.cmd('start', String(leader));
    const startedMs = performance.now() - restartAt;
    let caughtUp = true;
    await cluster.waitCaughtUp(120_000).catch((e: Error) => {
      caughtUp = false;
      log(`warning: ${e.message}`);
    });
    results['killedNodeBack'] = { node: leader, startedMs: round(startedMs, 1), caughtUpMs: caughtUp ? round(performance.now() - restartAt, 1) : null };
    log(`killed node back: ${JSON.stringify(results['killedNodeBack'])}`);
  };

  /**
   * Where a new leader's first second went, from the surviving nodes' logs: when each became leader
   * and when its leader services (TSO, IDs, the old leader's DDL rolled back) were started, in ms after
   * the kill (the nodes' clocks are this machine's).
   */
  const newLeaderSteps = (cluster: BenchCluster, killed: number, killedAtWallMs: number): Array<Record<string, unknown>> =>
    cluster.nodes().filter((n) => n.id !== killed).flatMap((n) => {
      const file = join(cluster.dir, `node-${n.id}.log`);
      const after = (line: Record<string, unknown>): number => Date.parse(String(line['time'])) - killedAtWallMs;
      const leaderAt = loggedLines(file, 'raft role changed').filter((l) => l['role'] === 'Leader' && after(l) >= 0);
      const services = loggedLines(file, 'leader services started').filter((l) => after(l) >= 0);
      return [
        ...leaderAt.map((l) => ({ node: n.id, step: 'became leader', afterKillMs: Math.round(after(l)), term: l['term'] })),
        ...services.map((l) => ({ node: n.id, step: 'leader services started', afterKillMs: Math.round(after(l)), tookMs: l['ms'], rolledBack: l['rolledBack'], rolledForward: l['rolledForward'] })),
      ];
    }).sort((a, b) => (a.afterKillMs as number) - (b.afterKillMs as number));

  // ---- part 1: load, kill -9 of the leader under load, big requests ----
  if (parts.has('load') || parts.has('big')) await onCluster('load', false, async (cluster, timeline) => {
    const endpoints = await cluster.endpointsLeaderFirst();
    await sleep(1500);
    if (parts.has('load')) await loadAndKill(cluster, timeline, endpoints);
    if (!parts.has('big')) return;
    // big requests, one attempt each, on the idle cluster
    const setup = await cluster.client({ attemptDeadlineMs: 30_000 });
    await setup.createDatabase('big');
    setup.close();
    const big: Record<string, unknown> = {};
    const one = new OneShot({ attemptDeadlineMs: 120_000 });
    const leaderEndpoint = (await cluster.endpointsLeaderFirst())[0] as string;
    const bigCall = async (name: string, method: string, request: Record<string, unknown>): Promise<void> => {
      await sleep(2000);
      const t0Sec = timeline.elapsedSec();
      marks['load']?.push({ name, tSec: t0Sec });
      const r = await one.call(leaderEndpoint, method, request);
      await sleep(5000);
      big[name] = { code: r.code, ms: round(r.ms, 1), reason: r.reason.slice(0, 200), termRisesWithin5sAfter: timeline.termRises(t0Sec, Infinity), leaderChangesSeen: timeline.leaderChangesSeen(t0Sec, Infinity), lag: timeline.lagMax(t0Sec, Infinity) };
      log(`${name}: ${JSON.stringify(big[name])}`);
    };
    await bigCall('alterDatabase16MB', 'AlterDatabase', { db_name: 'big', properties: [{ key: 'blob', value: 'x'.repeat(16 * 1024 * 1024) }], delete_keys: [] });
    await bigCall('createCollection30MBDescription', 'CreateCollection', createCollectionRequest('huge', { db: 'big', schema: { ...SCHEMA3, description: 'd'.repeat(30 * 1024 * 1024) } }));
    // does the cluster still answer small DDL promptly?
    const probe = await one.call(leaderEndpoint, 'CreateCollection', createCollectionRequest('after_big'));
    big['smallDdlAfter'] = { code: probe.code, ms: round(probe.ms, 1) };
    one.close();
    results['big'] = big;
  });

  // ---- part 2: the wrong-password flood, on a cluster with authorization ----
  if (parts.has('auth')) await onCluster('auth', true, async (cluster, timeline) => {
    const leaderEndpoint = (await cluster.endpointsLeaderFirst())[0] as string;
    // Every client on a connection of its own, as separate clients are: grpc-js otherwise shares one
    // connection per server among a process's channels, and the node's backoff after failed logins is
    // per connection and user name, so the legitimate client would be held back with the flood and the
    // flood's clients would all be one connection, backed off together (until session 42 they were).
    const ownConnection = { channelOptions: { 'grpc.use_local_subchannel_pool': 1 } };
    const legit = new OneShot({ attemptDeadlineMs: 10_000, user: 'root', password: 'Milvus', ...ownConnection });
    let n = 0;
    const legitPhase = async (floodClients: number, sec: number): Promise<Record<string, unknown>> => {
      const t0Sec = timeline.elapsedSec();
      marks['auth']?.push({ name: floodClients === 0 ? 'no flood' : `flood ${floodClients}`, tSec: t0Sec });
      let running = true;
      const floodCodes: CodeCounts = {};
      const floodMs: number[] = [];
      const floods = Array.from({ length: floodClients }, async (_, i) => {
        const bad = new OneShot({ attemptDeadlineMs: 10_000, user: 'root', password: `wrong-password-${i}`, ...ownConnection });
        while (running) {
          const r = await bad.call(leaderEndpoint, 'ListDatabases', {});
          addCount(floodCodes, codeKey(r.code));
          floodMs.push(r.ms);
        }
        bad.close();
      });
      const codes: CodeCounts = {};
      const ok: number[] = [];
      const all: number[] = [];
      const end = performance.now() + sec * 1000;
      while (performance.now() < end) {
        const r = await legit.call(leaderEndpoint, 'CreateCollection', createCollectionRequest(`legit${n++}`));
        addCount(codes, codeKey(r.code));
        all.push(r.ms);
        if (r.code === 0) ok.push(r.ms);
        else await sleep(10);
      }
      running = false;
      await Promise.all(floods);
      const t1Sec = timeline.elapsedSec();
      const phase = { floodClients, seconds: sec, legit: { codes, ok: summary(ok), allAnswers: summary(all) }, flood: { codes: floodCodes, perSec: round(floodMs.length / sec, 1), answers: summary(floodMs) }, termRises: timeline.termRises(t0Sec, t1Sec), leaderChangesSeen: timeline.leaderChangesSeen(t0Sec, t1Sec), lag: timeline.lagMax(t0Sec, t1Sec) };
      log(`auth flood ${floodClients}: ${JSON.stringify(phase)}`);
      return phase;
    };
    await sleep(1500);
    // warm the legitimate path first (the password check is cached after the first success)
    for (let i = 0; i < 200; i++) await legit.call(leaderEndpoint, 'AllocTimestamp', { count: 1 });
    const phases = [await legitPhase(0, Math.min(10, floodSec)), await legitPhase(16, floodSec), await legitPhase(64, floodSec)];
    await sleep(3000);
    legit.close();
    results['authFlood'] = phases;
  });
  writeLoadResults(out, results, timelines, marks);
}

function writeLoadResults(out: string, r: Record<string, unknown>, timelines: Record<string, Array<{ tSec: number; nodes: NodeSample[] }>>, marks: Record<string, Array<{ name: string; tSec: number }>>): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.json'), `${JSON.stringify({ ...r, marks, timelines }, null, 2)}\n`);
  const charts: string[] = [];
  for (const [name, samples] of Object.entries(timelines)) {
    const markSeries = (marks[name] ?? []).map((m) => ({ name: `${m.name} @${round(m.tSec, 0)}s`, points: [[m.tSec, 1]] as Array<[number, number]>, steps: true }));
    writeFileSync(join(out, `leader-changes-${name}.svg`), svgChart({ title: `${name}: term rises over time (elections)`, xLabel: 's', yLabel: 'term rises', series: [{ name: 'term rises', points: termRisePoints(samples) }, ...markSeries] }));
    writeFileSync(join(out, `lag-${name}.svg`), svgChart({ title: `${name}: event-loop lag per node (max between scrapes)`, xLabel: 's', yLabel: 'ms', series: lagSeries(samples) }));
    charts.push(`leader-changes-${name}.svg`, `lag-${name}.svg`);
  }
  writeFileSync(join(out, 'RESULTS.md'), loadMarkdown(r, charts));
  log(`results in ${out}`);
}

function killedNodeBackLine(back: Record<string, unknown>): string {
  if (back['startedMs'] === undefined) return 'not measured';
  const caughtUp = back['caughtUpMs'] === null ? 'had not caught up after 120 s' : `it had loaded its catalog and applied what it missed (within 5 entries of the leader) ${String(back['caughtUpMs'])} ms after the command`;
  return `\`scripts/cluster start\` spawned it in ${String(back['startedMs'])} ms; ${caughtUp}`;
}

/** The line of RESULTS.md on one cluster's prefill (none without --prefill). */
function prefillLine(cluster: string, p: Record<string, unknown>): string {
  if (p['collections'] === undefined) return '';
  return `
The ${cluster} cluster was first filled to **${String(p['collections'])} collections** (${String(p['databases'])} databases, 64 clients, each create retried until settled): ${String(p['seconds'])} s, ${String(p['ratePerSec'])}/s, answers ${JSON.stringify(p['codes'])}, term rises ${String(p['termRises'])}, lag ${JSON.stringify(p['lag'])}.
`;
}

function loadMarkdown(r: Record<string, unknown>, charts: string[]): string {
  const g = (k: string): Record<string, unknown> => (r[k] ?? {}) as Record<string, unknown>;
  const kindRow = (phase: Record<string, unknown>, k: Kind): string => {
    const x = (phase[k] ?? {}) as Record<string, unknown>;
    const ok = (x['ok'] ?? {}) as Record<string, number>;
    const all = (x['allAnswers'] ?? {}) as Record<string, number>;
    return `| ${k} | ${JSON.stringify(x['codes'])} | ${String(x['okPerSec'])} | ${ok['p50Ms']} / ${ok['p99Ms']} | ${all['p50Ms']} / ${all['p99Ms']} / ${all['maxMs']} |`;
  };
  const load = g('load');
  const kill = g('kill');
  const big = g('big') as Record<string, Record<string, unknown>>;
  const flood = (r['authFlood'] ?? []) as Array<Record<string, unknown>>;
  const steps = (kill['answersByStep'] ?? []) as Array<{ fromMs: number; codes: Record<string, CodeCounts>; okTook: Record<string, { p50Ms: number }>; topReason?: string }>;
  const stepRow = (x: (typeof steps)[number]): string => `| ${x.fromMs} | ${JSON.stringify(x.codes['CreateCollection'] ?? {})} | ${JSON.stringify(x.codes['AllocTimestamp'] ?? {})} | ${x.okTook['CreateCollection']?.p50Ms ?? ''} / ${x.okTook['AllocTimestamp']?.p50Ms ?? ''} | ${x.topReason ?? ''} |`;
  const header = `# rootcoord load benchmark (${String(r['date'])}${r['quick'] === true ? ', quick' : ''})

${String(r['clients'])} concurrent callers (half CreateCollection, half AllocTimestamp) over ${String(r['channels'])} gRPC channels, one attempt per
call (the client's retries off), deadline 10 s. Machine: ${JSON.stringify(r['machine'])}. Shared machine: numbers are noisy.
The benchmark client shares the two cores with the three nodes.
${prefillLine('load', g('loadPrefill'))}${prefillLine('auth', g('authPrefill'))}`;
  const loadSection = `
## Steady load, ${String(r['seconds'])} s

| call | answers by code | successes/s | p50 / p99 ms (successes) | p50 / p99 / max ms (all answers) |
| --- | --- | --- | --- | --- |
${kindRow(load, 'CreateCollection')}
${kindRow(load, 'AllocTimestamp')}

Term rises ${String(load['termRises'])}; rise of rootcoord_raft_leader_changes_seen_total (sum over nodes) ${String(load['leaderChangesSeen'])};
event-loop lag ${JSON.stringify(load['lag'])}; failed /metrics scrapes ${String(load['failedScrapes'])}; client deadlines ${String(load['clientDeadlines'])}.
Error reasons: ${'`'}${JSON.stringify(load['errorReasons'])}${'`'}

## kill -9 of the leader under that load

Time to the next successful CreateCollection: **${String(kill['toFirstCreateCollectionMs'])} ms** (AllocTimestamp: ${String(kill['toFirstAllocTimestampMs'])} ms); term rises ${String(kill['termRises'])}.
The new leader, from the nodes' logs (ms after the kill): ${((kill['newLeader'] as Array<Record<string, unknown>> | undefined) ?? []).map((x) => `node ${String(x['node'])} ${String(x['step'])} at ${String(x['afterKillMs'])}${x['tookMs'] === undefined ? '' : ` (took ${String(x['tookMs'])} ms, ${String(x['rolledBack'])} rolled back)`}`).join('; ') || 'not found'}.

| call | answers by code (${String(kill['phaseSec'])} s after the kill) | successes/s | p50 / p99 ms | all answers p50 / p99 / max |
| --- | --- | --- | --- | --- |
${kindRow(kill, 'CreateCollection')}
${kindRow(kill, 'AllocTimestamp')}

The killed node started again once the phase ended (idle cluster): ${killedNodeBackLine(g('killedNodeBack'))}.

Answers to calls started after the kill, by when they came (100 ms steps; "took": p50 of the successes' durations):

| from ms | CreateCollection codes | AllocTimestamp codes | took ms (create / tso) | commonest error |
| --- | --- | --- | --- | --- |
${steps.map(stepRow).join('\n')}
`;
  const bigSection = `
## Big requests (one attempt, deadline 120 s, to the leader)

| request | code | ms | term rises (within ~5 s after) | lag | reason |
| --- | --- | --- | --- | --- | --- |
${['alterDatabase16MB', 'createCollection30MBDescription'].map((k) => `| ${k} | ${String(big[k]?.['code'])} | ${String(big[k]?.['ms'])} | ${String(big[k]?.['termRisesWithin5sAfter'])} | ${JSON.stringify(big[k]?.['lag'])} | ${String(big[k]?.['reason'] ?? '')} |`).join('\n')}

A small CreateCollection afterwards: ${JSON.stringify(big['smallDdlAfter'])}.
`;
  const floodSection = `
## Wrong-password flood (cluster with --auth; flood and legitimate client both to the leader)

| flood clients | legit CreateCollection codes | legit p50 / p99 ms | flood answers | flood answers/s | term rises | lag |
| --- | --- | --- | --- | --- | --- | --- |
${flood.map((p) => { const l = p['legit'] as Record<string, unknown>; const ok = l['ok'] as Record<string, number>; const f = p['flood'] as Record<string, unknown>; return `| ${String(p['floodClients'])} | ${JSON.stringify(l['codes'])} | ${ok['p50Ms']} / ${ok['p99Ms']} | ${JSON.stringify(f['codes'])} | ${String(f['perSec'])} | ${String(p['termRises'])} | ${JSON.stringify(p['lag'])} |`; }).join('\n')}
`;
  return `${header}${r['load'] === undefined ? '' : loadSection}${r['big'] === undefined ? '' : bigSection}${r['authFlood'] === undefined ? '' : floodSection}
Charts: ${charts.join(', ')}.
`;
}
