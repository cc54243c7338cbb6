#!/bin/bash
cd /tmp/s42/kl
for round in 1 2; do
  for w in 0 1; do
    out=/tmp/s42/runs/warm$w-r$round
    WARM_LEADERS=$w scripts/bench --load --parts load --out $out > $out.log 2>&1
    echo "$(date +%T) $out rc=$?"
  done
done
