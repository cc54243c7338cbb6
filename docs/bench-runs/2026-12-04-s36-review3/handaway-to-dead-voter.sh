#!/bin/bash
# Followers 2 and 3 hold a difference record; leader 1 is killed. The new leader hands leadership to
# node 1, which is down: proposals are refused (TransferInProgress) until the transfer times out
# (electionTicks, 300 ms by default), then it stays leader.
C="node dist/scripts/cluster.js"; D=/tmp/s36-rev3/c1
$C kill 1 --wait --dir $D
sleep 3
$C status --dir $D | head -5
grep -h "hands leadership" $D/node-2.log $D/node-3.log | tail -2 | cut -c1-120
grep -ho '"target":[0-9]*' $D/node-2.log $D/node-3.log | tail -2
$C start 1 --dir $D
