#!/bin/bash
# join-kill.sh N MINDELAY MAXDELAY [remove]: N times: `cluster add` a node, kill -9 it MIN..MAX ms after the add began,
# start it again, wait for /readyz and for `add` to return; then check digests (and remove the node if asked).
C="node /work/wt/adv/dist/scripts/cluster.js"; D=/tmp/s33-adv/cl; N=$1; MIN=$2; MAX=$3
for k in $(seq 1 $N); do
  last=$(node -e "console.log(require('$D/cluster.json').lastNodeId)"); id=$((last+1)); p=$((42200+id))
  ( $C add --dir $D > add-$id.out 2>&1; echo "add exit $?" >> add-$id.out ) &
  addp=$!
  d=$((MIN + RANDOM % (MAX-MIN))); sleep $(echo "scale=3; $d/1000" | bc)
  pid=$(node -e "const c=require('$D/cluster.json');const n=c.nodes.find(n=>n.id==$id);console.log(n?n.pid:0)")
  files=$(ls $D/node-$id/raft 2>/dev/null | tr '\n' ' ')
  msgs=$(grep -o '"message":"[^"]*"' $D/node-$id.log 2>/dev/null | sed 's/"message"://' | tr '\n' ' ')
  kill -9 $pid; while kill -0 $pid 2>/dev/null; do sleep 0.05; done
  echo "$(date +%T) iter $k node $id killed@${d}ms; log: $msgs; raft dir: $files"
  ls -la $D/node-$id/raft > raftdir-$id-atkill.txt 2>&1
  sleep 0.5; t0=$(date +%s.%N); $C start $id --dir $D >/dev/null; pid=$(node -e "const c=require('$D/cluster.json');console.log(c.nodes.find(n=>n.id==$id).pid)"); ok=no
  for w in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -m 1 http://127.0.0.1:$p/readyz)" = 200 ] && { ok=yes; break; }
    kill -0 $pid 2>/dev/null || { ok=EXITED; break; }; sleep 0.1; done
  echo "   restart ready=$ok in $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5)s"
  [ $ok != yes ] && { grep -v '"debug"' $D/node-$id.log | tail -12 | cut -c1-400; }
  for w in $(seq 1 60); do kill -0 $addp 2>/dev/null || break; sleep 1; done
  echo "   add: $(tail -2 add-$id.out | tr '\n' ' ')"
  [ "$4" = remove ] && [ $ok = yes ] && { sleep 2; node check.mjs $D 2>&1 | grep -E 'digests|DOWN' -A6 | grep -E "'[0-9]+'|DOWN|[0-9]+:" | tr -d '\n'; echo; $C remove $id --dir $D; }
done
