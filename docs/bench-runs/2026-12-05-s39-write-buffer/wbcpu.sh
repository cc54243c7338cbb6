#!/bin/bash
for i in 1 2; do
  for wb in 16 32 64; do
    echo "wb$wb $i $(RC_WB_MB=$wb bash /work/main/docs/bench-runs/2026-12-03-s30-reply-waves/fillcpu.sh /tmp/s39/new 100000 2>&1 | tr '\n' ' ')"
  done
done
