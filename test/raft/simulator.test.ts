/**
 * The deterministic simulator over thousands of seeds: every safety property holds after every step,
 * and the healed cluster always recovers. Also proves the simulator really exercises the features.
 */
import { expect } from 'chai';
import { emptySimulationStats, runSimulation } from '../../raft/sim/simulator.js';
import type { SimulationStats } from '../../raft/sim/simulator.js';

/** Seeds that once found a bug, kept forever (see the README's "Replaying a seed"). */
export const REGRESSION_SEEDS: readonly number[] = [40, 43, 80, 113, 173, 196, 272, 288, 357, 732, 1111, 300383, 901351];
const SUITE_SEEDS = 2000;

describe('Raft simulator', function () {
  this.timeout(600_000);

  it(`keeps every safety property and recovers after healing on seeds 1..${SUITE_SEEDS} and every regression seed`, async () => {
    const totals: SimulationStats = emptySimulationStats();
    const failures: string[] = [];
    const seeds = new Set([...Array.from({ length: SUITE_SEEDS }, (_, i) => i + 1), ...REGRESSION_SEEDS]);
    for (const seed of seeds) {
      const result = await runSimulation({ seed });
      if (!result.ok) failures.push(`seed ${seed}: ${result.violation} (replay: npm run sim -- --seeds 1 --start ${seed} --trace)`);
      for (const key of Object.keys(totals) as Array<keyof SimulationStats>) totals[key] += result.stats[key];
    }
    expect(failures).to.deep.equal([]);
    // The seeds must really exercise every feature, or passing means little.
    expect(totals.snapshotsInstalled, 'snapshots installed').to.be.above(100);
    expect(totals.confChangesApplied, 'conf changes applied').to.be.above(100);
    expect(totals.transfers, 'leadership transfers').to.be.above(50);
    expect(totals.readsServed, 'reads served').to.be.above(10_000);
    expect(totals.crashes, 'crashes').to.be.above(500);
    expect(totals.crashesMidWrite, 'crashes in the middle of a write to disk').to.be.above(200);
    expect(totals.partitions, 'partitions').to.be.above(500);
    expect(totals.peerDownReports, 'crashed peers reported down').to.be.above(500);
    expect(totals.leaderFailovers, 'crashes of the leader followed by a leader of a later term').to.be.above(500);
  });

  it('elects a new leader sooner after a crash when the survivors find the leader down (seeds 1..200 with and without the reports)', async () => {
    // Each failover in election timeouts of its seed. The two runs of a seed are the same until the first
    // report that changes what a follower does; after it their schedules differ, so the comparison is of
    // two samples, not of pairs. Over five ranges of 200 seeds the ratio of the medians was 0.78 to 0.87
    // (1.84 against 2.35 here). With reports ignored (RawNode.reportPeerDown a no-op) the two runs of
    // every seed are identical and the ratio is exactly 1. What keeps the gain from being larger: a
    // failover that waits for a quorum (a down node's restart) or a split vote, which no report shortens.
    const withReports: number[] = [];
    const without: number[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      for (const [failovers, reportPeersDown] of [[withReports, true], [without, false]] as const) {
        const result = await runSimulation({ seed, reportPeersDown });
        expect(result.ok, `seed ${seed}${reportPeersDown ? '' : ' without reports'}: ${String(result.violation)}`).to.equal(true);
        for (const ticks of result.failoverTicks) failovers.push(ticks / result.params.electionTicks);
      }
    }
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    expect(withReports.length).to.be.above(100);
    expect(without.length).to.be.above(100);
    expect(median(withReports), `median failover with reports against without, in election timeouts (${median(withReports)} against ${median(without)})`).to.be.below(median(without) * 0.93);
  });

  it('replays a seed exactly', async () => {
    const a = await runSimulation({ seed: 4242 });
    const b = await runSimulation({ seed: 4242 });
    expect(a).to.deep.equal(b);
  });
});
