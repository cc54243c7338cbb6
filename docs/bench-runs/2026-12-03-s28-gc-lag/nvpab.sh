#!/bin/bash
S=/work/main/docs/bench-runs/2026-12-02-s19-gc
for r in 1 2; do
  for v in "base=" "mss16=--max-semi-space-size=16"; do
    name=${v%%=*}; flags=${v#*=}
    bash $S/nvp.sh $name-$r /work/wt/bench 40000 $flags
    for i in 1 2 3; do echo "== $name-$r node-$i"; python3 $S/nvp.py /tmp/nvp-$name-$r/node-$i.log pause,scavenge.parallel,promoted 2>/dev/null | head -12; done
  done
done
