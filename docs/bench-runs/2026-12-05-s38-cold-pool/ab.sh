#!/usr/bin/env bash
# `scripts/bench --cold --quick --no-profile`, alternating the nodes' default V8 platform pool (4 threads)
# with --v8-pool-size=1, PAIRS pairs; prints D's first blocks (a warm client on a fresh cluster) and C's (warm).
# usage: ab.sh ROOT OUT PAIRS
set -euo pipefail
root=$1 out=$2 pairs=$3
mkdir -p "$out"
for i in $(seq 1 "$pairs"); do
  for arm in base pool1; do
    flags=(); [ "$arm" = pool1 ] && flags=(--node-flags "--v8-pool-size=1")
    echo "$(date +%T) $arm $i (load $(cut -d' ' -f1 /proc/loadavg))"
    (cd "$root" && node --enable-source-maps dist/scripts/bench.js --cold --quick --no-profile "${flags[@]}" --out "$out/$arm$i" > "$out/$arm$i.log" 2>&1)
    python3 - "$out/$arm$i/results.json" <<'PY'
import json,sys,statistics
d=json.load(open(sys.argv[1]))
D=[b['p50Ms'] for b in d['D_warmClient_freshCluster']]; C=[b['p50Ms'] for b in d['C_warmClient_warmCluster']]
first=statistics.mean(D[:2]); warm=statistics.median(C)
print(f"  D blocks {D}; C blocks {C}; first 500 {first:.2f} / warm {warm:.2f} = {first/warm:.2f}x")
PY
  done
done
