#!/bin/bash
# ab.sh LABEL ROOT [ENV=VAL...]: one run of threads.mjs (10 blocks of 500)
T=/work/main/docs/bench-runs/2026-12-03-s28-cold/threads.mjs
L=$1; R=$2; shift 2
env "$@" timeout 600 node $T $R /tmp/s35/ab-$L 55600 10 500 > /tmp/s35/ab-$L-$(date +%s).out 2>&1
node $R/dist/scripts/cluster.js down --dir /tmp/s35/ab-$L >/dev/null 2>&1
