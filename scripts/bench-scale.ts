/**
 * scripts/bench --scale [--quick] [--collections N] [--clients 64] [--per-database 60000] [--restarts 3] [--cluster-flags F] [--out DIR] [--max-minutes M]
 * Fills a fresh 3-node cluster to N collections (default 200,000; --quick 20,000) with 64 concurrent
 * clients (2 shards, 3 fields each, spread over databases of at most --per-database, 60,000 by
 * default: Milvus's limit per database is 65,536; `--per-database 200000` puts 200,000 in one, so
 * that ShowCollections lists them all), and records: throughput
 * per second, CreateCollection latency per tenth of N, answers by code (each answer counted once: the
 * client's own retries are off, a retry is a new answer), leader changes and terms, event-loop lag and
 * RSS of every node (their /metrics, every 2 s); then, at size N against the same calls on the empty
 * cluster: single-client CreatePartition and DescribeCollection, ShowCollections of the biggest
 * database, a follower's restart to ready (--restarts times each with TERM and with -9, alternating;
 * the median of them all, as a single restart on a shared machine varies by a second), a new
 * member's join, the size on disk. `--cluster-flags "F"`: more flags of `scripts/cluster up` (an A/B of
 * a node setting).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RootCoordClient } from '../src/client/root-coord-client.js';
import { loggedLines } from './node-log.js';
import type { PlainMessage } from '../src/protocol/proto.js';
import { Args, BenchCluster, clusterFlags, MetricsTimeline, OneShot, callUntilSettled, startBystander, createCollectionRequest, fillDatabases, partitionWriter, timeEach, addCount, codeKey, defaultOut, duBytes, httpGet, lagSeries, log, machineInfo, median, pidAlive, round, sampleNodes, sleep, summary, svgChart, termRisePoints } from './bench-lib.js';
import type { Answer, CodeCounts, NodeSample } from './bench-lib.js';

interface Checkpoint {
  collections: number;
  elapsedSec: number;
  createCollection: { n: number; p50Ms: number; p99Ms: number; maxMs: number };
  ratePerSec: number;
  nodes: NodeSample[];
}

/**
 * Single-client latencies: CreatePartition (after `warm` untimed calls) and DescribeCollection, each
 * phase bounded to `budgetMs` (a cluster in an election storm answers slowly: fewer samples then).
 */
async function singleClient(client: RootCoordClient, prefix: string, calls: number, warm: number, describeNames: () => { name: string; db: string }, budgetMs = 90_000): Promise<Record<string, unknown>> {
  const writer = partitionWriter(client, prefix);
  const failures: string[] = [];
  const guarded = (action: () => Promise<unknown>) => async (): Promise<void> => {
    try {
      await action();
    } catch (error) {
      failures.push((error as Error).message.slice(0, 100));
    }
  };
  await timeEach(warm, guarded(writer), budgetMs / 2);
  const createPartition = summary(await timeEach(calls, guarded(writer), budgetMs));
  const describe = guarded(() => {
    const d = describeNames();
    return client.describeCollection(d.name, d.db);
  });
  await timeEach(100, describe, budgetMs / 4);
  const describeCollection = summary(await timeEach(calls, describe, budgetMs));
  return { createPartition, describeCollection, failures: failures.length, firstFailures: failures.slice(0, 5) };
}

