#!/bin/bash
# sc.sh TAG BUILD N [FLAGS...] : bench --scale of BUILD to N collections, prints rate, lag, RSS
TAG=$1; B=$2; N=$3; shift 3
cd $B && ROOTCOORD_NODE_FLAGS="$*" scripts/bench --scale --collections $N --out /tmp/s18/sc-$TAG > /tmp/s18/sc-$TAG.log 2>&1
python3 - /tmp/s18/sc-$TAG/RESULTS.md $TAG <<'P'
import sys,re
t=open(sys.argv[1]).read()
rate=re.search(r'\| time, rate \| ([^|]*)\|',t).group(1).strip()
lag=[l for l in t.splitlines() if 'event-loop lag of the request' in l][0].split('|')[-2].strip()
rows=[l for l in t.splitlines() if l.startswith('| 200000') or l.startswith('| 100000')]
print(sys.argv[2], rate, lag, rows[-1] if rows else '')
P
