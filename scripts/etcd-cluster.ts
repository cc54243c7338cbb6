/**
 * The benchmark's etcd anchor: a 3-member etcd (the system's `etcd`, e.g. Debian's etcd-server) in a
 * temp dir of its own, written to through its HTTP gateway (keep-alive) and its gRPC API (grpc-js).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortBase } from './free-ports.js';
import { EtcdGrpcClient } from './etcd-grpc.js';
import { killChild, onCleanup } from './bench-lib.js';

export class EtcdCluster {
  private constructor(
    readonly procs: ChildProcess[],
    readonly clientUrls: string[],
    readonly dir: string,
  ) {}

  /** Three members in a temp dir of their own; `stop()` or any exit kills them and removes it. */
  static async start(): Promise<EtcdCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'rootcoord-bench-etcd-'));
    const base = await freePortBase([1, 2, 3, 11, 12, 13]);
    const names = ['e1', 'e2', 'e3'];
    const peer = (i: number): string => `http://127.0.0.1:${base + 11 + i}`;
    const client = (i: number): string => `http://127.0.0.1:${base + 1 + i}`;
    const initial = names.map((n, i) => `${n}=${peer(i)}`).join(',');
    const procs = names.map((name, i) =>
      spawn('etcd', ['--name', name, '--data-dir', join(dir, name), '--listen-client-urls', client(i), '--advertise-client-urls', client(i), '--listen-peer-urls', peer(i), '--initial-advertise-peer-urls', peer(i), '--initial-cluster', initial, '--initial-cluster-state', 'new', '--initial-cluster-token', 'bench', '--log-level', 'error'], { stdio: 'ignore' }),
    );
    const cluster = new EtcdCluster(procs, names.map((_, i) => client(i)), dir);
    onCleanup(() => cluster.stop());
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await cluster.put('warmup', 'x');
        return cluster;
      } catch {
        if (Date.now() > deadline) throw new Error('etcd did not start');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  put(key: string, value: string): Promise<void> {
    const body = JSON.stringify({ key: Buffer.from(key).toString('base64'), value: Buffer.from(value).toString('base64') });
    const url = new URL('/v3/kv/put', this.clientUrls[0]);
    return new Promise((done, fail) => {
      const req = request(url, { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? done() : fail(new Error(`etcd put: HTTP ${res.statusCode}`))));
      });
      req.on('error', fail);
      req.end(body);
    });
  }

  /** etcd's gRPC KV API on the same member as the HTTP gateway's (grpc-js, rootcoord's channel options). */
  readonly grpc = (): EtcdGrpcClient => {
    this.grpcClient ??= new EtcdGrpcClient(this.clientUrls[0]?.replace('http://', '') ?? '');
    return this.grpcClient;
  };
  private grpcClient: EtcdGrpcClient | undefined;

  stop(): void {
    this.grpcClient?.close();
    this.agent.destroy();
    this.procs.forEach(killChild);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
