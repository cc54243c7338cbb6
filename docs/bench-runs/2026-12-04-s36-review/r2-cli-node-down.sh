#!/bin/sh
# `rootcoordctl cluster check` with one member down takes 5 minutes to answer: each endpoint's Digest
# client has retryBudgetMs 300000, and ECONNREFUSED (UNAVAILABLE) is retriable.
set -e
cd /tmp/s36-rev
node dist/scripts/cluster.js up --dir /tmp/s36-rev/c3 --base-port 57300 >/dev/null
node dist/scripts/cluster.js kill 3 --dir /tmp/s36-rev/c3 --wait
/usr/bin/time -f '%e s' node dist/src/cli/rootcoordctl.js --dir /tmp/s36-rev/c3 cluster check || true
node dist/scripts/cluster.js down --dir /tmp/s36-rev/c3
