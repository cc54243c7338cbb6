/**
 * scripts/overload: a burst of many concurrent clients against a running cluster (scripts/cluster up).
 *   node dist/scripts/overload.js --dir .cluster [--clients 500] [--seconds 25] [--retry-budget-ms N]
 * Half the clients loop on CreateCollection (a fresh name each time), half on AllocTimestamp; each
 * client has its own gRPC connection and starts at a random node. Prints one JSON object: answers by
 * code per method (the code the client library finally returns, after its retries within the budget;
 * `--retry-budget-ms 0` shows the servers' first answers), p50/p99 latency of all calls and of the
 * successful ones, and the leader changes
 * seen (the Raft term before and after).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RootCoordClient, RootCoordError } from '../src/client/root-coord-client.js';
import { Args, percentile, sleep } from './bench-lib.js';

/** Rounded to a whole ms. */
function percentileMs(samples: number[], p: number): number {
  return Math.round(percentile(samples, p));
}

interface Tally {
  codes: Record<string, number>;
  latencies: number[];
  /** Latencies of the calls that succeeded. */
  okLatencies: number[];
  /** The first few reasons of each failing code. */
  reasons: Record<string, string[]>;
}

async function terms(client: RootCoordClient, endpoints: string[]): Promise<number[]> {
  return Promise.all(endpoints.map(async (e) => Number(((await client.clusterStatus(e).catch(() => ({ self: { term: NaN } }))) as { self: { term: string } }).self.term)));
}

async function main(): Promise<void> {
  const args = new Args(process.argv.slice(2));
  const dir = args.value('dir', '.cluster');
  const clients = args.number('clients', 500);
  const seconds = args.number('seconds', 25);
  const budget = args.value('retry-budget-ms', '');
  const cluster = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { nodes: Array<{ client: string }> };
  const endpoints = cluster.nodes.map((n) => n.client);
  const admin = new RootCoordClient({ endpoints });
  const termsBefore = await terms(admin, endpoints);
  const tallies: Record<string, Tally> = { CreateCollection: { codes: {}, latencies: [], okLatencies: [], reasons: {} }, AllocTimestamp: { codes: {}, latencies: [], okLatencies: [], reasons: {} } };
  const endAt = Date.now() + seconds * 1000;
  const schema = { fields: [{ name: 'id', data_type: 'Int64', is_primary_key: true, autoID: true }, { name: 'vec', data_type: 'FloatVector', dim: 8 }] };
  const run = `o${Date.now().toString(36)}`;
  const workers = Array.from({ length: clients }, async (_, i) => {
    const start = Math.floor(Math.random() * endpoints.length);
    const order = endpoints.map((_e, k) => endpoints[(start + k) % endpoints.length] as string);
    // One connection per client, as separate processes would have (grpc-js otherwise shares one).
    const client = new RootCoordClient({ endpoints: order, channelOptions: { 'grpc.use_local_subchannel_pool': 1 }, ...(budget === '' ? {} : { retryBudgetMs: Number(budget) }) });
    const method = i % 2 === 0 ? 'CreateCollection' : 'AllocTimestamp';
    const tally = tallies[method] as Tally;
    for (let n = 0; Date.now() < endAt; n++) {
      const t0 = performance.now();
      let code = 0;
      try {
        if (method === 'CreateCollection') await client.createCollection(`${run}_${i}_${n}`, schema as never);
        else await client.allocTimestamp(1);
      } catch (error) {
        code = error instanceof RootCoordError ? error.code : -1;
        const seen = (tally.reasons[code] ??= []);
        if (seen.length < 3) seen.push((error as Error).message.slice(0, 160));
        // A client that was refused waits a little before its next request, as a real one would.
        if (code !== 0) await sleep(50);
      }
      tally.latencies.push(performance.now() - t0);
      if (code === 0) tally.okLatencies.push(performance.now() - t0);
      tally.codes[code] = (tally.codes[code] ?? 0) + 1;
    }
    client.close();
  });
  await Promise.all(workers);
  const termsAfter = await terms(admin, endpoints);
  admin.close();
  const summary: Record<string, unknown> = { clients, seconds, retryBudgetMs: budget === '' ? 'default' : Number(budget), termsBefore, termsAfter, leaderChanges: Math.max(...termsAfter) - Math.max(...termsBefore) };
  for (const [method, tally] of Object.entries(tallies)) {
    const all = tally.latencies;
    const ok = tally.okLatencies;
    summary[method] = { calls: all.length, codes: tally.codes, p50ms: percentileMs(all, 0.5), p99ms: percentileMs(all, 0.99), okP50ms: percentileMs(ok, 0.5), okP99ms: percentileMs(ok, 0.99), perSec: Math.round(all.length / seconds), reasons: tally.reasons };
  }
  console.log(JSON.stringify(summary, null, 2));
  process.exit(0);
}

void main();
