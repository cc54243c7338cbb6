#!/usr/bin/env bash
# a fresh cluster; nodes sample allocations from START s for DUR s; a 40,000 fill starting at once
set -uo pipefail
B=${B:-/work/main}; D=/tmp/s39/hp; P=/tmp/s39/hprof-${TAG:-x}
cd $B; node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1; rm -rf $D $P; mkdir -p $P
export HEAPSAMPLE_DIR=$P HEAPSAMPLE_START=${START:-12} HEAPSAMPLE_DUR=${DUR:-15}
ROOTCOORD_NODE_FLAGS="--import /tmp/s39/heapsample.mjs" node dist/scripts/cluster.js up --dir $D --base-port 55400 --limit maxCollectionNum=250000 --limit maxCollectionNumPerDB=250000 --limit maxGeneralCapacity=1000000 | tail -1
T0=$(date +%s)
node /work/main/docs/bench-runs/2026-12-02-s18-initial-old-space/fill.mjs $D ${N:-40000} 0 | tail -1
python3 - <<PY
import json,urllib.request
c=json.load(open('$D/cluster.json'))
for n in c['nodes']:
  t=urllib.request.urlopen('http://'+n['metrics']+'/metrics').read().decode()
  print(n['id'], n['pid'], 'leader' if '\nrootcoord_raft_is_leader 1' in t else '')
PY
sleep 2; ls -la $P
node dist/scripts/cluster.js down --dir $D | tail -1
