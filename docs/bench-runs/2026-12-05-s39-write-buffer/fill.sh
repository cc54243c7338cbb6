#!/usr/bin/env bash
set -euo pipefail
cd /work/main
D=/tmp/s39/c
rm -rf $D
node dist/scripts/cluster.js up --dir $D --base-port 55400 --gc-confirm-delay-ms 0 --limit maxCollectionNum=250000 --limit maxCollectionNumPerDB=250000 --limit maxGeneralCapacity=1000000 | tail -1
node docs/bench-runs/2026-12-02-s18-initial-old-space/fill.mjs $D 200000 0 | tail -1
