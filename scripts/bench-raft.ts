/**
 * Raft benchmark: three local node processes with fsync on (durable store, TCP peer transport).
 *   npm run bench:raft [-- --quick]
 * Measures a single proposer's commit latency (p50/p99) and throughput with 64 concurrent proposers,
 * both at the leader, and prints one JSON document.
 */
import { ProcessCluster } from '../test/raft/fixtures/process-cluster.js';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const latencyCount = quick ? 500 : 3000;
  const throughputCount = quick ? 10_000 : 50_000;
  const runs = quick ? 1 : 3;
  const cluster = await ProcessCluster.start(3, ['--snapshot-entries', '20000', '--entries-kept', '1000', '--tick-ms', '100']);
  try {
    const leader = await cluster.waitForLeader();
    await cluster.request(leader, { cmd: 'propose', count: 2000, concurrency: 16, payloadBytes: 64 }, 120_000);
    const p50s: number[] = [];
    const p99s: number[] = [];
    const rates: number[] = [];
    for (let run = 0; run < runs; run++) {
      const latency = await cluster.request<{ samples: number[] }>(leader, { cmd: 'latency', count: latencyCount }, 300_000);
      const sorted = latency.samples.slice().sort((a, b) => a - b);
      p50s.push(percentile(sorted, 0.5));
      p99s.push(percentile(sorted, 0.99));
      const tp = await cluster.request<{ elapsedMs: number }>(leader, { cmd: 'propose', count: throughputCount, concurrency: 64, payloadBytes: 64 }, 300_000);
      rates.push(throughputCount / (tp.elapsedMs / 1000));
    }
    const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    console.log(JSON.stringify({
      nodes: 3,
      fsync: true,
      runs,
      singleProposerP50Ms: Number(median(p50s).toFixed(3)),
      singleProposerP99Ms: Number(median(p99s).toFixed(3)),
      concurrent64ProposalsPerSec: Math.round(median(rates)),
      perRun: { p50s, p99s, rates: rates.map(Math.round) },
    }, null, 2));
  } finally {
    await cluster.stop();
  }
}

void main();
