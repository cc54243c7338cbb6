#!/usr/bin/env bash
# [B=BUILD] [N=40000] [START=12] [DUR=15] heapprof.sh OUT: a fresh cluster of BUILD (default: this
# checkout) in OUT/cluster (ports 55400 and up) whose nodes sample their main thread's allocations with
# heapsample.mjs from START s after they start for DUR s (profiles in OUT, heap-PID.json), a 64-client
# fill of N collections begun at once; prints which PID led. Then: heapsum.py OUT/heap-PID.json OPS.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
B=${B:-$ROOT}
OUT=$1
D=$OUT/cluster
mkdir -p "$OUT"
cd "$B"
node dist/scripts/cluster.js down --dir "$D" >/dev/null 2>&1
rm -rf "$D"
export HEAPSAMPLE_DIR=$OUT HEAPSAMPLE_START=${START:-12} HEAPSAMPLE_DUR=${DUR:-15}
ROOTCOORD_NODE_FLAGS="--import $HERE/heapsample.mjs" node dist/scripts/cluster.js up --dir "$D" --base-port 55400 --limit maxCollectionNum=250000 --limit maxCollectionNumPerDB=250000 --limit maxGeneralCapacity=1000000 | tail -1
node "$ROOT/docs/bench-runs/2026-12-02-s18-initial-old-space/fill.mjs" "$D" "${N:-40000}" 0 | tail -1
python3 - "$D/cluster.json" <<'PY'
import json, sys, urllib.request
for n in json.load(open(sys.argv[1]))['nodes']:
    t = urllib.request.urlopen('http://' + n['metrics'] + '/metrics').read().decode()
    print(n['id'], n['pid'], 'leader' if '\nrootcoord_raft_is_leader 1' in t else '')
PY
sleep 2
ls -la "$OUT"
node dist/scripts/cluster.js down --dir "$D" | tail -1
