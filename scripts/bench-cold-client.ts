/**
 * A fresh client process for scripts/bench --cold: sequential CreatePartition calls against a cluster,
 * timed per call, with this process's CPU and the servers' CPU (from /proc) per block of calls.
 *   node bench-cold-client.js --endpoints A,B,C --pids 1,2,3 --calls 3000 --block 250 --prefix cold
 * Prints one JSON line: { blocks: [{ p50Ms, p90Ms, serverCpuMsPerOp, clientCpuMsPerOp }], samplesMs }.
 */
import { RootCoordClient } from '../src/client/root-coord-client.js';
import { Args, cpuMs, partitionWriter, percentile, round } from './bench-lib.js';

export async function coldBlocks(client: RootCoordClient, pids: number[], calls: number, block: number, prefix: string): Promise<{ blocks: Array<Record<string, number>>; samplesMs: number[] }> {
  const write = partitionWriter(client, prefix);
  const blocks: Array<Record<string, number>> = [];
  const samplesMs: number[] = [];
  for (let b = 0; b < calls / block; b++) {
    const server0 = cpuMs(pids);
    const client0 = process.cpuUsage();
    const samples: number[] = [];
    let errors = 0;
    for (let i = 0; i < block; i++) {
      const t0 = performance.now();
      try {
        await write();
      } catch {
        errors++; // e.g. an unknown outcome during an election on this shared machine: counted, timed
      }
      samples.push(performance.now() - t0);
    }
    const c = process.cpuUsage(client0);
    blocks.push({ from: b * block, errors, p50Ms: round(percentile(samples, 0.5)), p90Ms: round(percentile(samples, 0.9)), serverCpuMsPerOp: round((cpuMs(pids) - server0) / block), clientCpuMsPerOp: round((c.user + c.system) / 1000 / block) });
    samplesMs.push(...samples.map((s) => round(s, 3)));
  }
  return { blocks, samplesMs };
}

async function main(): Promise<void> {
  const args = new Args(process.argv.slice(2));
  const client = new RootCoordClient({ endpoints: args.value('endpoints', '').split(',') });
  const pids = args.value('pids', '').split(',').map(Number);
  const result = await coldBlocks(client, pids, args.number('calls', 3000), args.number('block', 250), args.value('prefix', 'cold'));
  client.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1]?.endsWith('bench-cold-client.js') === true) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
