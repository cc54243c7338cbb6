#!/bin/bash
# kill-during-start.sh TARGET(id|leader) N MAXDELAY_MS : N times: kill -9 target, start it, kill -9 it after a random delay,
# start it again, wait for /readyz (60 s) and report.
C="node /work/wt/adv/dist/scripts/cluster.js"; D=/tmp/s33-adv/cl; T=$1; N=$2; MAX=$3
leader() { for i in 1 2 3; do curl -s -m 1 http://127.0.0.1:$((42200+i))/readyz | grep -q '"role":"Leader"' && { echo $i; return; }; done; echo 0; }
pidof_node() { node -e "const c=require('$D/cluster.json');console.log(c.nodes.find(n=>n.id==$1).pid)"; }
for k in $(seq 1 $N); do
  id=$T; [ "$T" = leader ] && id=$(leader); [ "$id" = 0 ] && { echo "no leader; waiting"; sleep 2; continue; }
  p=$((42200+id)); log=$D/node-$id.log
  $C kill $id --wait --dir $D >/dev/null; L0=$(wc -l < $log); $C start $id --dir $D >/dev/null; pid=$(pidof_node $id)
  d=$((RANDOM % MAX)); sleep $(echo "scale=3; $d/1000" | bc)
  phase=$(tail -n +$((L0+1)) $log | tail -1 | grep -o '"message":"[^"]*"')
  kill -${SIG:-9} $pid 2>/dev/null && killed=yes || killed="no(already exited)"
  while kill -0 $pid 2>/dev/null; do sleep 0.05; done
  t0=$(date +%s.%N); $C start $id --dir $D >/dev/null; pid=$(pidof_node $id); ok=no
  for w in $(seq 1 600); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' -m 1 http://127.0.0.1:$p/readyz)" = 200 ]; then ok=yes; break; fi
    kill -0 $pid 2>/dev/null || { ok=EXITED; break; }; sleep 0.1; done
  echo "$(date +%T) iter $k node $id kill@${d}ms killed=$killed lastlog=$phase -> restart ready=$ok in $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5)s"
  if [ $ok != yes ]; then echo "---- log tail node $id"; tail -15 $log; fi
  sleep 1
done
