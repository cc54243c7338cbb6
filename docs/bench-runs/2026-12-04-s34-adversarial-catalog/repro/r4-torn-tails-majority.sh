#!/bin/bash
# R4: with writers running, all three nodes killed -9 at once, then 3,000 bytes cut off the newest WAL segment of the
# leader and of one follower (several whole records: acknowledged entries), then all started. Observed once (maj2.out):
# the two cut nodes truncate "a torn write", elect a leader lacking an acknowledged DropPartition; the undamaged
# node, whose catalog applied the lost entries, stays a follower stuck at its applied index with /readyz 200, no warning.
# 3 nodes, 12,000 collections, ports 57400-57703, /tmp/s34-adv/sm (uses ../majority.sh, ../writer.mjs, ../check.mjs).
export D=/tmp/s34-adv/sm BASE=57400; H=/tmp/s34-adv/report; . $H/common.sh
$C down --dir $D --wipe >/dev/null 2>&1
$C up --dir $D --base-port 57400 --limit maxCollectionNum=1000000 --limit maxCollectionNumPerDB=1000000 --limit maxGeneralCapacity=10000000 --gc-confirm-delay-ms 2000 | head -1
node $H/fill.mjs $D 12000 | tail -1
L=$(leader); F=$(( L % 3 + 1 )); rm -f $D/r4.ops*; node $H/writer.mjs $D $D/r4.ops 4 > $D/writer.out 2>&1 &
sleep 15; $H/majority.sh $D/r4.ops $L:trunc:3000 $F:trunc:3000 2>&1 | grep -v 'background step\|raft role\|dropping raft'
sleep 30; echo "after 30 s more:"; st
$C down --dir $D >/dev/null
