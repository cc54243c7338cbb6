#!/usr/bin/env bash
set -uo pipefail
R=/tmp/s39/scale
mkdir -p $R
for i in 1 2; do
  for b in base new; do
    if [ $b = base ]; then B=/tmp/s39/base; else B=/work/main; fi
    echo "=== $i $b $(date +%T)"
    (cd $B && node dist/scripts/bench.js --scale --restarts 3 --out $R/$b-$i > $R/$b-$i.log 2>&1)
    echo "rc $? $(date +%T)"
  done
done
