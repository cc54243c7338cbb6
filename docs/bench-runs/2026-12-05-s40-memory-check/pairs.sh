#!/bin/bash
# pairs.sh BASE NEW DIR OUT ROUNDS: the same 200,000-collection cluster restarted with each build in turn (base, new,
# base, new, ...), 60 s to settle, then checkmem.mjs (the base, which has no memory check: a fixed 25 s window).
set -u
BASE=$1; NEW=$2; DIR=$3; OUT=$4; ROUNDS=${5:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
for round in $(seq 1 "$ROUNDS"); do
  for build in base new; do
    if [ $build = base ]; then B=$BASE; WAIT=25000; else B=$NEW; WAIT=; fi
    (cd "$B" && scripts/cluster down --dir "$DIR" > /dev/null 2>&1; scripts/cluster up --dir "$DIR" --base-port 23500 --limit maxCollectionNum=250000 --limit maxCollectionNumPerDB=250000 --limit maxGeneralCapacity=1000000 > /dev/null 2>&1)
    sleep 60
    echo "$build $(node "$HERE/checkmem.mjs" "$DIR" "$B/dist" $WAIT)" | tee -a "$OUT"
  done
done
