"""heapcallers.py PROFILE OPS FILE: who calls into FILE (a part of a script's URL, e.g. bigint-json) for
what it allocates: its bytes per operation by the nearest frame outside it."""
import collections, sys
from heapsum import allocations, nearest

path, n, target = sys.argv[1], int(sys.argv[2]), sys.argv[3]
callers = collections.Counter()
for size, stack in allocations(path):
    if target in stack[-1]['url']:
        callers[nearest(stack, lambda f: target not in f['url']) or '?'] += size
for k, v in callers.most_common(15):
    print(f"{v / n / 1024:6.1f}KB {k}")
