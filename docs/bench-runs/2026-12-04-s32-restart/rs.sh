#!/bin/bash
# rs.sh REPO DIR NODE: kill -9 NODE of the cluster in DIR, start it with REPO's build (ROOTCOORD_NODE_FLAGS passed on), print ready and its node-started line
R=$1; D=$2; N=$3
PID=$(python3 -c "import json;print([n['pid'] for n in json.load(open('$D/cluster.json'))['nodes'] if n['id']==$N][0])")
MET=$(python3 -c "import json;print([n['metrics'] for n in json.load(open('$D/cluster.json'))['nodes'] if n['id']==$N][0])")
if grep -q -- "--id $N " /proc/$PID/cmdline 2>/dev/null || tr '\0' ' ' < /proc/$PID/cmdline 2>/dev/null | grep -q -- "--id $N "; then kill -9 $PID; fi
while [ -e /proc/$PID ] && [ "$(ps -o stat= -p $PID | cut -c1)" != "Z" ]; do sleep 0.02; done
sleep 1
T0=$(date +%s.%N)
node $R/dist/scripts/cluster.js start $N --dir $D > /dev/null 2>&1
for i in $(seq 1 6000); do curl -sf http://$MET/readyz >/dev/null 2>&1 && break; sleep 0.01; done
T1=$(date +%s.%N)
sleep 0.3
L=$(grep '"node started"' $D/node-$N.log | tail -1 | grep -o '"catalogLoadMs":[0-9]*,"raftStartMs":[0-9]*')
python3 -c "print(f'$R ready {$T1-$T0:.2f} s $L')"
