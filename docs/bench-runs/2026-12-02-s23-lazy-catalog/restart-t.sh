#!/bin/bash
# restart-t.sh REPO DIR NODE: like restart.sh, with the moments: script start, node process start (from its log), node started, serving, ready
R=$1; D=$2; N=$3
PID=$(python3 -c "import json;print([n['pid'] for n in json.load(open('$D/cluster.json'))['nodes'] if n['id']==$N][0])")
MET=$(python3 -c "import json;print([n['metrics'] for n in json.load(open('$D/cluster.json'))['nodes'] if n['id']==$N][0])")
kill -9 $PID 2>/dev/null
while [ -e /proc/$PID ] && [ "$(ps -o stat= -p $PID | cut -c1)" != "Z" ]; do sleep 0.01; done
sleep 0.5
L0=$(wc -l < $D/node-$N.log)
T0=$(date +%s.%N)
node $R/dist/scripts/cluster.js start $N --dir $D > /tmp/restart.out 2>&1
T1=$(date +%s.%N)
NP=$(python3 -c "import json;print([n['pid'] for n in json.load(open('$D/cluster.json'))['nodes'] if n['id']==$N][0])")
for i in $(seq 1 3000); do
  if curl -sf http://$MET/readyz > /dev/null 2>&1; then break; fi
  sleep 0.01
done
T2=$(date +%s.%N)
PSTART=$(python3 -c "
import os
hz=os.sysconf('SC_CLK_TCK'); st=int(open('/proc/$NP/stat').read().split(')')[1].split()[19]); up=float(open('/proc/uptime').read().split()[0])
import time; print(time.time()-(up-st/hz))")
tail -n +$((L0+1)) $D/node-$N.log | python3 -c "
import sys,json,datetime
t0=$T0; t1=$T1; t2=$T2; ps=$PSTART
print(f'cluster start cmd returned +{t1-t0:.2f}s, process start +{ps-t0:.2f}s, ready +{t2-t0:.2f}s')
for line in sys.stdin:
  try: l=json.loads(line)
  except: continue
  t=datetime.datetime.fromisoformat(l['time'].replace('Z','+00:00')).timestamp()
  extra={k:l[k] for k in ['catalogLoadMs','raftStartMs','startMs','ms','role'] if k in l}
  print(f'  +{t-t0:.2f}s {l[\"message\"]} {extra}')
"
