#!/usr/bin/env bash
# fill a cluster to 200,000 and add a member with --cpu-prof; keep the profiles
set -euo pipefail
cd /work/main
D=/tmp/s38/j1; P=/tmp/s38/jprof
rm -rf $D $P; mkdir -p $P
node dist/scripts/cluster.js up --dir $D --base-port 55400 --gc-confirm-delay-ms 0 --limit maxCollectionNum=250000 --limit maxCollectionNumPerDB=250000 --limit maxGeneralCapacity=1000000 | tail -1
node docs/bench-runs/2026-12-02-s18-initial-old-space/fill.mjs $D 200000 0 | tail -1
sleep 5
S=$(date +%s%N)
ROOTCOORD_NODE_FLAGS="--cpu-prof --cpu-prof-dir=$P --cpu-prof-interval=1000" node dist/scripts/cluster.js add --dir $D 2>&1 | tail -2
E=$(date +%s%N)
echo "add took $(( (E-S)/1000000 )) ms"
sleep 2
node dist/scripts/cluster.js down --dir $D | tail -1
ls -la $P
grep -h "restor\|snapshot" $D/node-4.log | head -20 | cut -c1-300
