#!/bin/bash
# three alternating pairs of single-client CreatePartition (2,000 warm, 2,000 timed), a fresh 3-node cluster each
for i in 1 2 3; do
  for w in base new; do
    echo -n "$w: "; node /work/main/docs/bench-runs/2026-12-02-s22-status-rides/cp.mjs $( [ $w = new ] && echo /work/main || echo /work/wt/$w ) /tmp/s26/cpab-$w 31600 2000
  done
done
