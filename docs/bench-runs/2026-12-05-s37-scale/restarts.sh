#!/bin/bash
# restarts.sh BUILD DIR N : restart follower (a non-leader) N times (SIGKILL), print start->ready ms, catalog load, raft start
B=$1; D=$2; N=$3
cd $B
node dist/scripts/cluster.js up --dir $D > /dev/null 2>&1 || { echo "up failed"; exit 1; }
sleep 3
for i in $(seq 1 $N); do
  L=$(node dist/scripts/cluster.js status --dir $D | sed -n 's/^leader: //p')
  F=1; [ "$L" = "1" ] && F=2
  P=$(node -e "console.log(require('$D/cluster.json').nodes.find(n=>n.id==$F).pid)")
  M=$(node -e "console.log(require('$D/cluster.json').nodes.find(n=>n.id==$F).metrics)")
  kill -9 $P; sleep 1.5
  LINES=$(wc -l < $D/node-$F.log)
  S=$(date +%s%N)
  node dist/scripts/cluster.js start $F --dir $D > /dev/null 2>&1
  until curl -sf -m 1 http://$M/readyz > /dev/null; do sleep 0.02; done
  E=$(date +%s%N)
  ST=$(tail -n +$((LINES+1)) $D/node-$F.log | grep '"node started"' | tail -1 | python3 -c "import sys,json; l=sys.stdin.read().strip(); d=json.loads(l) if l else {}; print(d.get('catalogLoadMs'), d.get('raftStartMs'))")
  echo "$(basename $B) restart $i node $F: ready $(( (E-S)/1000000 )) ms; catalogLoad raftStart: $ST"
  sleep 2
done
node dist/scripts/cluster.js down --dir $D > /dev/null 2>&1
