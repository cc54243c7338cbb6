#!/bin/bash
# pairs.sh DIR OUT ROUNDS LABEL=BUILD[@WAIT_MS] ...: the same 200,000-collection cluster restarted with each build in turn,
# 60 s to settle, then session 40's checkmem.mjs (WAIT_MS: a fixed window, for a build without memory checks).
set -u
DIR=$1; OUT=$2; ROUNDS=$3; shift 3
CHECKMEM=$(cd "$(dirname "$0")/../2026-12-05-s40-memory-check" && pwd)/checkmem.mjs
for round in $(seq 1 "$ROUNDS"); do
  for spec in "$@"; do
    label=${spec%%=*}; rest=${spec#*=}; B=${rest%%@*}; WAIT=; [ "$rest" != "$B" ] && WAIT=${rest#*@}
    (cd "$B" && scripts/cluster down --dir "$DIR" > /dev/null 2>&1; scripts/cluster up --dir "$DIR" --base-port 23500 --limit maxCollectionNum=250000 --limit maxCollectionNumPerDB=250000 --limit maxGeneralCapacity=1000000 > /dev/null 2>&1)
    sleep 60
    echo "$label $(node "$CHECKMEM" "$DIR" "$B/dist" $WAIT)" | tee -a "$OUT"
  done
done
(cd "$B" && scripts/cluster down --dir "$DIR" > /dev/null 2>&1)
