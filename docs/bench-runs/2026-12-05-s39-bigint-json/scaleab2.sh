#!/usr/bin/env bash
set -uo pipefail
R=/tmp/s39/scale2
mkdir -p $R
for i in 1 2; do
  for b in plain main; do
    if [ $b = main ]; then B=/work/main; else B=/tmp/s39/buf; fi
    echo "=== $i $b $(date +%T)"
    (cd $B && node dist/scripts/bench.js --scale --restarts 1 --out $R/$b-$i > $R/$b-$i.log 2>&1)
    echo "rc $? $(date +%T)"
  done
done
