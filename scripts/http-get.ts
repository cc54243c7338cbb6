import { get } from 'node:http';

/**
 * GET `http://address/path`: its status and body. Through node:http, not fetch: fetch's HTTP parser
 * (undici's llhttp) is WebAssembly, and V8 tiers it up on a background thread that a process waits for
 * as it exits. A `scripts/cluster start` that polled with fetch exited about 200 ms after its last line
 * (every restart in `scripts/bench --scale` counted it); 20 to 50 ms with this.
 */
export function httpGet(address: string, path: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(`http://${address}${path}`, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
