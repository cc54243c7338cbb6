#!/bin/bash
# join.sh CLONE DIR : writer + add; print the bytes the leader sent the joiner
R=$1; D=$2; export RC_DEBUG_PEERBYTES=1
cd $R
L=$(node dist/scripts/cluster.js status --dir $D | sed -n 's/^leader: //p')
node /tmp/s37/writer.mjs $D 4 30 25 > /tmp/s37/w.out 2>&1 &
W=$!
sleep 3
S=$(date +%s%N)
node dist/scripts/cluster.js add --dir $D 2>&1 | tail -1
E=$(date +%s%N)
N=$(node -e "const c=require('$D/cluster.json');console.log(c.lastNodeId)")
wait $W; cat /tmp/s37/w.out
echo "leader $L joiner $N add took $(( (E-S)/1000000 )) ms"
grep DBG $D/node-$L.log | grep '{' | tail -1 | tr ',{}' '\n\n\n' | grep "\"$N:"
grep -c "snapshot start to $N " $D/node-$L.log
