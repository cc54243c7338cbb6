#!/usr/bin/env bash
# fill.sh [DIR]: a 3-node cluster of this checkout in DIR (default /tmp/s39/c, ports 55400 and up),
# filled to 200,000 collections by session 18's fill script, left running.
set -euo pipefail
cd "$(dirname "$0")/../../.."
D=${1:-/tmp/s39/c}
rm -rf "$D"
node dist/scripts/cluster.js up --dir "$D" --base-port 55400 --gc-confirm-delay-ms 0 --limit maxCollectionNum=250000 --limit maxCollectionNumPerDB=250000 --limit maxGeneralCapacity=1000000 | tail -1
node docs/bench-runs/2026-12-02-s18-initial-old-space/fill.mjs "$D" 200000 0 | tail -1
