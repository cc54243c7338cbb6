#!/bin/bash
S=/work/main/docs/bench-runs/2026-12-03-s29-lag-max/lagtrace.sh
for i in 1 2 3; do for b in s26 chaos; do echo "== $i $b $(date +%T) $(vmstat 1 2 | tail -1 | awk '{print "idle",$15,"st",$17}')"; bash $S /work/wt/$b 40000 > /tmp/s30/fab-$i-$b.txt 2>&1; head -2 /tmp/s30/fab-$i-$b.txt; done; done
echo done $(date +%T)
