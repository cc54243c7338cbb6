#!/bin/bash
# Alternating --load --parts load --prefill 200000 runs: the default (20,000 entries kept) and 1,000 kept.
cd /tmp/s42/ab
for round in 1 2; do
  for kept in 20000 1000; do
    out=/tmp/s42/runs/kept$kept-r$round
    echo "$(date +%T) start $out load $(cut -d' ' -f1-3 /proc/loadavg)"
    scripts/bench --load --parts load --prefill 200000 --cluster-flags "--snapshot-entries-kept $kept" --out $out > $out.log 2>&1
    echo "$(date +%T) end $out rc=$?"
  done
done
