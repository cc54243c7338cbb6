/**
 * monitoring/ against a live cluster (three node processes started by scripts/cluster, with Prometheus
 * where the binary is installed): the alert rules' unit tests (promtool test rules), the nodes'
 * /metrics linted by promtool check metrics, every query of the dashboard and the rules reading
 * metrics the nodes export, and `up --prometheus` scraping the cluster with the rules loaded.
 */
import { expect } from 'chai';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { load } from 'js-yaml';
import { freePortBase } from '../../scripts/free-ports.js';
import { alertRulesFile, findPrometheus } from '../../scripts/monitoring.js';
import { pidAlive } from '../../scripts/processes.js';
import { dashboardExpressions, exportedNames, metricNames } from './promql-names.js';

const run = promisify(execFile);
const clusterScript = fileURLToPath(new URL('../../scripts/cluster.js', import.meta.url));
const rulesTests = fileURLToPath(new URL('../../../monitoring/rules/rootcoord-alerts.test.yml', import.meta.url));
const dashboardFile = fileURLToPath(new URL('../../../monitoring/grafana/rootcoord.json', import.meta.url));

/** Names kept as their owners define them, lint or not: Milvus's (dashboards depend on them) and prom-client's defaults. */
const FOREIGN = (name: string): boolean => name.startsWith('milvus_') || /^nodejs_active_(handles|requests|resources)_total$/.test(name);

const promtoolInstalled = spawnSync('promtool', ['--version']).error === undefined;
const prometheusBinary = findPrometheus();
const NO_PROMTOOL = 'promtool is not installed (apt-get install prometheus)';

