#!/bin/bash
# restart.sh REPO DIR NODE: kill -9 node NODE of a running cluster, start it with REPO's build, time to /readyz
R=$1; D=$2; N=$3
PID=$(python3 -c "import json;print([n['pid'] for n in json.load(open('$D/cluster.json'))['nodes'] if n['id']==$N][0])")
MET=$(python3 -c "import json;print([n['metrics'] for n in json.load(open('$D/cluster.json'))['nodes'] if n['id']==$N][0])")
kill -9 $PID 2>/dev/null
while [ -e /proc/$PID ] && [ "$(ps -o stat= -p $PID | cut -c1)" != "Z" ]; do sleep 0.01; done
sleep 0.5
C0=$(grep -c '"node started"' $D/node-$N.log)
T0=$(date +%s.%N)
node $R/dist/scripts/cluster.js start $N --dir $D > /tmp/s22/restart.out 2>&1
for i in $(seq 1 3000); do
  if curl -sf http://$MET/readyz > /dev/null 2>&1; then break; fi
  sleep 0.01
done
T1=$(date +%s.%N)
L=$(grep '"node started"' $D/node-$N.log | tail -1)
echo "ready $(python3 -c "print(round($T1-$T0,2))") s; $(echo $L | python3 -c "import sys,json;l=json.loads(sys.stdin.read());print({k:l.get(k) for k in ['catalogLoadMs','raftStartMs','startMs']})")"
NP=$(python3 -c "import json;print([n['pid'] for n in json.load(open('$D/cluster.json'))['nodes'] if n['id']==$N][0])")
echo "cpu $(awk '{print ($14+$15)/100}' /proc/$NP/stat) s"
