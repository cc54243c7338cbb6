#!/bin/bash
# rs.sh REPO DIR NODE METRICSPORT : restart node with REPO's build, print ms to readyz and the node's phases
R=$1; D=$2; N=$3; P=$4
pid=$(node -e "const c=require('$D/cluster.json'); console.log(c.nodes.find(n=>n.id==$N).pid)")
kill -TERM $pid; while [ -e /proc/$pid ] && ! grep -q "^State:.*Z" /proc/$pid/status 2>/dev/null; do sleep 0.02; done
t0=$(date +%s%N)
node $R/dist/scripts/cluster.js start $N --dir $D >/dev/null
until curl -sf -o /dev/null 127.0.0.1:$P/readyz; do sleep 0.02; done
t1=$(date +%s%N)
ph=$(grep '"node started"' $D/node-$N.log | tail -1 | grep -o '"catalogLoadMs":[0-9]*,"raftStartMs":[0-9]*')
echo "$(basename $R) ready $(( (t1-t0)/1000000 )) ms $ph"
