"""heapsum.py PROFILE OPS: a sampling heap profile (heapsample.mjs) summed by allocating function and by
the nearest rootcoord frame (dist/src or dist/raft), per operation (OPS: how many the sampled stretch held)."""
import collections, json, sys


def frame_name(cf):
    return f"{cf['functionName'] or '(anon)'}@{cf['url'].split('/')[-1]}:{cf['lineNumber'] + 1}"


def allocations(path):
    """Each sampled allocation site: (its own bytes, its stack of call frames, outermost first)."""
    out = []

    def walk(node, stack):
        stack = stack + [node['callFrame']]
        if node['selfSize']:
            out.append((node['selfSize'], stack))
        for child in node.get('children', []):
            walk(child, stack)

    walk(json.load(open(path))['head'], [])
    return out


def nearest(stack, wanted):
    """The innermost frame of `stack` that `wanted` accepts, by name (None: none)."""
    for frame in reversed(stack):
        if wanted(frame):
            return frame_name(frame)
    return None


def main():
    sites = allocations(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    total = sum(size for size, _ in sites)
    selfs, ours = collections.Counter(), collections.Counter()
    for size, stack in sites:
        selfs[frame_name(stack[-1])] += size
        ours[nearest(stack, lambda f: '/dist/src/' in f['url'] or '/dist/raft/' in f['url']) or '(no rootcoord frame)'] += size
    print(f"total sampled {total / 1e6:.1f} MB; per op {total / n / 1024:.1f} KB")
    print("-- self")
    for k, v in selfs.most_common(30):
        print(f"{v / total * 100:5.1f}% {v / n / 1024:6.1f}KB {k}")
    print("-- nearest rootcoord frame")
    for k, v in ours.most_common(30):
        print(f"{v / total * 100:5.1f}% {v / n / 1024:6.1f}KB {k}")


if __name__ == '__main__':
    main()
