import re, sys, collections, statistics
# usage: nvp.py LOG : per isolate and gc kind, n and median/p90 of each key (trace-gc-nvp)
pre = re.compile(r'\[(\d+):(0x[0-9a-f]+)\]\s+(\d+) ms: (pause=.*)')
by = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    m = pre.search(line)
    if not m: continue
    kv = dict(x.split('=', 1) for x in m.group(4).split() if '=' in x)
    by[m.group(2)][kv.get('gc', '?')].append(kv)
keys = sys.argv[2].split(',') if len(sys.argv) > 2 else None
for iso, kinds in by.items():
    for kind, rows in kinds.items():
        n = len(rows)
        print(f'{iso} gc={kind} n={n}')
        allk = keys or [k for k in rows[0] if k not in ('gc',)]
        for k in allk:
            vals = []
            for r in rows:
                v = r.get(k)
                if v is None: continue
                try: vals.append(float(v.rstrip('%')))
                except ValueError: pass
            if not vals or max(vals) == 0: continue
            vals.sort()
            print(f'   {k:45s} p50 {vals[len(vals)//2]:12.2f} p90 {vals[len(vals)*9//10]:12.2f} max {vals[-1]:12.2f} sum {sum(vals):14.1f}')
