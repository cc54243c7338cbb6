#!/bin/bash
# restart1.sh REPO DIR NODE: start one node of a stopped cluster alone; print its 'node started' line's timings and CPU
R=$1; D=$2; N=$3
C0=$(grep -c '"node started"' $D/node-$N.log)
T0=$(date +%s.%N)
node $R/dist/scripts/cluster.js start $N --dir $D > /tmp/s21/restart1.out 2>&1 &
for i in $(seq 1 300); do
  C=$(grep -c '"node started"' $D/node-$N.log)
  if [ "$C" -gt "$C0" ]; then break; fi
  sleep 0.05
done
T1=$(date +%s.%N)
L=$(grep '"node started"' $D/node-$N.log | tail -1)
PID=$(python3 -c "import json;print([n['pid'] for n in json.load(open('$D/cluster.json'))['nodes'] if n['id']==$N][0])")
echo "wall $(python3 -c "print(round($T1-$T0,2))") $(echo $L | python3 -c "import sys,json;l=json.loads(sys.stdin.read());print('catalogLoadMs',l['catalogLoadMs'],'raftStartMs',l['raftStartMs'])") cpu s $(awk '{print ($14+$15)/100}' /proc/$PID/stat)"
sleep 1; kill $PID; sleep 2
