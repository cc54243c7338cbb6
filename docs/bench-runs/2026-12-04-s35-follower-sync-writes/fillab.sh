#!/bin/bash
# fillab.sh LABEL ROOT N [ENV=VAL]: fresh cluster, 64-client fill of N, then term per node and the fill's rate; WAL sync p99 and lag from /metrics
L=$1; R=$2; N=$3; shift 3; D=/tmp/s35/fa-$L
node $R/dist/scripts/cluster.js down --dir $D >/dev/null 2>&1; rm -rf $D
env "$@" node $R/dist/scripts/cluster.js up --dir $D --base-port 55500 --limit maxCollectionNum=205000 --limit maxCollectionNumPerDB=65536 --limit maxGeneralCapacity=820000 >/dev/null 2>&1 || { echo up failed; exit 1; }
sed "s#56100#55500#" /work/main/docs/bench-runs/2026-12-02-s18-initial-old-space/fill.mjs > $D.fill.mjs
T0=$(for i in 1 2 3; do curl -s http://127.0.0.1:5570$i/readyz | grep -o '"term":[0-9]*'; done | tr '\n' ' ')
R1=$(node $D.fill.mjs $D $N 0 2>&1 | tail -1)
T1=$(for i in 1 2 3; do curl -s http://127.0.0.1:5570$i/readyz | grep -o '"term":[0-9]*'; done | tr '\n' ' ')
LAG=$(for i in 1 2 3; do curl -s http://127.0.0.1:5570$i/metrics | grep -E '^nodejs_eventloop_lag_max_seconds ' | awk '{print $2}'; done | tr '\n' ' ')
echo "$L: $R1 | terms before: $T0 after: $T1 | lag max s: $LAG"
node $R/dist/scripts/cluster.js down --dir $D >/dev/null 2>&1
