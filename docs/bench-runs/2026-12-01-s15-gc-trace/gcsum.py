import re, sys, collections
pat = re.compile(r'\[(\d+):(0x[0-9a-f]+)\]\s+(\d+) ms: (Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Compact)[^,]*?(\d+\.\d+) \((\d+\.\d+)\) -> (\d+\.\d+) \((\d+\.\d+)\) MB, (?:pooled: [\d.]+ MB, )?(\d+\.\d+) / (\d+\.\d+) ms(.*)')
by = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    m = pat.search(line)
    if not m: continue
    iso, kind, pause = m.group(2), m.group(4), float(m.group(9))
    by[iso][kind].append((pause, float(m.group(5)), float(m.group(7)), m.group(11)[:160]))
for iso, kinds in by.items():
    for kind, v in kinds.items():
        p = sorted(x[0] for x in v); n = len(p)
        print(iso, kind, 'n', n, 'p50 %.1f p90 %.1f p99 %.1f max %.1f total %.0f ms' % (p[n//2], p[n*9//10], p[min(n-1, n*99//100)], p[-1], sum(p)), 'heap max %.0f MB' % max(x[1] for x in v))
        if kind != 'Scavenge':
            for x in sorted(v, reverse=True)[:3]: print('   ', x[0], x[1], '->', x[2], x[3])
