#!/bin/bash
# A node with REPLICA_DIVERGED (from an earlier check) that leads: it compares nothing, so its
# rootcoord_replica_diverged stays 1 and the file stays while it leads, though every check matches.
set -u
cd /tmp/s36-rev2; D=/tmp/s36-rev2/c2; B=57500; C="node dist/scripts/cluster.js"
$C down --dir $D --wipe >/dev/null 2>&1
$C up --dir $D --base-port $B --limit replicaCheckIntervalMs=0 >/dev/null || exit 1
$C kill 1 --signal TERM --wait --dir $D
echo '{"index":5000,"leader":3,"digest":"aa","leaderDigest":"bb","at":1}' > $D/node-1/REPLICA_DIVERGED
$C start 1 --dir $D >/dev/null; sleep 3
$C transfer 1 --dir $D; sleep 3
$C status --dir $D | head -1
for i in 1 2 3; do node dist/src/cli/rootcoordctl.js --dir $D cluster check | tail -1; echo "check exit $?"; done
sleep 1
for i in 1 2 3; do echo "node $i: $(curl -s 127.0.0.1:$((B+200+i))/metrics | grep -E '^rootcoord_replica_diverged')"; done
ls -l $D/node-1/REPLICA_DIVERGED
$C down --dir $D --wipe
