#!/bin/bash
for i in 1 2 3; do
  for b in base new; do
    if [ $b = base ]; then B=/tmp/s39/base; else B=/work/main; fi
    echo "$b $i $(bash /work/main/docs/bench-runs/2026-12-03-s30-reply-waves/fillcpu.sh $B 100000 2>&1 | tr '\n' ' ')"
  done
done
