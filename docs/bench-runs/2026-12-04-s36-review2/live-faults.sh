#!/bin/bash
# A live cluster with replica checks every 300 ms (and catalog GC every 2 s), writes going on, through
# kill -9 and restart of a follower, SIGTERM of the leader, transfers, a member added (learner from a
# snapshot) and one removed. Then: any "differs" in the logs? counts of match/unavailable from metrics.
set -u
cd /tmp/s36-rev2
D=/tmp/s36-rev2/c1; B=57100
C="node dist/scripts/cluster.js"
$C down --dir $D --wipe >/dev/null 2>&1
$C up --dir $D --base-port $B --limit replicaCheckIntervalMs=300 --limit catalogGcIntervalMs=2000 --limit catalogVersionTtlMs=2000 --limit catalogTombstoneReserveMs=2000 >/dev/null || { echo up failed; exit 1; }
node repro/writer.mjs 127.0.0.1:$((B+0)),127.0.0.1:$((B+1)),127.0.0.1:$((B+2)) 90 > $D/writer.out 2>&1 &
W=$!
sleep 5
echo "kill -9 node 2"; $C kill 2 --signal KILL --wait --dir $D; sleep 4; $C start 2 --dir $D >/dev/null; sleep 5
echo "TERM leader"; $C kill leader --signal TERM --wait --dir $D; sleep 3; for i in 1 2 3; do $C start $i --dir $D >/dev/null 2>&1; done; sleep 5
echo "add"; $C add --dir $D 2>&1 | tail -1; sleep 5
echo "transfer 4"; $C transfer 4 --dir $D 2>&1 | tail -1; sleep 5
echo "transfer 1"; $C transfer 1 --dir $D 2>&1 | tail -1; sleep 3
echo "kill -9 node 3"; $C kill 3 --signal KILL --wait --dir $D; sleep 10; $C start 3 --dir $D >/dev/null; sleep 5
echo "remove 2"; $C remove 2 --dir $D 2>&1 | tail -1; sleep 3
echo "add"; $C add --dir $D 2>&1 | tail -1; sleep 8
wait $W
echo "writer: $(tail -1 $D/writer.out)"
node dist/src/cli/rootcoordctl.js --dir $D cluster check; echo "cluster check exit $?"
echo "differs lines:"; grep -h "catalog differs" $D/*.log | head -5
echo "warn lines about checks:"; grep -h "replica check" $D/*.log | grep -v '"info"' | grep -v "differs" | sed 's/.*"message":"\([^"]*\)".*/\1/' | sort | uniq -c
for f in $D/*.log; do echo "$f: proposed $(grep -c 'leader proposed its digest' $f) unavailable $(grep -c 'has no digest at the mark compared' $f)"; done
for p in 200 201 202 203 204; do curl -s 127.0.0.1:$((B+p))/metrics | grep -E "^rootcoord_replica_(checks_total|diverged)" | tr '\n' ' '; echo; done
