#!/bin/bash
# ab.sh ROUNDS OUTDIR "NAME=FLAGS" ...: alternating `scripts/bench --scale --quick` runs (20,000 collections, 64 clients)
# with the nodes' extra V8 flags (ROOTCOORD_NODE_FLAGS; later flags win over the scripts' own); prints the fill's rate,
# term rises and request-thread lag per run. BUILD: the checkout whose dist runs (default /work/main).
ROUNDS=$1; OUT=$2; shift 2; BUILD=${BUILD:-/work/main}
for r in $(seq 1 $ROUNDS); do
  for v in "$@"; do
    name=${v%%=*}; flags=${v#*=}
    d=$OUT/$name-$r
    ROOTCOORD_NODE_FLAGS="$flags" node $BUILD/dist/scripts/bench.js --scale --quick --restarts 0 --out $d > $d.log 2>&1
    echo "$name r$r: $(grep -o '| time, rate | [^|]*' $d/RESULTS.md) | $(grep -o 'term rises [0-9]*' $d/RESULTS.md | head -1) | $(grep -o '{"runP99MsByNode[^}]*}[^}]*}' $d/RESULTS.md)"
  done
done
