/**
 * Prometheus for a local cluster: the scrape configuration made from cluster.json (one target per
 * node, labelled with its id, the alert rules of monitoring/rules loaded), and a `prometheus` process
 * started on it (`scripts/cluster up --prometheus`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpGet } from './http-get.js';
import { dump } from 'js-yaml';

/** The alert rules shipped with rootcoord (unit-tested by `promtool test rules`). */
export const alertRulesFile = fileURLToPath(new URL('../../monitoring/rules/rootcoord-alerts.yml', import.meta.url));

export interface ScrapeTarget {
  id: number;
  /** host:port of the node's /metrics. */
  metrics: string;
}

export interface PrometheusConfigOptions {
  nodes: readonly ScrapeTarget[];
  /** Prometheus duration, e.g. "5s". */
  scrapeInterval?: string;
  job?: string;
  rulesFile?: string;
}

/** prometheus.yml for a cluster: every node a target of one job, with a `node` label (its id). */
export function prometheusConfig(options: PrometheusConfigOptions): string {
  const interval = options.scrapeInterval ?? '5s';
  if (!/^\d+(ms|s|m)$/.test(interval)) throw new Error(`scrape interval "${interval}": want a Prometheus duration such as 5s`);
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: [options.rulesFile ?? alertRulesFile],
    scrape_configs: [
      {
        job_name: options.job ?? 'rootcoord',
        metrics_path: '/metrics',
        static_configs: options.nodes.map((n) => ({ targets: [n.metrics], labels: { node: String(n.id) } })),
      },
    ],
  };
  return `# Scrape configuration for a local rootcoord cluster, made by scripts/cluster from cluster.json.\n${dump(config, { lineWidth: -1 })}`;
}

/** The `prometheus` binary on PATH (or $PROMETHEUS), or null. */
export function findPrometheus(): string | null {
  const given = process.env['PROMETHEUS'];
  if (given !== undefined && given !== '') return existsSync(given) ? given : null;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'prometheus');
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return null;
}

export const installHint = 'prometheus is not installed: apt-get install prometheus (Debian, Ubuntu), or put the binary from https://prometheus.io/download/ on PATH (or in $PROMETHEUS)';

export interface PrometheusEntry {
  pid: number;
  /** host:port of its web UI and HTTP API. */
  address: string;
  configFile: string;
  dataDir: string;
  logFile: string;
}

/** Starts `binary` on `configFile`, detached, its output in `logFile`; returns once it is ready (or throws with its log's end). */
export async function startPrometheus(binary: string, entry: Omit<PrometheusEntry, 'pid'>, timeoutMs = 20_000): Promise<PrometheusEntry> {
  mkdirSync(entry.dataDir, { recursive: true });
  const out = openSync(entry.logFile, 'a', 0o600);
  const child = spawn(binary, [`--config.file=${entry.configFile}`, `--storage.tsdb.path=${entry.dataDir}`, `--web.listen-address=${entry.address}`, '--storage.tsdb.retention.time=7d'], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${binary}`);
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = `exited with ${code === null ? `signal ${String(signal)}` : `code ${code}`}`;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== null) throw new Error(`prometheus ${exited} while starting; its log ${entry.logFile} ends:\n${logTail(entry.logFile, 5)}`);
    try {
      if ((await httpGet(entry.address, '/-/ready', 1000)).status === 200) return { ...entry, pid: child.pid };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      process.kill(child.pid, 'SIGKILL');
      throw new Error(`prometheus did not become ready within ${timeoutMs / 1000} s (log: ${entry.logFile})`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The last `lines` lines of a file, or '' if it cannot be read. */
export function logTail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** The text `file` has from byte `from` on ('' if it cannot be read): what was appended since. */
export function logSince(file: string, from: number): string {
  try {
    return readFileSync(file).subarray(from).toString('utf8');
  } catch {
    return '';
  }
}
