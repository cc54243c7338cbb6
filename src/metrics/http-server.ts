import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { MetricsSource, NodeMetrics } from './node-metrics.js';

/** GET (or HEAD) /metrics (Prometheus text), /healthz (process up) and /readyz (knows a leader and has caught up); other methods 405. */
export class MetricsHttpServer {
  private server: Server | null = null;

  constructor(
    private readonly node: Pick<MetricsSource, 'config' | 'raft' | 'meta' | 'isServingLeader'>,
    private readonly metrics: NodeMetrics,
  ) {}

  async start(address: string): Promise<void> {
    const [host, port] = address.split(':');
    this.server = createServer((req, res) => {
      // Read-only: another method is refused before anything is read or made (405, as HTTP says).
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' });
        res.end('method not allowed: GET or HEAD\n');
        return;
      }
      void this.respond(req.url ?? '/').then(({ status, type, body }) => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(Number(port), host, () => resolve());
    });
  }

  private async respond(url: string): Promise<{ status: number; type: string; body: string }> {
    if (url.startsWith('/metrics')) return { status: 200, type: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() };
    const st = this.node.raft.status();
    if (url.startsWith('/healthz')) return { status: 200, type: 'application/json', body: JSON.stringify({ ok: true, id: this.node.config.id, pid: process.pid }) };
    if (url.startsWith('/readyz')) {
      const ready = st.lead !== 0 && this.node.meta.appliedIndex >= st.commit - 1000;
      const body = { ready, id: this.node.config.id, role: st.role, term: st.term, leader: st.lead, commitIndex: st.commit, appliedIndex: this.node.meta.appliedIndex, servingLeader: this.node.isServingLeader() };
      return { status: ready ? 200 : 503, type: 'application/json', body: JSON.stringify(body) };
    }
    return { status: 404, type: 'text/plain', body: 'not found\n' };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server === null ? resolve() : this.server.close(() => resolve())));
  }
}
