#!/bin/bash
# A refused start (damaged CURRENT): does the exit listener on the detached, unref'd child fire?
C="node dist/scripts/cluster.js"; D=/tmp/s36-rev3/c1
$C kill 3 --signal TERM --wait --dir $D
cp $D/node-3/meta/CURRENT /tmp/s36-rev3/repro/CURRENT.bak
echo MANIFEST-999999 > $D/node-3/meta/CURRENT
time $C start 3 --dir $D; echo "start rc=$?"
cp /tmp/s36-rev3/repro/CURRENT.bak $D/node-3/meta/CURRENT
$C start 3 --dir $D; echo "start rc=$?"