export async function runScale(args: Args): Promise<void> {
  const quick = args.has('quick');
  const target = args.number('collections', quick ? 20_000 : 200_000);
  const concurrency = args.number('clients', 64);
  const maxMinutes = args.number('max-minutes', quick ? 15 : 120);
  const out = resolve(args.value('out', defaultOut(quick ? 'scale-quick' : 'scale')));
  const perDb = args.number('per-database', 60_000);
  const restartsPerSignal = args.number('restarts', quick ? 1 : 3);
  if (!Number.isSafeInteger(restartsPerSignal) || restartsPerSignal < 0) throw new Error(`--restarts must be a whole number, not ${String(restartsPerSignal)}`);
  const dbNames = fillDatabases(target, perDb, 'db');
  const limits = [`maxCollectionNum=${target + 5000}`, `maxCollectionNumPerDB=${Math.max(65536, perDb + 5000)}`, `maxGeneralCapacity=${4 * target + 20_000}`];
  const results: Record<string, unknown> = { kind: 'scale', date: new Date().toISOString(), quick, target, concurrency, databases: dbNames.length, limits, machine: machineInfo() };
  log(`scale: target ${target} collections in ${dbNames.length} database(s), ${concurrency} clients; output ${out}`);
  // The bystander first: one that cannot start leaves no cluster behind it (its own process ends at exit).
  const bystander = await startBystander();
  const upFlags = clusterFlags(args);
  results['clusterFlags'] = upFlags;
  const cluster = await BenchCluster.up({ limits, upFlags });
  const timeline = new MetricsTimeline(() => cluster.nodes(), 2000, bystander.metrics).start();
  const tStart = performance.now();
  try {
    const setup = await cluster.client({ attemptDeadlineMs: 30_000, retryBudgetMs: 60_000 });
    const startSample = await sampleNodes(cluster.nodes());
    results['startNodes'] = startSample;

    // 1. the empty cluster: single-client latencies (warmed up first: 1,500 untimed calls)
    log('empty cluster: single-client CreatePartition and DescribeCollection (1,500 untimed, then 500 timed each)');
    results['empty'] = await singleClient(setup, 'emptybench', 500, 1500, () => ({ name: 'emptybench0', db: '' }));
    log(`  empty: ${JSON.stringify(results['empty'])}`);
    for (const db of dbNames.slice(1)) await setup.createDatabase(db);

    // 2. the fill
    const fillStartSec = timeline.elapsedSec();
    const endpoints = await cluster.endpointsLeaderFirst();
    const pools = Array.from({ length: concurrency }, () => new OneShot({ attemptDeadlineMs: 10_000 }));
    const codes: CodeCounts = {};
    const reasons = new Map<string, number>();
    let next = 0;
    let created = 0;
    const createdIdx: number[] = [];
    /** Every answer per name (code@ms since the fill started, the endpoint's index), to tell how a lost one was acknowledged. */
    const history = new Map<number, string[]>();
    let gaveUp = 0;
    let deadlines = 0;
    let decileLat: number[] = [];
    let recentLat: number[] = [];
    const checkpoints: Checkpoint[] = [];
    const perSecond: Array<{ tSec: number; created: number; ok: number; errors: number }> = [];
    let okInSecond = 0;
    let errInSecond = 0;
    const deadlineAt = performance.now() + maxMinutes * 60_000;
    let stopReason = 'reached the target';
    let checkpointDue = Math.ceil(target / 10);
    let lastCheckpointAt = performance.now();
    let lastCheckpointCount = 0;
    const checkpointing: Array<Promise<void>> = [];
    const request = (idx: number): PlainMessage => {
      const db = dbNames[idx % dbNames.length] as string;
      return createCollectionRequest(`c${idx}`, { db: db === 'default' ? '' : db });
    };
    const secondTicker = setInterval(() => {
      perSecond.push({ tSec: round(timeline.elapsedSec() - fillStartSec, 1), created, ok: okInSecond, errors: errInSecond });
      okInSecond = 0;
      errInSecond = 0;
    }, 1000);
    const progress = setInterval(() => {
      const last = timeline.samples[timeline.samples.length - 1];
      const rate = perSecond.slice(-5).reduce((a, s) => a + s.ok, 0) / Math.max(1, Math.min(5, perSecond.length));
      const lat = summary(recentLat);
      recentLat = [];
      const nodes = last?.nodes.map((n) => `n${n.id}${n.isLeader === 1 ? '*' : ''} t${n.term ?? '?'} lag ${n.lagMaxMs ?? '?'}ms rss ${n.rssMb ?? '?'}MB`).join(' | ') ?? '';
      log(`fill ${created}/${target} (${rate.toFixed(0)}/s, p50 ${lat.p50Ms} p99 ${lat.p99Ms} ms) codes ${JSON.stringify(codes)} | ${nodes}`);
    }, 5000);
    const worker = async (w: number): Promise<void> => {
      const pool = pools[w] as OneShot;
      const at = { endpoint: 0 };
      while (performance.now() < deadlineAt) {
        const idx = next++;
        if (idx >= target) return;
        const onAnswer = (r: Answer, endpoint: number): void => {
          addCount(codes, codeKey(r.code));
          const h = history.get(idx) ?? [];
          h.push(`${r.code}@${Math.round(timeline.elapsedSec() * 1000 - fillStartSec * 1000)}ms via node-endpoint ${endpoint}`);
          history.set(idx, h);
          if (r.deadline) deadlines++;
          if (r.code === 0) {
            created++;
            createdIdx.push(idx);
            okInSecond++;
            decileLat.push(r.ms);
            recentLat.push(r.ms);
            return;
          }
          errInSecond++;
          const reasonKey = `${r.code}: ${r.reason.replace(/c\d+|\d{3,}/g, '#').slice(0, 120)}`;
          reasons.set(reasonKey, (reasons.get(reasonKey) ?? 0) + 1);
        };
        const done = await callUntilSettled(pool, endpoints, at, 'CreateCollection', request(idx), { requestId: randomBytes(16).toString('hex'), attempts: 40, until: deadlineAt, onAnswer });
        if (!done) gaveUp++;
        if (created >= checkpointDue) {
          checkpointDue += Math.ceil(target / 10);
          const lat = decileLat;
          decileLat = [];
          const now = performance.now();
          const count = created;
          const rate = (count - lastCheckpointCount) / ((now - lastCheckpointAt) / 1000);
          lastCheckpointAt = now;
          lastCheckpointCount = count;
          checkpointing.push(
            sampleNodes(cluster.nodes(), 10_000).then((nodes) => {
              const createCollection = summary(lat);
              checkpoints.push({ collections: count, elapsedSec: round(timeline.elapsedSec() - fillStartSec, 1), createCollection, ratePerSec: round(rate, 1), nodes });
              log(`checkpoint ${count}: CreateCollection p50 ${createCollection.p50Ms} ms p99 ${createCollection.p99Ms} ms, ${rate.toFixed(0)}/s, RSS ${nodes.map((n) => `n${n.id} ${n.rssMb}MB`).join(' ')}`);
            }),
          );
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
    await Promise.all(checkpointing);
    clearInterval(secondTicker);
    clearInterval(progress);
    for (const p of pools) p.close();
    if (created < target) stopReason = performance.now() >= deadlineAt ? `time limit (${maxMinutes} min)` : 'gave up on some names';
    const fillEndSec = timeline.elapsedSec();
    const fillSec = fillEndSec - fillStartSec;
    results['fill'] = {
      created,
      target,
      stopReason,
      gaveUp,
      seconds: round(fillSec, 1),
      ratePerSec: round(created / fillSec, 1),
      codes,
      clientDeadlines: deadlines,
      errorReasons: Object.fromEntries([...reasons.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)),
      leaderChangesSeen: timeline.leaderChangesSeen(fillStartSec, fillEndSec),
      termRises: timeline.termRises(fillStartSec, fillEndSec),
      lag: timeline.lagMax(fillStartSec, fillEndSec),
      failedScrapes: timeline.failedScrapes(fillStartSec, fillEndSec),
      medianPerSecond: median(perSecond.map((s) => s.ok)),
    };
    results['checkpoints'] = checkpoints;
    results['perSecond'] = perSecond;
    log(`fill done: ${JSON.stringify(results['fill'])}`);

    // 3. at size N
    await cluster.waitCaughtUp(120_000).catch((e: Error) => log(`warning: ${e.message}`));
    const atN = await cluster.client({ attemptDeadlineMs: 30_000, retryBudgetMs: 60_000 });
    log('at size N: single-client CreatePartition and DescribeCollection (300 untimed, then 500 timed each)');
    let d = 0;
    results['atN'] = await singleClient(atN, 'fullbench', 500, 300, () => {
      const idx = createdIdx[(d++ * 7919) % Math.max(1, createdIdx.length)] ?? 0;
      const db = dbNames[idx % dbNames.length] as string;
      return { name: `c${idx}`, db: db === 'default' ? '' : db };
    });
    log(`  at N: ${JSON.stringify(results['atN'])}`);
    const biggest = dbNames[0] as string;
    // The whole call through the Node client, as a plain message (every ID and timestamp as decimal
    // text) and as columns (showCollectionColumns: typed arrays), in turn.
    const show: number[] = [];
    const showColumns: number[] = [];
    let names = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const r = await atN.showCollections(biggest === 'default' ? '' : biggest);
      show.push(performance.now() - t0);
      names = ((r['collection_names'] ?? []) as string[]).length;
      const t1 = performance.now();
      const c = await atN.showCollectionColumns(biggest === 'default' ? '' : biggest);
      showColumns.push(performance.now() - t1);
      if (c.names.length !== names || c.ids.length !== names) log(`  ShowCollections as columns: ${c.names.length} names and ${c.ids.length} IDs against ${names} names`);
    }
    // The same answer's bytes only (the server's work and the transport), without this client's decode.
    const raw: number[] = [];
    let bytes = 0;
    const leaderEndpoint = (await cluster.endpointsLeaderFirst())[0] as string;
    for (let i = 0; i < 5; i++) {
      try {
        const r = await cluster.rawCall(leaderEndpoint, 'ShowCollections', { db_name: biggest === 'default' ? '' : biggest });
        raw.push(r.ms);
        bytes = r.bytes;
      } catch (e) {
        // Not retried (a retry would time something else): the sample is missing, the run goes on.
        log(`  ShowCollections, answer's bytes: ${(e as Error).message}`);
      }
    }
    results['showCollections'] = { db: biggest, names, samplesMs: show.map((x) => round(x, 1)), medianMs: round(median(show), 1), columnsSamplesMs: showColumns.map((x) => round(x, 1)), columnsMedianMs: round(median(showColumns), 1), answerBytes: bytes, answerReceivedMs: raw.map((x) => round(x, 1)), answerReceivedMedianMs: round(median(raw), 1) };
    // Integrity: every acknowledged CreateCollection is listed (a 2002 answer retried with its request ID included).
    {
      const listed = new Set<string>();
      for (const db of dbNames) for (const n of ((await atN.showCollections(db === 'default' ? '' : db))['collection_names'] ?? []) as string[]) listed.add(`${db}/${n}`);
      const lostIdx = createdIdx.filter((i) => !listed.has(`${dbNames[i % dbNames.length] as string}/c${i}`));
      const lost = lostIdx.map((i) => `c${i}`);
      results['acknowledgedButNotListed'] = { count: lost.length, examples: lost.slice(0, 20), answers: Object.fromEntries(lostIdx.slice(0, 20).map((i) => [`c${i}`, history.get(i) ?? []])) };
      log(`  acknowledged CreateCollection not listed by ShowCollections: ${lost.length}${lost.length > 0 ? ` (${lost.slice(0, 10).join(', ')})` : ''}`);
    }
    log(`  ShowCollections(${biggest}): ${names} names, median ${round(median(show), 1)} ms; as columns median ${round(median(showColumns), 1)} ms; the answer received, not decoded: median ${round(median(raw), 1)} ms`);

    // size on disk (before the restarts)
    results['disk'] = cluster.nodes().map((n) => ({ id: n.id, totalMb: round(duBytes(n.dataDir) / 1048576, 1), snapshotsMb: round(duBytes(join(n.dataDir, 'raft'), (f) => f.endsWith('.snap')) / 1048576, 1), raftLogMb: round(duBytes(join(n.dataDir, 'raft'), (f) => !f.endsWith('.snap')) / 1048576, 1), metaMb: round(duBytes(join(n.dataDir, 'meta')) / 1048576, 1) }));
    log(`  disk: ${JSON.stringify(results['disk'])}`);

    // 4. restart of a follower to ready, TERM then -9, restartsPerSignal times
    const restarts: Array<Record<string, unknown>> = [];
    const signals = Array.from({ length: restartsPerSignal }, () => ['SIGTERM', 'SIGKILL'] as const).flat();
    for (const signal of signals) {
      const leader = await cluster.leader();
      const follower = cluster.nodes().find((n) => n.id !== leader);
      if (follower === undefined) break;
      const t0Sec = timeline.elapsedSec();
      const t0 = performance.now();
      process.kill(follower.pid, signal);
      while (pidAlive(follower.pid) && performance.now() - t0 < 30_000) await sleep(20);
      const exitMs = performance.now() - t0;
      const t1 = performance.now();
      const startedAtWallMs = Date.now();
      await cluster.cmd('start', String(follower.id));
      let readyMs = NaN;
      const node = cluster.node(follower.id);
      while (performance.now() - t1 < 120_000) {
        const r = await httpGet(node.metrics, '/readyz', 2000).catch(() => null);
        if (r?.status === 200) {
          readyMs = performance.now() - t1;
          break;
        }
        await sleep(50);
      }
      await sleep(2500);
      // Where the restart's time went, from the node's log: loading the catalog, starting Raft (the rest
      // is the processes' own start, and hearing the leader).
      // Only this start's line (the log is appended to), and none if it never became ready.
      const started = Number.isNaN(readyMs) ? undefined : loggedLines(join(cluster.dir, `node-${follower.id}.log`), 'node started').filter((line) => Date.parse(String(line['time'])) >= startedAtWallMs).at(-1);
      const catalogLoadMs = typeof started?.['catalogLoadMs'] === 'number' ? started['catalogLoadMs'] : null;
      const raftStartMs = typeof started?.['raftStartMs'] === 'number' ? started['raftStartMs'] : null;
      // The Raft threads meanwhile (the restarted node's own from its start): a catalog load beside them must not delay them.
      restarts.push({ signal, node: follower.id, exitMs: round(exitMs, 1), startToReadyMs: round(readyMs, 1), catalogLoadMs, raftStartMs, termRises: timeline.termRises(t0Sec, Infinity), raftThread: timeline.lagMax(t0Sec, timeline.elapsedSec()).raftThread });
      log(`  restart of follower ${follower.id} (${signal}): exit ${round(exitMs, 1)} ms, start to /readyz ${round(readyMs, 1)} ms (catalog load ${String(catalogLoadMs)} ms, Raft start ${String(raftStartMs)} ms)`);
    }
    results['followerRestart'] = restarts;
    const readyTimes = restarts.map((x) => x['startToReadyMs'] as number).filter((ms) => Number.isFinite(ms));
    results['followerRestartMedianMs'] = readyTimes.length === 0 ? null : round(median(readyTimes), 1);
    results['followerRestartsReady'] = readyTimes.length;
    log(`  follower restart to ready: median ${String(results['followerRestartMedianMs'])} ms over ${readyTimes.length} of ${restarts.length} restarts`);

    // 5. a new member's join (scripts/cluster add: a learner catches up, then becomes a voter)
    {
      const t0 = performance.now();
      const t0Sec = timeline.elapsedSec();
      let error = '';
      await cluster.cmd('add').catch((e: Error) => (error = e.message.split('\n').slice(-3).join(' ')));
      const joinMs = performance.now() - t0;
      await sleep(2500);
      // Where the join's time went, from the nodes' logs: the leader's copy, and the new member's restore.
      const logged = (message: string): Array<Record<string, unknown>> => cluster.nodes().flatMap((n) => loggedLines(join(cluster.dir, `node-${n.id}.log`), message));
      const copies = logged('made a copy of the state machine for a peer that needs a snapshot');
      const restores = logged('state machine restored from a snapshot');
      // The lag over the join: the leader's Raft thread sends the catalog's copy in pieces beside its heartbeats.
      results['join'] = { ms: round(joinMs, 1), ok: error === '', error, termRises: timeline.termRises(t0Sec, Infinity), copyMs: copies.at(-1)?.['ms'] ?? null, copyBytes: copies.at(-1)?.['bytes'] ?? null, restoreMs: restores.at(-1)?.['ms'] ?? null, lag: timeline.lagMax(t0Sec, timeline.elapsedSec()) };
      log(`  join of a new member: ${round(joinMs, 1)} ms${error === '' ? '' : ` (failed: ${error})`} (the leader's copy ${String(copies.at(-1)?.['ms'] ?? '?')} ms, its restore ${String(restores.at(-1)?.['ms'] ?? '?')} ms)`);
    }
    setup.close();
    atN.close();
    results['endNodes'] = await sampleNodes(cluster.nodes());
  } finally {
    timeline.stop();
    bystander.stop();
    results['totalSec'] = round((performance.now() - tStart) / 1000, 1);
    results['timeline'] = timeline.samples;
    results['leaderChangesSeenTotal'] = timeline.leaderChangesSeen();
    results['termRisesTotal'] = timeline.termRises();
    await cluster.stop();
    writeScaleResults(out, results);
  }
}

function writeScaleResults(out: string, r: Record<string, unknown>): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(r, null, 2)}\n`);
  const checkpoints = (r['checkpoints'] ?? []) as Checkpoint[];
  const timeline = (r['timeline'] ?? []) as Array<{ tSec: number; nodes: NodeSample[] }>;
  const ids = [...new Set(timeline.flatMap((s) => s.nodes.map((n) => n.id)))].sort();
  writeFileSync(
    join(out, 'latency-vs-size.svg'),
    svgChart({
      title: 'CreateCollection latency (64 clients) against catalog size',
      xLabel: 'collections',
      yLabel: 'ms',
      series: [
        { name: 'p50', points: checkpoints.map((c) => [c.collections, c.createCollection.p50Ms]) },
        { name: 'p99', points: checkpoints.map((c) => [c.collections, c.createCollection.p99Ms]) },
      ],
    }),
  );
  writeFileSync(
    join(out, 'rss-vs-size.svg'),
    svgChart({
      title: 'RSS per node against catalog size',
      xLabel: 'collections',
      yLabel: 'MB',
      series: ids.map((id) => ({ name: `node ${id}`, points: checkpoints.map((c) => [c.collections, c.nodes.find((n) => n.id === id)?.rssMb ?? NaN] as [number, number]) })),
    }),
  );
  writeFileSync(
    join(out, 'leader-changes.svg'),
    svgChart({
      title: 'Elections over time (rise of the highest term since the start)',
      xLabel: 's since start',
      yLabel: 'term rises',
      series: [{ name: 'term rises', points: termRisePoints(timeline) }],
    }),
  );
  writeFileSync(
    join(out, 'lag.svg'),
    svgChart({
      title: 'Event-loop lag per node (max between scrapes)',
      xLabel: 's since start',
      yLabel: 'ms',
      series: lagSeries(timeline),
    }),
  );
  const perSecond = (r['perSecond'] ?? []) as Array<{ tSec: number; ok: number }>;
  writeFileSync(join(out, 'throughput.svg'), svgChart({ title: 'CreateCollection per second during the fill', xLabel: 's since fill start', yLabel: 'per s', series: [{ name: 'created/s', points: perSecond.map((s) => [s.tSec, s.ok]) }] }));
  writeFileSync(join(out, 'RESULTS.md'), scaleMarkdown(r, checkpoints));
  log(`results in ${out}`);
}

function scaleMarkdown(r: Record<string, unknown>, checkpoints: Checkpoint[]): string {
  const g = (k: string): Record<string, unknown> => (r[k] ?? {}) as Record<string, unknown>;
  const fill = g('fill');
  const empty = g('empty') as Record<string, Record<string, number>>;
  const atN = g('atN') as Record<string, Record<string, number>>;
  const cell = (o: Record<string, number> | undefined): string => (o === undefined ? 'n/a' : `${o['p50Ms']} / ${o['p99Ms']}`);
  const restarts = (r['followerRestart'] ?? []) as Array<Record<string, unknown>>;
  const join = g('join');
  const show = g('showCollections');
  const disk = (r['disk'] ?? []) as Array<Record<string, number>>;
  return `# rootcoord scale benchmark (${String(r['date'])}${r['quick'] === true ? ', quick' : ''})

Target ${String(r['target'])} collections (2 shards, 3 fields) in ${String(r['databases'])} database(s), ${String(r['concurrency'])} concurrent clients,
each answer counted once (the client's retries off). Machine: ${JSON.stringify(r['machine'])}. Shared machine: numbers are noisy.

## The fill

| figure | value |
| --- | --- |
| collections created | ${String(fill['created'])} of ${String(fill['target'])} (${String(fill['stopReason'])}) |
| time, rate | ${String(fill['seconds'])} s, ${String(fill['ratePerSec'])}/s on average, median per second ${String(fill['medianPerSecond'])} |
| answers by code | ${JSON.stringify(fill['codes'])} (client deadlines among 2002: ${String(fill['clientDeadlines'])}) |
| leader changes during the fill | term rises ${String(fill['termRises'])}; rise of rootcoord_raft_leader_changes_seen_total summed over nodes ${String(fill['leaderChangesSeen'])} |
| event-loop lag of the request threads, ms beyond the 10 ms sampling interval: over the fill (runP99Ms: each node's p99, as its delay-histogram bucket bound; samplesOver100Ms), and per 2 s scrape window (p99MaxMs, maxMs, medianOfP99Ms); bystander: an idle process's own delay over the same time (scripts/bench-bystander.ts), what the machine alone does to a thread | ${JSON.stringify(fill['lag'])} |
| failed /metrics scrapes | ${String(fill['failedScrapes'])} |

Error reasons (most frequent): ${'```'}
${JSON.stringify(fill['errorReasons'], null, 1)}
${'```'}

| collections | elapsed s | CreateCollection p50 ms | p99 ms | rate /s | RSS MB per node | lag max ms per node |
| --- | --- | --- | --- | --- | --- | --- |
${checkpoints.map((c) => `| ${c.collections} | ${c.elapsedSec} | ${c.createCollection.p50Ms} | ${c.createCollection.p99Ms} | ${c.ratePerSec} | ${c.nodes.map((n) => `${n.id}: ${n.rssMb ?? '-'}`).join(', ')} | ${c.nodes.map((n) => `${n.id}: ${n.lagMaxMs ?? '-'}`).join(', ')} |`).join('\n')}

## Single client, empty against size N (p50 / p99 ms, 500 calls each)

| call | empty | at N |
| --- | --- | --- |
| CreatePartition | ${cell(empty['createPartition'])} | ${cell(atN['createPartition'])} |
| DescribeCollection | ${cell(empty['describeCollection'])} | ${cell(atN['describeCollection'])} |

ShowCollections of database \`${String(show['db'])}\` (${String(show['names'])} names) through the Node client: median ${String(show['medianMs'])} ms (${JSON.stringify(show['samplesMs'])}); as columns (\`showCollectionColumns\`: IDs and timestamps as typed arrays) median ${String(show['columnsMedianMs'])} ms (${JSON.stringify(show['columnsSamplesMs'])}); its answer (${String(show['answerBytes'])} bytes) received, not decoded: median ${String(show['answerReceivedMedianMs'])} ms (${JSON.stringify(show['answerReceivedMs'])}; the server's work and the transport).

Acknowledged CreateCollection (code 0) that ShowCollections does not list afterwards: ${JSON.stringify(r['acknowledgedButNotListed'])}.

Follower restart (signal, exit, \`scripts/cluster start\` to /readyz; the node's catalog load and Raft start from its log): median to ready ${String(r['followerRestartMedianMs'])} ms over the ${String(r['followerRestartsReady'])} of ${restarts.length} that became ready; ${restarts.map((x) => `${String(x['signal'])}: exit ${String(x['exitMs'])} ms, start to ready ${Number.isFinite(x['startToReadyMs']) ? `${String(x['startToReadyMs'])} ms` : 'never'} (catalog load ${String(x['catalogLoadMs'])} ms, Raft start ${String(x['raftStartMs'])} ms; term rises since: ${String(x['termRises'])}; Raft threads meanwhile ${JSON.stringify(x['raftThread'] ?? null)})`).join('; ')}.

New member join (\`scripts/cluster add\` to voter): ${String(join['ms'])} ms${join['ok'] === false ? ` FAILED: ${String(join['error'])}` : ''} (the leader's copy ${String(join['copyMs'] ?? '?')} ms for ${String(join['copyBytes'] ?? '?')} bytes, the new member's restore ${String(join['restoreMs'] ?? '?')} ms); lag over the join, the Raft threads' in \`raftThread\`: ${JSON.stringify(join['lag'] ?? null)}.

On disk at N: ${disk.map((x) => `node ${x['id']}: ${x['totalMb']} MB (snapshots ${x['snapshotsMb']}, Raft log ${x['raftLogMb']}, LevelDB ${x['metaMb']})`).join('; ')}.

Whole run: ${String(r['totalSec'])} s; term rises ${String(r['termRisesTotal'])} (includes the restarts and the join).

Charts: latency-vs-size.svg, rss-vs-size.svg, leader-changes.svg, lag.svg, throughput.svg.
`;
}
