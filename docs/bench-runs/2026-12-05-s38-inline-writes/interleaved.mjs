// Two 3-node clusters of one build side by side, one with a follower's lone log writes inline (the
// default), one with --follower-log-writes pool; rounds of sequential CreatePartition alternating
// between them (the order flipped every round), so that the machine's drift falls on both alike.
// usage: node interleaved.mjs ROOT ROUNDS PER_ROUND   (ROOT: a compiled checkout of 0aa2c7a, the build
// with --follower-log-writes, reverted since; for another flag, change the second arm's upFlags)
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [root, roundsText = '12', perRoundText = '250'] = process.argv.slice(2);
const lib = await import(pathToFileURL(join(root, 'dist/scripts/bench-lib.js')).href);
const { BenchCluster, partitionWriter, timeEach, percentile, median, scrape } = lib;
const rounds = Number(roundsText), perRound = Number(perRoundText);
const arms = [];
for (const [name, upFlags] of [['inline', []], ['pool', ['--follower-log-writes', 'pool']]]) {
  const cluster = await BenchCluster.up({ upFlags });
  const client = await cluster.client();
  arms.push({ name, cluster, client, write: partitionWriter(client, `il${name}`), p50s: [] });
}
const inlineCount = async (arm) => {
  let total = 0;
  for (const n of arm.cluster.nodes()) total += (await scrape(n.metrics)).get('rootcoord_disk_wal_inline_writes_total') ?? 0;
  return total;
};
try {
  for (const arm of arms) await timeEach(2500, () => arm.write()); // warm-up: JIT, as scripts/bench does
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? arms : [...arms].reverse();
    for (const arm of order) {
      const samples = await timeEach(perRound, () => arm.write());
      arm.p50s.push(percentile(samples, 0.5));
    }
    console.log(`round ${r + 1}: ${arms.map((a) => `${a.name} ${a.p50s.at(-1).toFixed(3)}`).join(', ')}`);
  }
  const [a, b] = arms;
  const ratios = a.p50s.map((x, i) => x / b.p50s[i]);
  console.log(JSON.stringify({ rounds, perRound, inlineMedianP50Ms: median(a.p50s), poolMedianP50Ms: median(b.p50s), medianRatio: median(ratios), roundsInlineFaster: ratios.filter((x) => x < 1).length, inlineWrites: { inline: await inlineCount(a), pool: await inlineCount(b) } }));
} finally {
  for (const arm of arms) {
    arm.client.close();
    await arm.cluster.stop();
  }
}
