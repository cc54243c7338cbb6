#!/bin/bash
# replies-ab.sh ROUNDS OUT: alternating 20,000 fills (scripts/bench --scale --quick --restarts 0) with ROOTCOORD_REPLIES_PER_PASS unset and 8
ROUNDS=$1; OUT=$2; mkdir -p $OUT
for r in $(seq 1 $ROUNDS); do
  for v in base r8; do
    d=$OUT/$v-$r
    if [ $v = base ]; then node /work/main/dist/scripts/bench.js --scale --quick --restarts 0 --out $d > $d.log 2>&1
    else ROOTCOORD_REPLIES_PER_PASS=8 node /work/main/dist/scripts/bench.js --scale --quick --restarts 0 --out $d > $d.log 2>&1; fi
    echo "$v r$r: $(grep -o '| time, rate | [^|]*' $d/RESULTS.md) | $(grep -o 'term rises [0-9]*' $d/RESULTS.md | head -1) | $(grep -o '{"runP99MsByNode[^}]*}[^}]*}' $d/RESULTS.md)"
  done
done
