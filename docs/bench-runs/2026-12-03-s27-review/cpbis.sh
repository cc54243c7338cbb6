#!/bin/bash
N=${N:-2000}
for i in $(seq 1 ${PAIRS:-2}); do
  for w in "$@"; do
    echo -n "$w: "; node /work/main/docs/bench-runs/2026-12-02-s22-status-rides/cp.mjs $w /tmp/s27/cpbis 31600 $N
  done
done
