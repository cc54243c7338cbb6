#!/bin/bash
# proffill.sh N: fresh 3-node cluster with --cpu-prof on every node, a 64-client fill of N; profiles in /tmp/s31/prof
N=$1; D=/tmp/s31-pf; P=/tmp/s31/prof
cd /work/main && node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1; rm -rf $D $P; mkdir -p $P
ROOTCOORD_NODE_FLAGS="--cpu-prof --cpu-prof-dir=$P --cpu-prof-interval 500" node dist/scripts/cluster.js up --dir $D --base-port 56700 --limit maxCollectionNum=205000 --limit maxCollectionNumPerDB=65536 --limit maxGeneralCapacity=820000 >/dev/null 2>&1 || { echo up failed; exit 1; }
sed "s#56100#56700#" /work/main/docs/bench-runs/2026-12-02-s18-initial-old-space/fill.mjs > $D.fill.mjs
python3 -c "
import json,urllib.request
c=json.load(open('$D/cluster.json'))
for i,n in enumerate(c['nodes']):
  t=urllib.request.urlopen('http://'+n['metrics']+'/metrics').read().decode()
  if '\nrootcoord_raft_is_leader 1' in t: print('leader pid', n['pid'])
"
node $D.fill.mjs $D $N 0 2>&1 | tail -1
node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1
ls -la $P
