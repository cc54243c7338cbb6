#!/bin/bash
# restart.sh DIR TAG FLAGS : start node 3 of a stopped cluster alone; after 15 s: its CPU, and GC (the load is done by then)
D=$1; TAG=$2; shift 2
cd /work/wt/h
: > $D/node-3.log
ROOTCOORD_NODE_FLAGS="--trace-gc-nvp $*" scripts/cluster start 3 --dir $D > /tmp/s19/restart-$TAG.out 2>&1
PID=$(python3 -c "import json;print([n['pid'] for n in json.load(open('$D/cluster.json'))['nodes'] if n['id']==3][0])")
sleep 15
echo "$TAG: cpu s $(awk '{print ($14+$15)/100}' /proc/$PID/stat) rss MB $(awk '/VmRSS/{print int($2/1024)}' /proc/$PID/status)"
python3 /tmp/s19/nvp.py $D/node-3.log pause 2>/dev/null | paste - - | grep -v 0x7f | tr -s ' '
cp $D/node-3.log /tmp/s19/restart-$TAG.log
kill $PID; sleep 3
