/**
 * Reproduction of "acknowledged CreateCollection lost under leader changes" (docs/bench-runs/2026-11-30-issue8-baseline.md):
 * a 3-node cluster, `--clients` concurrent clients creating collections (one attempt per call, a name
 * retried with its own request ID after 1, -1, 2001 or 2002, every answer recorded), while the leader
 * is changed every `--fault-ms` by a transfer, a SIGSTOP of `--stop-ms` (random in a range), or a kill -9
 * and restart (`--faults transfer,stop,kill,elect`, taken in turn; `elect`: paused until
 * another node leads, then resumed at once). At the end:
 * every acknowledged name must be listed by ShowCollections on the leader (linearizable) and on every
 * node (stale reads), and the replicas' applied index and digest must agree.
 *
 *   node dist/scripts/lost-ack.js [--seconds 60] [--clients 64] [--fault-ms 1500] [--faults transfer,stop,kill] [--stop-ms 300-1000] [--root DIR] [--keep-logs DIR]
 *
 * `--keep-logs DIR`: copy the cluster dir (node logs, data) there at the end.
 * `--root DIR`: the build whose nodes are started (DIR/dist/scripts/cluster.js), e.g. a worktree of an
 * older commit; the client is always this build's. Exit code 1 if an acknowledged create is missing.
 */
import { randomBytes } from 'node:crypto';
import { cpSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PlainMessage } from '../src/protocol/proto.js';
import { RootCoordClient } from '../src/client/root-coord-client.js';
import { Args, BenchCluster, OneShot, SCHEMA2, callUntilSettled, createCollectionRequest, log, sleep } from './bench-lib.js';
import type { Answer } from './bench-lib.js';
import { readDigests } from './replicas.js';

