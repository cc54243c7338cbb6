/**
 * The benchmark's event-loop lag figures (scripts/bench-lib.ts): a run's p99 from the nodes' cumulative
 * delay histograms, and prom-client's per-window figures without their 10 ms sampling interval.
 */
import { expect } from 'chai';
import { DELAY_BOUNDS_MS, MetricsTimeline, delayPercentileMs, summary } from '../../scripts/bench-lib.js';
import type { NodeSample } from '../../scripts/bench-lib.js';

/** Cumulative counts for samples given as (bound in ms -> how many fell in that bucket). */
function cumulative(perBucket: Record<number, number>): number[] {
  let sum = 0;
  return DELAY_BOUNDS_MS.map((bound) => (sum += perBucket[bound] ?? 0));
}

function sample(id: number, buckets: number[], lagP99Ms = 0, startTimeSec = 1000): NodeSample {
  return { id, ok: true, scrapeMs: 1, delayBuckets: buckets, startTimeSec, lagP99Ms, lagMaxMs: lagP99Ms };
}

describe('bench: event-loop lag figures', () => {
  it("summarises a long phase's answers (more than a spread call's argument limit)", () => {
    const samples = Array.from({ length: 500_000 }, (_, i) => (i % 1000) + 1);
    samples[123_456] = 5000;
    const s = summary(samples);
    expect([s.n, s.maxMs]).to.deep.equal([500_000, 5000]);
    expect(s.p50Ms).to.be.within(500, 501);
    expect(s.p99Ms).to.be.within(990, 991);
    expect(summary([]).maxMs).to.be.NaN;
  });

  it('a percentile is the bound of the bucket that holds it', () => {
    expect(delayPercentileMs(cumulative({ 1: 990, 50: 10 }), 0.99)).to.equal(1);
    expect(delayPercentileMs(cumulative({ 1: 989, 50: 11 }), 0.99)).to.equal(50);
    expect(delayPercentileMs(cumulative({ [Infinity]: 1 }), 0.99)).to.equal(Infinity);
    expect(delayPercentileMs(cumulative({}), 0.99)).to.equal(0);
  });

  it("counts only what a run's scrapes saw rise, per node, and a restarted node's counts whole", () => {
    const timeline = new MetricsTimeline(() => []);
    // Node 1 had 10,000 slow samples before the run: they are not the run's.
    timeline.samples.push({ tSec: 0, nodes: [sample(1, cumulative({ 200: 10_000 })), sample(2, cumulative({}))] });
    timeline.samples.push({ tSec: 2, nodes: [sample(1, cumulative({ 200: 10_000, 2: 1_000 }), 40), sample(2, cumulative({ 5: 500 }))] });
    // Node 2 restarted: its counts start again (100 slow samples), so the run saw 600, 100 of them slow.
    timeline.samples.push({ tSec: 4, nodes: [sample(1, cumulative({ 200: 10_000, 2: 2_000 }), 3), sample(2, cumulative({ 150: 100 }), 120)] });
    const lag = timeline.lagMax(0, 10);
    expect(lag.runP99MsByNode).to.deep.equal({ '1': 2, '2': 150 });
    expect(lag.runP99Ms).to.equal(150);
    expect(lag.samplesOver100Ms).to.equal(100);
    expect(lag.p99MaxMs).to.equal(120);
    // A window outside the bounds is not counted.
    expect(timeline.lagMax(0, 2).runP99MsByNode).to.deep.equal({ '1': 2, '2': 5 });
  });

  it('counts from the last scrape before a stretch, and leaves out a node scraped once', () => {
    const timeline = new MetricsTimeline(() => []);
    timeline.samples.push({ tSec: 0, nodes: [sample(1, cumulative({ 1: 100 }))] });
    // Slow samples recorded between t=1 (the stretch's start) and the first scrape in it.
    timeline.samples.push({ tSec: 2, nodes: [sample(1, cumulative({ 1: 100, 500: 5 })), sample(2, cumulative({ 1: 10 }))] });
    timeline.samples.push({ tSec: 4, nodes: [sample(1, cumulative({ 1: 200, 500: 5 }))] });
    const lag = timeline.lagMax(1, 10);
    expect(lag.runP99MsByNode).to.deep.equal({ '1': 500 });
    expect(lag.samplesOver100Ms).to.equal(5);
    expect(new MetricsTimeline(() => []).lagMax().runP99Ms).to.equal(null);
  });

  it('takes a node whose process start time changed as restarted, even when its counts grew', () => {
    const timeline = new MetricsTimeline(() => []);
    timeline.samples.push({ tSec: 0, nodes: [sample(1, cumulative({ 1: 150, 200: 10 }), 0, 1000)] });
    timeline.samples.push({ tSec: 2, nodes: [sample(1, cumulative({ 1: 170, 200: 20 }), 0, 1001)] });
    const lag = timeline.lagMax(0, 10);
    expect(lag.runP99MsByNode).to.deep.equal({ '1': 200 });
    expect(lag.samplesOver100Ms).to.equal(20);
  });

  it("reports the Raft threads' delay, heap and external memory apart from the request threads'", () => {
    const timeline = new MetricsTimeline(() => []);
    const withRaft = (id: number, request: number[], raft: number[], heapMb: number, externalMb: number, gc = { seconds: 0, majors: 0 }): NodeSample => ({ ...sample(id, request), raftDelayBuckets: raft, raftHeapMb: heapMb, raftExternalMb: externalMb, raftGc: gc });
    timeline.samples.push({ tSec: 0, nodes: [withRaft(1, cumulative({ 1: 10 }), cumulative({ 500: 3 }), 9, 1, { seconds: 5, majors: 7 }), withRaft(2, cumulative({}), cumulative({}), 8, 1)] });
    // Node 1's Raft thread: 1,000 samples in the stretch, 20 at 30 ms and one at 150 ms; node 2's all under 1 ms.
    timeline.samples.push({ tSec: 2, nodes: [withRaft(1, cumulative({ 1: 10, 200: 50 }), cumulative({ 500: 3, 1: 979, 30: 20, 150: 1 }), 12.5, 30, { seconds: 5.25, majors: 8 }), withRaft(2, cumulative({ 2: 100 }), cumulative({ 1: 1000 }), 7, 2, { seconds: 0.5, majors: 1 })] });
    // Node 2's totals fell between the scrapes (a restart): they start again and count whole.
    timeline.samples.push({ tSec: 4, nodes: [withRaft(1, cumulative({ 1: 10, 200: 50 }), cumulative({ 500: 3, 1: 979, 30: 20, 150: 1 }), 11, 20, { seconds: 5.5, majors: 8 }), withRaft(2, cumulative({ 2: 100 }), cumulative({ 1: 1000 }), 7.5, 0, { seconds: 0.125, majors: 0 })] });
    const lag = timeline.lagMax(1, 10);
    expect(lag.runP99MsByNode).to.deep.equal({ '1': 200, '2': 2 });
    expect(lag.raftThread).to.deep.equal({
      runP99MsByNode: { '1': 30, '2': 1 },
      maxBucketMsByNode: { '1': 150, '2': 1 },
      samplesOver100Ms: 1,
      heapMaxMbByNode: { '1': 12.5, '2': 7.5 },
      externalMaxMbByNode: { '1': 30, '2': 2 },
      gcSecondsByNode: { '1': 0.5, '2': 0.625 },
      majorGcsByNode: { '1': 1, '2': 1 },
    });
  });

  it("counts a restarted node's Raft-thread GC whole: by its start time, and from no GC lines (nothing collected yet) on", () => {
    const timeline = new MetricsTimeline(() => []);
    const node = (startTimeSec: number, gc: { seconds: number; majors: number } | undefined): NodeSample => ({ ...sample(1, cumulative({ 1: 100 }), 0, startTimeSec), raftDelayBuckets: cumulative({ 1: 100 }), raftGc: gc });
    timeline.samples.push({ tSec: 0, nodes: [node(1000, { seconds: 1, majors: 2 })] });
    // Restarted with more in all than before: counted whole, not as the difference.
    timeline.samples.push({ tSec: 2, nodes: [node(1001, { seconds: 3, majors: 5 })] });
    expect(timeline.lagMax(0, 10).raftThread.gcSecondsByNode).to.deep.equal({ '1': 3 });
    expect(timeline.lagMax(0, 10).raftThread.majorGcsByNode).to.deep.equal({ '1': 5 });
    // Restarted again, and scraped before its first GC (no lines), then after it.
    timeline.samples.push({ tSec: 4, nodes: [node(1002, undefined)] });
    timeline.samples.push({ tSec: 6, nodes: [node(1002, { seconds: 1.5, majors: 0 })] });
    expect(timeline.lagMax(3, 10).raftThread.gcSecondsByNode).to.deep.equal({ '1': 1.5 });
    expect(timeline.lagMax(0, 10).raftThread.gcSecondsByNode).to.deep.equal({ '1': 4.5 });
  });

  it("reports the bystander's delay apart from the nodes', over the same stretch", () => {
    const timeline = new MetricsTimeline(() => [], 2000, '127.0.0.1:1');
    // The scrape before the stretch: the stretch's counts start from its counts; its max is not the stretch's.
    timeline.samples.push({ tSec: 0, nodes: [sample(1, cumulative({ 1: 100 }))], bystander: sample(0, cumulative({ 200: 50 }), 190) });
    timeline.samples.push({ tSec: 2, nodes: [sample(1, cumulative({ 1: 200 }), 1)], bystander: sample(0, cumulative({ 200: 50, 2: 95, 150: 5 }), 140) });
    const lag = timeline.lagMax(1, 10);
    expect(lag.runP99MsByNode).to.deep.equal({ '1': 1 });
    expect(lag.samplesOver100Ms).to.equal(0);
    // 100 samples in the stretch, 5 of them at 150 ms: its p99 is 150; the 50 before the stretch do not count.
    expect(lag.bystander).to.deep.equal({ runP99Ms: 150, samplesOver100Ms: 5, maxMs: 140 });
    expect(new MetricsTimeline(() => []).lagMax(1, 10).bystander).to.equal(undefined);
    // A bystander never scraped in the stretch: no p99 (null), not a zero.
    const unscraped = new MetricsTimeline(() => [], 2000, '127.0.0.1:1');
    unscraped.samples.push({ tSec: 2, nodes: [sample(1, cumulative({ 1: 100 }))], bystander: { id: 0, ok: false, scrapeMs: 1 } });
    expect(unscraped.lagMax(1, 10).bystander).to.deep.equal({ runP99Ms: null, samplesOver100Ms: 0, maxMs: 0 });
  });
});
