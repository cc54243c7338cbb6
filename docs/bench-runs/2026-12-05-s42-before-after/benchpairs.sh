#!/bin/bash
# benchpairs.sh OUT: scripts/bench (default) on the build before (68835d3) and after (HEAD of session 42), alternating, twice.
OUT=$1; mkdir -p "$OUT"
for round in 1 2; do
  for b in before after; do
    if [ $b = before ]; then D=/tmp/s42/bb; else D=/tmp/s42/ba; fi
    (cd $D && scripts/bench --out "$OUT/$b-$round" > "$OUT/$b-$round.log" 2>&1)
    echo "$b-$round done $(date +%T)"
  done
done
