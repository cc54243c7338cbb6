#!/bin/bash
# (tc.mjs beside it: the timed single-client calls; run from any directory)
# ab2.sh BUILD NAME : fresh cluster, 3000 untimed single-client CreatePartition, then 3000 timed: p50, CPU/write
B=$1; NAME=$2; N=3000; HERE=$(cd "$(dirname "$0")" && pwd)
D=${TMPDIR:-/tmp}/ab2-$NAME
cd $B && scripts/cluster down --dir $D >/dev/null 2>&1; rm -rf $D
scripts/cluster up --dir $D >/dev/null 2>&1 || { echo up failed; exit 1; }
sleep 2
pids=$(node -e "const c=require('$D/cluster.json');console.log(c.nodes.map(n=>n.pid).join(' '))")
cpu() { t=0; for p in $pids; do t=$((t + $(awk '{print $14+$15}' /proc/$p/stat))); done; echo $t; }
node "$HERE/single-client-tc.mjs" $B $D $N > /dev/null
a=$(cpu); out=$(node "$HERE/single-client-tc.mjs" $B $D $N); b=$(cpu)
echo "$NAME warm $out cpu/write $(python3 -c "print(round(($b-$a)*10/$N,3))") ms"
scripts/cluster down --dir $D >/dev/null 2>&1; rm -rf $D
