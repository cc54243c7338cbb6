/**
 * A short chaos run against real processes (kills, pauses, partitions, restarts, clock jumps) whose
 * history must check out, and proof that the checks bite: serving reads locally without ReadIndex
 * (an unsafe setting) must be reported as a linearizability violation. The report comes with SVG charts.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const chaosScript = fileURLToPath(new URL('../../scripts/chaos.js', import.meta.url));

interface Summary {
  faults: { total: number; byKind: Record<string, number> };
  ops: { ok: number };
  checks: Record<string, boolean>;
  violations: string[];
}

function runChaos(args: string[]): Promise<{ code: number; summary: Summary; output: string; charts: string[] }> {
  return new Promise((resolve, reject) => {
    void (async () => {
      const dir = await mkdtemp(join(tmpdir(), 'chaos-test-'));
      // In a directory not made yet: chaos makes it (it once ended a run unable to write its report).
      const report = join(dir, 'reports', 'report.json');
      // The cluster inside the test's directory: a run with a violation keeps its data for diagnosis
      // (the unsafe-setting test below has one), and it goes with the directory.
      execFile(process.execPath, [chaosScript, ...args, '--dir', join(dir, 'cluster'), '--report', report], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
        void (async () => {
          try {
            const summary = JSON.parse(await readFile(report, 'utf8')) as Summary;
            const charts = await Promise.all(['latency', 'throughput'].map((name) => readFile(join(dir, 'reports', `report-${name}.svg`), 'utf8').catch(() => '')));
            resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? 1), summary, output: stdout, charts });
          } catch (e) {
            reject(new Error(`chaos produced no report: ${(e as Error).message}\n${stdout}`));
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        })();
      });
    })();
  });
}

describe('chaos', function () {
  this.timeout(300_000);

  it('a one-minute run with faults of several kinds finds no violation', async () => {
    const { code, summary, output, charts } = await runChaos(['--duration-seconds', '45', '--seed', '7', '--faults', 'kill,pause,partition,restart,clock,delay,torn']);
    expect(summary.violations, output).to.deep.equal([]);
    expect(code).to.equal(0);
    expect(Object.keys(summary.faults.byKind).length, JSON.stringify(summary.faults.byKind)).to.be.at.least(3);
    expect(summary.ops.ok).to.be.above(1000);
    expect(Object.values(summary.checks).every(Boolean)).to.equal(true);
    // Charts next to the report: latency and throughput over time, each fault shaded and named.
    for (const svg of charts) {
      expect(svg).to.match(/^<svg /);
      expect(svg).to.match(/<polyline /);
      expect(svg).to.match(/>(kill|pause|partition|restart|clock|delay|torn) n\d/);
    }
  });

  it('the unsafe setting (reads served locally, without ReadIndex) is caught as a violation', async () => {
    const { code, summary } = await runChaos(['--duration-seconds', '30', '--seed', '3', '--faults', 'partition', '--unsafe', 'stale-reads']);
    expect(code).to.not.equal(0);
    expect(summary.checks['linearizable']).to.equal(false);
  });
});
