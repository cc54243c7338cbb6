#!/usr/bin/env bash
# Alternating whole `scripts/bench` runs of two builds (each in its own clone, compiled), PAIRS pairs.
# usage: ab.sh BASE_CLONE NEW_CLONE OUT_DIR PAIRS [bench flags...]
set -euo pipefail
base=$1 new=$2 out=$3 pairs=$4; shift 4
mkdir -p "$out"
for i in $(seq 1 "$pairs"); do
  for arm in base new; do
    root=$base; [ "$arm" = new ] && root=$new
    echo "$(date +%T) $arm $i (load $(cut -d' ' -f1 /proc/loadavg))"
    (cd "$root" && node --enable-source-maps dist/scripts/bench.js "$@" --out "$out/$arm$i" > "$out/$arm$i.log" 2>&1)
    python3 - "$out/$arm$i/results.json" <<'PY'
import json,sys
d=json.load(open(sys.argv[1]))
cp=d['createPartition']['p50Ms']; g=d['etcdPutGrpc']['p50Ms']; h=d['etcdPut']['p50Ms']
print(f"  CreatePartition {cp:.2f} ms, etcd gRPC {g:.2f} ({cp/g:.2f}x), gateway {h:.2f} ({cp/h:.2f}x); cold {d['createPartitionCold']['p50Ms']:.2f}; server CPU {d['createPartition']['serverCpuMsPerOp']} vs {d['etcdPutGrpc']['serverCpuMsPerOp']}")
PY
  done
done
