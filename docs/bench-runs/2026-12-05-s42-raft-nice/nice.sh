#!/bin/bash
# Alternating 40,000 fills (--scale --quick, no restarts): the default against the Raft thread at nice -5.
cd /tmp/s42/ba
for round in 1 2; do
  for v in 0 -5; do
    out=/tmp/s42/runs/nice$v-r$round
    if [ $v = 0 ]; then flags=""; else flags="--raft-nice $v"; fi
    scripts/bench --scale --quick --collections 40000 --restarts 0 --cluster-flags "$flags" --out $out > $out.log 2>&1
    echo "$(date +%T) $out rc=$?"
  done
done
