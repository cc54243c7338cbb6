#!/bin/bash
# start a node while no quorum exists (node 3 killed, node 1 SIGSTOPped): does `start` return?
set -x
C="node dist/scripts/cluster.js"; D=/tmp/s36-rev3/c1
$C kill 2 --wait --dir $D; $C kill 3 --wait --dir $D
$C kill 1 --signal STOP --dir $D
time timeout 60 $C start 2 --dir $D; echo "rc=$?"
$C kill 1 --signal CONT --dir $D
time timeout 60 $C start 3 --dir $D; echo "rc=$?"
