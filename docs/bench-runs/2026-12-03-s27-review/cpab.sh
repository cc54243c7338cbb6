#!/bin/bash
# alternating pairs of single-client CreatePartition (N warm, N timed), a fresh 3-node cluster each
N=${N:-2000}
for i in $(seq 1 ${PAIRS:-3}); do
  for w in base new; do
    echo -n "$w: "; node /work/main/docs/bench-runs/2026-12-02-s22-status-rides/cp.mjs $( [ $w = new ] && echo /work/main || echo /work/wt/base ) /tmp/s27/cpab-$w 31600 $N
  done
done
