#!/bin/bash
for i in 1 2 3; do
  for b in main plain; do
    if [ $b = main ]; then B=/work/main; else B=/tmp/s39/buf; fi
    echo "$b $i $(bash /work/main/docs/bench-runs/2026-12-03-s30-reply-waves/fillcpu.sh $B 100000 2>&1 | tr '\n' ' ')"
  done
done
