#!/bin/bash
# lagtrace.sh BUILD N [FLAGS]: a fresh 3-node cluster of BUILD with --trace-gc-nvp (and FLAGS) on every
# node, a 64-client fill of N collections (4 databases), the leader's request-thread lag max polled
# every second (prom-client resets its histogram per scrape), then lagtrace.py puts the windows of
# high lag beside the leader's GC pauses (both as seconds since the leader process started).
HERE=$(cd "$(dirname "$0")" && pwd)
B=$1; N=$2; shift 2; D=/tmp/s29-lagtrace
cd $B && node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1; rm -rf $D
ROOTCOORD_NODE_FLAGS="--trace-gc-nvp $*" node dist/scripts/cluster.js up --dir $D --base-port 56100 --limit maxCollectionNum=205000 --limit maxCollectionNumPerDB=65536 --limit maxGeneralCapacity=820000 >/dev/null 2>&1 || { echo up failed; exit 1; }
sed "s#/work/main/dist#$B/dist#g" /work/main/docs/bench-runs/2026-12-02-s18-initial-old-space/fill.mjs > $D.fill.mjs
L=$(for i in 1 2 3; do curl -s 127.0.0.1:5630$i/metrics | grep -q '^rootcoord_raft_is_leader 1' && echo $i; done)
LPID=$(python3 -c "import json;print(json.load(open('$D/cluster.json'))['nodes'][$L-1]['pid'])")
node $D.fill.mjs $D $N 0 > $D.fill.log 2>&1 &
FILL=$!
: > $D.lag.txt
while kill -0 $FILL 2>/dev/null; do
  UP=$(python3 -c "import os;t=os.sysconf('SC_CLK_TCK');s=int(open('/proc/$LPID/stat').read().rsplit(')',1)[1].split()[19]);print(float(open('/proc/uptime').read().split()[0])-s/t)")
  M=$(curl -s --max-time 2 127.0.0.1:5630$L/metrics | grep -E '^nodejs_eventloop_lag_max_seconds' | awk '{print $2}')
  echo "$UP $M" >> $D.lag.txt
  sleep 1
done
tail -1 $D.fill.log
cp $D/node-$L.log $D.leader.log
node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1
python3 $HERE/lagtrace.py $D.lag.txt $D.leader.log
