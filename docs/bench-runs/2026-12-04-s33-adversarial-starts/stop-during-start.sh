#!/bin/bash
# stop-during-start.sh ID N : kill -9 + start node ID, SIGSTOP it at a random moment of its start (0-3 s) for 1-8 s, SIGCONT, wait ready.
C="node /work/wt/adv/dist/scripts/cluster.js"; D=/tmp/s33-adv/cl; id=$1; N=$2; p=$((42200+id)); log=$D/node-$id.log
for k in $(seq 1 $N); do
  $C kill $id --wait --dir $D >/dev/null; L0=$(wc -l < $log); $C start $id --dir $D >/dev/null
  pid=$(node -e "const c=require('$D/cluster.json');console.log(c.nodes.find(n=>n.id==$id).pid)")
  d=$((RANDOM % 3000)); s=$((1000 + RANDOM % 7000)); sleep $(echo "scale=3; $d/1000" | bc)
  kill -STOP $pid; phase=$(tail -n +$((L0+1)) $log | tail -1 | grep -o '"message":"[^"]*"'); sleep $(echo "scale=3; $s/1000" | bc); kill -CONT $pid
  t0=$(date +%s.%N); ok=no
  for w in $(seq 1 600); do [ "$(curl -s -o /dev/null -w '%{http_code}' -m 1 http://127.0.0.1:$p/readyz)" = 200 ] && { ok=yes; break; }
    kill -0 $pid 2>/dev/null || { ok=EXITED; break; }; sleep 0.1; done
  echo "$(date +%T) iter $k node $id STOP@${d}ms (${phase}) for ${s}ms -> ready=$ok $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5)s after CONT"
  [ $ok != yes ] && tail -n +$((L0+1)) $log | grep -v debug | tail -8 | cut -c1-300
done
