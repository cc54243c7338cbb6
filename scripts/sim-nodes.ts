/**
 * npm run sim:nodes -- --seeds N --start S [--duration-ms MS] [--fill-clients N] [--unsafe local-reads|no-request-ids]
 * Runs whole rootcoord nodes on the deterministic simulator (test/rootcoord/fixtures/node-vopr.ts) for
 * seeds S..S+N-1; prints each failing seed with the command that replays it, then `N passed, F failed`.
 */
import { parseCommandLine } from '../src/common/command-line.js';
import { runVoprSeed } from '../test/rootcoord/fixtures/node-vopr.js';
import type { VoprOptions } from '../test/rootcoord/fixtures/node-vopr.js';

// Each flag's first occurrence; one without its value, an unknown flag or a positional argument is passed over.
const args = parseCommandLine(process.argv.slice(2), { values: ['seeds', 'start', 'unsafe', 'duration-ms', 'fill-clients'] });
const given = (name: string): boolean => args.some((a) => a.kind === 'value' && a.name === name);
const flag = (name: string, fallback: string): string => {
  const first = args.find((a) => a.kind === 'value' && a.name === name);
  return (first?.kind === 'value' ? first.value : undefined) ?? fallback;
};
const seeds = Number(flag('seeds', '20'));
const start = Number(flag('start', '1'));
const unsafe = flag('unsafe', '');
const options: VoprOptions = {
  durationMs: Number(flag('duration-ms', '8000')),
  ...(given('fill-clients') ? { fillClients: Number(flag('fill-clients', '3')) } : {}),
  ...(unsafe === 'local-reads' ? { unsafeLocalReads: true } : {}),
  ...(unsafe === 'no-request-ids' ? { withoutRequestIds: true } : {}),
};
let failed = 0;
const disk = { crashes: 0, withUnsyncedWrites: 0 };
let acknowledgedCreates = 0;
let snapshotsForPeers = 0;
const startedMs = Date.now();
for (let seed = start; seed < start + seeds; seed++) {
  const result = await runVoprSeed(seed, options);
  disk.crashes += result.diskCrashes.crashes;
  disk.withUnsyncedWrites += result.diskCrashes.withUnsyncedWrites;
  acknowledgedCreates += result.acknowledgedCreates;
  snapshotsForPeers += result.snapshotsForPeers;
  if (result.violations.length === 0) continue;
  failed++;
  console.log(`seed ${seed} FAILED (${result.nodes} nodes, ops ${JSON.stringify(result.ops)})`);
  for (const v of result.violations) console.log(`  ${v}`);
  console.log(`  faults: ${result.faults.join('; ')}`);
  console.log(`  replay: npm run sim:nodes -- --seeds 1 --start ${seed}${unsafe === '' ? '' : ` --unsafe ${unsafe}`} --duration-ms ${options.durationMs}`);
}
console.log(`fill clients' acknowledged creates (each checked on every replica): ${acknowledgedCreates}`);
console.log(`disk crashes: ${disk.crashes}, ${disk.withUnsyncedWrites} with a write not yet durable`);
console.log(`snapshots made with data for a peer that needed one: ${snapshotsForPeers}`);
console.log(`${seeds - failed} passed, ${failed} failed (${((Date.now() - startedMs) / 1000).toFixed(1)} s)`);
process.exitCode = failed === 0 ? 0 : 1;
