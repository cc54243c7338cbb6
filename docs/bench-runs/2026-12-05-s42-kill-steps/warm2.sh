#!/bin/bash
cd /tmp/s42/kl
for round in 1 2; do
  out=/tmp/s42/runs/warm1b-r$round
  WARM_LEADERS=1 scripts/bench --load --parts load --out $out > $out.log 2>&1
  echo "$(date +%T) $out rc=$?"
done
