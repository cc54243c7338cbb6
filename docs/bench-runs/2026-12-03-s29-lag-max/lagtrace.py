import re, sys
# lagtrace.py LAG LOG: the leader's 1 s windows of high request-thread lag beside its main isolate's GC pauses
lag = []
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) == 2:
        lag.append((float(p[0]), float(p[1]) * 1000))
pre = re.compile(r'\[(\d+):(0x[0-9a-f]+)\]\s+(\d+) ms: (pause=.*)')
isolates, gcs = [], []
for line in open(sys.argv[2]):
    m = pre.search(line)
    if not m: continue
    if m.group(2) not in isolates: isolates.append(m.group(2))
    kv = dict(x.split('=', 1) for x in m.group(4).split() if '=' in x)
    gcs.append((m.group(2), int(m.group(3)) / 1000, float(kv['pause']), kv.get('gc', '?')))
main = isolates[0]
mgcs = [g for g in gcs if g[0] == main]
vals = sorted(v for _, v in lag)
print(f'{len(lag)} windows; lag max per window p50 {vals[len(vals)//2]:.0f} p90 {vals[len(vals)*9//10]:.0f} p99 {vals[len(vals)*99//100]:.0f} max {vals[-1]:.0f} ms; over 60 ms: {sum(v > 60 for v in vals)}, over 100: {sum(v > 100 for v in vals)}')
kinds = {}
for _, t, p, k in mgcs: kinds.setdefault(k, []).append(p)
for k, ps in kinds.items():
    ps.sort(); print(f'main isolate gc={k}: n={len(ps)} p50 {ps[len(ps)//2]:.1f} max {ps[-1]:.1f} ms, over 50 ms: {sum(p > 50 for p in ps)}')
explained = 0
for t, v in lag:
    if v <= 60: continue
    near = [(round(gt, 2), k, p) for _, gt, p, k in mgcs if t - 1.6 <= gt <= t + 0.3 and p >= 10]
    big = max((p for _, _, p in near), default=0)
    if big >= 0.6 * v: explained += 1
    print(f'  t={t:8.2f}s lag max {v:6.0f} ms; GC pauses >= 10 ms near: {near}')
print(f'windows over 60 ms with a GC pause of at least 0.6x their lag near: {explained}')
