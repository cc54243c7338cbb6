#!/bin/bash
S=/work/main/docs/bench-runs/2026-12-03-s29-lag-max/lagtrace.sh
for b in /work/main /work/wt/split; do n=$(basename $b); echo "== $n $(date +%T) $(vmstat 1 2 | tail -1 | awk '{print "idle",$15,"st",$17}')"; bash $S $b 200000 > /tmp/s30/w200k-$n.txt 2>&1; head -4 /tmp/s30/w200k-$n.txt; done; echo done $(date +%T)
