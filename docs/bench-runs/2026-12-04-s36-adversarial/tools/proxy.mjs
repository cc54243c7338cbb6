// node proxy.mjs LISTEN_PORT TARGET_PORT CTLDIR [RATE_BYTES_PER_S]
// TCP proxy on 127.0.0.1. Forwards both directions; dialer->target at most RATE bytes/s (0: unlimited; file CTLDIR/rate overrides).
// While CTLDIR/cut exists: a blackhole partition, nothing is forwarded either way (sockets stay open, nothing read, so the
// sender's TCP buffers fill up as with dropped packets). Logs byte counts every second to stdout.
import net from 'node:net'; import { existsSync, readFileSync } from 'node:fs';
const [lp, tp, ctl, rateS] = process.argv.slice(2);
const cut = () => existsSync(`${ctl}/cut`);
const rate = () => { try { return Number(readFileSync(`${ctl}/rate`, 'utf8')); } catch { return Number(rateS ?? 0); } };
let total = 0, conns = 0; const ts = () => new Date().toISOString().slice(11, 23);
function pump(src, dst, limited, tag) {
  const q = []; let paused = false;
  src.on('data', (b) => { q.push(b); src.pause(); paused = true; });
  let budget = 0, last = Date.now();
  const step = () => {
    const now = Date.now(); const r = limited ? rate() : 0;
    budget = r > 0 ? Math.min(budget + (now - last) * r / 1000, r / 10 + 65536) : Infinity; last = now;
    if (!cut()) {
      while (q.length && budget > 0) { let b = q[0]; if (b.length > budget) { q[0] = b.subarray(Math.floor(budget)); b = b.subarray(0, Math.floor(budget)); } else q.shift(); budget -= b.length; if (tag === 'in') total += b.length; if (b.length) dst.write(b); }
      if (!q.length && paused && !src.destroyed) { paused = false; src.resume(); }
    }
  };
  const t = setInterval(step, 5); src.on('close', () => { clearInterval(t); step(); dst.end(); }); src.on('error', () => dst.destroy());
}
net.createServer((c) => { conns++; const s = net.connect(Number(tp), '127.0.0.1'); console.log(ts(), 'conn', conns, 'from', c.remotePort);
  pump(c, s, true, 'in'); pump(s, c, false, 'out'); s.on('error', () => c.destroy()); c.on('error', () => s.destroy()); c.on('close', () => console.log(ts(), 'closed conn from', c.remotePort)); })
  .listen(Number(lp), '127.0.0.1', () => console.log(ts(), `proxy ${lp} -> ${tp}`));
let lt = -1; setInterval(() => { if (total !== lt) { console.log(ts(), `in-bytes ${total} cut=${cut()} rate=${rate()}`); lt = total; } }, 1000);
