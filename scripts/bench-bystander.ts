/**
 * The bystander: an idle Node process beside a benchmark's cluster, whose event loop does nothing but
 * time itself, as a node's request thread does (rootcoord_eventloop_delay_seconds, every 10 ms how late
 * a 10 ms timer ran; prom-client's nodejs_eventloop_lag_*), served on /metrics. Its delay is what the
 * machine alone does to a thread that wants a core: the nodes', the clients' and everything else's
 * threads on the same cores. So a node's lag over the bystander's is the node's own (its work, its
 * GC), and the issue's lag target cannot be met below the bystander's on the same machine.
 *
 * Started by scripts/bench (startBystander in bench-lib.ts): prints {"metrics":"127.0.0.1:PORT"} once
 * it listens, and exits when its standard input closes (its parent gone).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { eventLoopDelayHistogram, watchEventLoopDelay } from '../src/metrics/node-metrics.js';

const registry = new Registry();
// The same sampling as a node's: a 10 ms timer into the same buckets, and prom-client's own lag gauges.
const timer = watchEventLoopDelay(eventLoopDelayHistogram([registry]));
collectDefaultMetrics({ register: registry });

const server = createServer((request, response) => {
  if (request.url !== '/metrics') {
    response.writeHead(404).end();
    return;
  }
  registry.metrics().then(
    (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
    (error: unknown) => response.writeHead(500).end(String(error)),
  );
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ metrics: `127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
const stop = (): void => {
  clearInterval(timer);
  server.close();
  process.exit(0);
};
process.stdin.on('end', stop).on('error', stop).resume();
process.on('SIGTERM', stop);
