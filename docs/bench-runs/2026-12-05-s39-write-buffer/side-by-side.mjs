// Two 3-node clusters side by side, each of its own build (a compiled checkout), with rounds of
// sequential CreatePartition alternating between them (the order flipped every round), so that the
// machine's drift falls on both alike (session 38's method, `../2026-12-05-s38-inline-writes/`, which
// compared two flags of one build).
// usage: node side-by-side.mjs ROOT_A ROOT_B [ROUNDS] [PER_ROUND]
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [rootA, rootB, roundsText = '16', perRoundText = '250'] = process.argv.slice(2);
const lib = await import(pathToFileURL(join(rootA, 'dist/scripts/bench-lib.js')).href);
const { BenchCluster, partitionWriter, timeEach, percentile, median } = lib;
const rounds = Number(roundsText), perRound = Number(perRoundText);
const arms = [];
try {
  for (const [name, root] of [['a', rootA], ['b', rootB]]) {
    const cluster = await BenchCluster.up({ clusterScript: join(root, 'dist/scripts/cluster.js') });
    const client = await cluster.client();
    arms.push({ name, cluster, client, write: partitionWriter(client, `sbs${name}`), p50s: [] });
  }
  for (const arm of arms) await timeEach(2500, () => arm.write()); // warm-up: JIT, as scripts/bench does
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? arms : [...arms].reverse();
    for (const arm of order) arm.p50s.push(percentile(await timeEach(perRound, () => arm.write()), 0.5));
    console.log(`round ${r + 1}: ${arms.map((a) => `${a.name} ${a.p50s.at(-1).toFixed(3)}`).join(', ')}`);
  }
  const [a, b] = arms;
  const ratios = a.p50s.map((x, i) => x / b.p50s[i]);
  console.log(JSON.stringify({ rootA, rootB, rounds, perRound, medianP50MsA: median(a.p50s), medianP50MsB: median(b.p50s), medianRatioAtoB: median(ratios), roundsAFaster: ratios.filter((x) => x < 1).length }));
} finally {
  for (const arm of arms) {
    arm.client.close();
    await arm.cluster.stop();
  }
}