async function main(): Promise<void> {
  const args = new Args(process.argv.slice(2));
  const seconds = Number(args.value('seconds', '60'));
  const clients = Number(args.value('clients', '64'));
  const faultMs = Number(args.value('fault-ms', '1500'));
  const root = args.value('root', '');
  const keepLogs = args.value('keep-logs', '');
  const faults = args.value('faults', 'transfer,stop,kill').split(',');
  const [stopMin, stopMax] = args.value('stop-ms', '300-1000').split('-').map(Number) as [number, number];
  const clusterScript = root === '' ? undefined : resolve(root, 'dist/scripts/cluster.js');
  const cluster = await BenchCluster.up({ limits: ['maxCollectionNum=200000', 'maxCollectionNumPerDB=200000', 'maxGeneralCapacity=1000000'], ...(clusterScript === undefined ? {} : { clusterScript }) });
  const answers = new Map<string, string[]>();
  const acked = new Set<string>();
  const counts: Record<string, number> = {};
  const faultLog: string[] = [];
  let exitCode = 0;
  let termRises = 0;
  const t0 = performance.now();
  const ms = (): number => Math.round(performance.now() - t0);
  try {
    const endpoints = cluster.nodes().map((n) => n.client);
    const maxTerm = async (): Promise<number> => Math.max(...(await cluster.status()).nodes.map((n) => Number(n.term ?? 0)));
    const firstTerm = await maxTerm();
    const stopAt = performance.now() + seconds * 1000;
    let next = 0;
    const worker = async (w: number): Promise<void> => {
      const pool = new OneShot({ attemptDeadlineMs: 10_000 });
      const at = { endpoint: w };
      try {
        while (performance.now() < stopAt) {
          const name = `c${next++}`;
          const onAnswer = (r: Answer, endpoint: number): void => {
            counts[r.code] = (counts[r.code] ?? 0) + 1;
            const h = answers.get(name) ?? [];
            h.push(`${r.code}@${ms()}ms via ${endpoints[endpoint] as string}${r.code === 0 ? '' : ` (${r.reason.slice(0, 80)})`}`);
            answers.set(name, h);
            if (r.code === 0) acked.add(name);
          };
          await callUntilSettled(pool, endpoints, at, 'CreateCollection', createCollectionRequest(name, { schema: SCHEMA2, shards: 1 }), { requestId: randomBytes(16).toString('hex'), attempts: 60, onAnswer });
        }
      } finally {
        pool.close();
      }
    };
    const probe = new RootCoordClient({ endpoints, attemptDeadlineMs: 1500, retryBudgetMs: 0 });
    const faulter = async (): Promise<void> => {
      let i = 0;
      while (performance.now() < stopAt - 2000) {
        await sleep(faultMs);
        const leader = await cluster.leader(10_000).catch(() => null);
        if (leader === null) continue;
        const node = cluster.node(leader);
        const others = cluster.nodes().filter((n) => n.id !== leader);
        const kind = faults[i++ % faults.length];
        try {
          if (kind === 'transfer') {
            const to = others[i % others.length]?.id as number;
            await cluster.cmd('transfer', String(to));
            faultLog.push(`${ms()}ms transfer ${leader} -> ${to}`);
          } else if (kind === 'stop') {
            process.kill(node.pid, 'SIGSTOP');
            const pause = Math.round(stopMin + Math.random() * (stopMax - stopMin));
            faultLog.push(`${ms()}ms STOP ${leader} for ${pause}ms`);
            await sleep(pause);
            process.kill(node.pid, 'SIGCONT');
            faultLog.push(`${ms()}ms CONT ${leader}`);
          } else if (kind === 'elect') {
            // Pause the leader until another node has won an election, then resume it at once: the old
            // leader hears of the new term while the new leader's recovery runs (as after a busy loop).
            const selfOf = (st: PlainMessage | null): Record<string, unknown> => (st?.['self'] ?? {}) as Record<string, unknown>;
            const before = Number(selfOf(await probe.clusterStatus(node.client)).term ?? 0);
            process.kill(node.pid, 'SIGSTOP');
            const stoppedAt = performance.now();
            let seen = '';
            while (seen === '' && performance.now() - stoppedAt < 5000) {
              for (const other of others) {
                const st = await probe.clusterStatus(other.client).catch(() => null);
                const self = selfOf(st);
                if (Number(self['term'] ?? 0) > before && self['leader'] === self['id']) seen = `${other.id} leads term ${String(self['term'])}`;
              }
              if (seen === '') await sleep(5);
            }
            process.kill(node.pid, 'SIGCONT');
            faultLog.push(`${ms()}ms STOP ${leader} until ${seen || 'no election seen'} after ${Math.round(performance.now() - stoppedAt)}ms, CONT`);
          } else {
            process.kill(node.pid, 'SIGKILL');
            faultLog.push(`${ms()}ms KILL ${leader}`);
            await sleep(300);
            await cluster.cmd('start', String(leader));
            faultLog.push(`${ms()}ms started ${leader}`);
          }
        } catch (error) {
          faultLog.push(`${ms()}ms ${kind} of ${leader} failed: ${(error as Error).message.slice(0, 100)}`);
        }
      }
    };
    const progress = setInterval(() => log(`${ms()} ms: ${acked.size} acknowledged, answers ${JSON.stringify(counts)}, faults ${faultLog.length}`), 5000);
    await Promise.all([faulter(), ...Array.from({ length: clients }, (_, w) => worker(w))]);
    clearInterval(progress);
    probe.close();
    log(`fill done: ${acked.size} acknowledged of ${next} names, answers ${JSON.stringify(counts)}, ${faultLog.length} fault events`);
    await cluster.waitCaughtUp(120_000).catch((e: Error) => log(`warning: ${e.message}`));
    const leader = await cluster.leader();
    termRises = (await maxTerm()) - firstTerm;
    log(`final leader ${leader}; ${termRises} term rises`);
    const checker = new RootCoordClient({ endpoints: [cluster.node(leader).client], attemptDeadlineMs: 30_000, retryBudgetMs: 60_000 });
    const listed = new Set(((await checker.showCollections(''))['collection_names'] ?? []) as string[]);
    const lost = [...acked].filter((n) => !listed.has(n));
    log(`leader ${leader} (linearizable): ${listed.size} listed, ${lost.length} acknowledged but not listed`);
    for (const name of lost.slice(0, 30)) {
      const d = await checker.call('DescribeCollection', { db_name: '', collection_name: name }).then(() => 'exists', (e: Error) => e.message.slice(0, 80));
      log(`  lost ${name}: Describe ${d}; answers ${JSON.stringify(answers.get(name))}`);
    }
    if (lost.length > 0) exitCode = 1;
    for (const n of cluster.nodes()) {
      const c = new RootCoordClient({ endpoints: [n.client], staleReads: true, attemptDeadlineMs: 30_000, retryBudgetMs: 30_000 });
      try {
        const names = new Set(((await c.showCollections(''))['collection_names'] ?? []) as string[]);
        const missing = [...acked].filter((x) => !names.has(x)).length;
        log(`node ${n.id} (stale): ${names.size} listed, ${missing} acknowledged missing`);
        if (missing > 0) exitCode = 1;
      } finally {
        c.close();
      }
    }
    // Replicas: digests taken at the same applied index (entries keep coming: TSO windows, time ticks).
    let digestsEqual: boolean | null = null;
    for (let attempt = 0; attempt < 100 && digestsEqual === null; attempt++) {
      const { answers, sameIndex } = await readDigests(endpoints, { attemptDeadlineMs: 10_000, retryBudgetMs: 10_000 });
      if (sameIndex) {
        const ds = answers.filter((d) => d !== null);
        digestsEqual = new Set(ds.map((d) => d.digest)).size === 1;
        log(`digests at applied index ${ds[0]?.appliedIndex}: ${ds.map((d) => d.digest.slice(0, 16)).join(' ')}${digestsEqual ? ' (equal)' : ' (DIFFER)'}`);
      } else await sleep(50);
    }
    if (digestsEqual === false) exitCode = 1;
    checker.close();
    log(`faults: ${faultLog.join('; ')}`);
    console.log(JSON.stringify({ acknowledged: acked.size, names: next, answers: counts, faultEvents: faultLog.length, termRises, lost: lost.length, lostExamples: lost.slice(0, 20), digestsEqual }));
  } finally {
    if (keepLogs !== '') {
      cpSync(cluster.dir, keepLogs, { recursive: true });
      log(`cluster dir copied to ${keepLogs}`);
    }
    await cluster.stop();
    process.exitCode = exitCode;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
