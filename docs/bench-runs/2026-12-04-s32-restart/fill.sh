#!/bin/bash
# fill.sh N: fresh 3-node cluster in /tmp/s32-c (base port 56700), a 64-client fill of N with /work/main's build
N=$1; D=/tmp/s32-c
cd /work/main && node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1; rm -rf $D
node dist/scripts/cluster.js up --dir $D --base-port 56700 --limit maxCollectionNum=205000 --limit maxCollectionNumPerDB=65536 --limit maxGeneralCapacity=820000 >/dev/null 2>&1 || { echo up failed; exit 1; }
sed "s#56100#56700#" /work/main/docs/bench-runs/2026-12-02-s18-initial-old-space/fill.mjs > $D.fill.mjs
node $D.fill.mjs $D $N 0 2>&1 | tail -1
node dist/scripts/cluster.js status --dir $D