/** Polls `condition` every 200 ms (a real Prometheus is asked) until it holds, or fails naming `what`. */
async function until(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface ClusterJson {
  nodes: Array<{ id: number; pid: number; metrics: string }>;
  prometheus?: { pid: number; address: string };
}

describe('Monitoring: rules, dashboard and metric names against a live cluster', function () {
  this.timeout(120_000);
  let dir = '';
  let cluster: ClusterJson;
  const pages = new Map<number, string>();
  const pids: number[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rootcoord-monitoring-'));
    const base = await freePortBase([1, 2, 3, 4, 90, 101, 102, 103, 104, 201, 202, 203, 204]);
    const prometheus = prometheusBinary === null ? [] : ['--prometheus', '--scrape-interval', '1s'];
    await run(process.execPath, [clusterScript, 'up', '--nodes', '3', '--base-port', String(base), '--dir', dir, ...prometheus]);
    cluster = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as ClusterJson;
    pids.push(...cluster.nodes.map((n) => n.pid), ...(cluster.prometheus === undefined ? [] : [cluster.prometheus.pid]));
    for (const n of cluster.nodes) pages.set(n.id, await (await fetch(`http://${n.metrics}/metrics`)).text());
  });

  after(async () => {
    await run(process.execPath, [clusterScript, 'down', '--dir', dir]).catch(() => undefined);
    for (const pid of pids) if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('the alert rules pass their unit tests (promtool test rules)', function () {
    if (!promtoolInstalled) {
      console.log(`      skipped: ${NO_PROMTOOL}`);
      this.skip();
    }
    const checked = spawnSync('promtool', ['check', 'rules', alertRulesFile], { encoding: 'utf8' });
    expect(checked.status, checked.stdout + checked.stderr).to.equal(0);
    const tested = spawnSync('promtool', ['test', 'rules', rulesTests], { encoding: 'utf8' });
    expect(tested.status, tested.stdout + tested.stderr).to.equal(0);
  });

  it("every node's /metrics passes promtool check metrics (Milvus's names and prom-client's aside)", function () {
    if (!promtoolInstalled) {
      console.log(`      skipped: ${NO_PROMTOOL}`);
      this.skip();
    }
    for (const [id, page] of pages) {
      const own = page.split('\n').filter((line) => {
        const name = line.startsWith('# ') ? (line.split(' ')[2] ?? '') : (/^[^{ ]+/.exec(line)?.[0] ?? '');
        return !FOREIGN(name);
      });
      expect(own.some((l) => l.startsWith('rootcoord_raft_proposals_committed_total'))).to.equal(true);
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: own.join('\n'), encoding: 'utf8' });
      expect(lint.status, `node ${id}: ${lint.stdout}${lint.stderr}`).to.equal(0);
      expect(lint.stdout + lint.stderr, `node ${id}`).to.equal('');
    }
  });

  it('every query of the dashboard and of the alert rules reads only metrics the nodes export', async () => {
    const exported = new Set(['up']);
    for (const page of pages.values()) for (const name of exportedNames(page)) exported.add(name);
    const rules = load(await readFile(alertRulesFile, 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }> };
    const queries = [
      ...rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `rule ${r.alert ?? r.record ?? ''}`, expr: r.expr }))),
      ...dashboardExpressions(JSON.parse(await readFile(dashboardFile, 'utf8'))),
    ];
    expect(queries.length).to.be.greaterThan(40);
    const used = new Set<string>();
    for (const { where, expr } of queries) {
      const names = metricNames(expr);
      expect(names.size, `${where} reads no metric: ${expr}`).to.be.greaterThan(0);
      for (const name of names) {
        expect(exported.has(name), `${where} reads ${name}, which no node exports`).to.equal(true);
        used.add(name);
      }
    }
    // The dashboard covers each part of the node: Raft, DDL, TSO and time ticks, the process.
    for (const name of ['rootcoord_raft_commit_index', 'milvus_rootcoord_ddl_req_count', 'milvus_rootcoord_timestamp_saved', 'milvus_rootcoord_produce_tt_lag_ms', 'process_cpu_seconds_total']) expect(used, name).to.include(name);
  });

  it('the name check itself: finds metric names, not functions, labels, keywords or numbers', () => {
    expect([...metricNames('histogram_quantile(0.99, sum by (instance, le) (rate(a_bucket{job=~"x"}[5m]))) > 1e3')]).to.deep.equal(['a_bucket']);
    expect([...metricNames('(b - timestamp(b) * 1000) < 250 and on (job, instance) c{x="d e"} == 1')]).to.deep.equal(['b', 'c']);
    expect([...metricNames('label_values(rootcoord_raft_term{job=~"$job"}, instance)')]).to.deep.equal(['rootcoord_raft_term']);
  });

  it('up --prometheus: Prometheus scrapes every node with the rules loaded, a killed node goes pending and clears, down stops it', async function () {
    if (prometheusBinary === null) {
      console.log('      skipped: prometheus is not installed (apt-get install prometheus)');
      this.skip();
    }
    const prometheus = cluster.prometheus;
    expect(prometheus, 'cluster.json names the Prometheus').to.not.equal(undefined);
    const api = async (path: string): Promise<unknown> => ((await (await fetch(`http://${prometheus?.address ?? ''}/api/v1/${path}`)).json()) as { data: unknown }).data;
    const vector = async (query: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> =>
      ((await api(`query?query=${encodeURIComponent(query)}`)) as { result: Array<{ metric: Record<string, string>; value: [number, string] }> }).result;
    await until('Prometheus scrapes all three nodes', async () => (await vector('up == 1')).length === 3, 30_000);
    await until('Prometheus sees one leader', async () => (await vector('sum(rootcoord_raft_is_leader)'))[0]?.value[1] === '1', 30_000);
    const groups = (await api('rules')) as { groups: Array<{ rules: Array<{ name: string; health: string }> }> };
    const loaded = groups.groups.flatMap((g) => g.rules);
    expect(loaded.map((r) => r.name)).to.include.members(['RootcoordMemberDown', 'RootcoordNoLeader', 'RootcoordTsoWindowNearlyExhausted']);
    const unhealthy = loaded.filter((r) => r.health === 'err');
    expect(unhealthy, 'rules that fail to evaluate').to.deep.equal([]);

    const leader = (await vector('rootcoord_raft_is_leader == 1'))[0]?.metric['node'];
    const victim = cluster.nodes.find((n) => String(n.id) === leader) ?? cluster.nodes[0];
    if (victim === undefined) throw new Error('no node');
    process.kill(victim.pid, 'SIGKILL');
    type Alert = { labels: Record<string, string>; state: string };
    const memberDown = async (): Promise<Alert | undefined> =>
      ((await api('alerts')) as { alerts: Alert[] }).alerts.find((a) => a.labels['alertname'] === 'RootcoordMemberDown' && a.labels['node'] === String(victim.id));
    await until(`RootcoordMemberDown goes pending for node ${victim.id}`, async () => (await memberDown()) !== undefined, 30_000);
    await until('another leader is elected and scraped', async () => (await vector('sum(rootcoord_raft_is_leader)'))[0]?.value[1] === '1', 30_000);
    await run(process.execPath, [clusterScript, 'start', String(victim.id), '--dir', dir]);
    const restarted = (JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as ClusterJson).nodes.find((n) => n.id === victim.id);
    if (restarted !== undefined) pids.push(restarted.pid);
    await until(`RootcoordMemberDown clears once node ${victim.id} is back`, async () => (await memberDown()) === undefined, 30_000);

    await run(process.execPath, [clusterScript, 'down', '--dir', dir]);
    expect(pidAlive(prometheus?.pid ?? 0), 'Prometheus stopped by down').to.equal(false);
  });
});
