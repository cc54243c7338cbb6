#!/bin/bash
# all-restart.sh N MAXDELAY_MS : kill -9 all three, start all, kill -9 all again after a random delay (each its own), start all, wait until all ready.
C="node /work/wt/adv/dist/scripts/cluster.js"; D=/tmp/s33-adv/cl; N=$1; MAX=$2
pidof_node() { node -e "const c=require('$D/cluster.json');console.log(c.nodes.find(n=>n.id==$1).pid)"; }
for k in $(seq 1 $N); do
  for i in 1 2 3; do $C kill $i --dir $D >/dev/null 2>&1; done; sleep 0.3
  for i in 1 2 3; do $C start $i --dir $D >/dev/null; done
  ds=""; for i in 1 2 3; do d=$((RANDOM % MAX)); ds="$ds $d"; ( sleep $(echo "scale=3; $d/1000" | bc); kill -9 $(pidof_node $i) ) & done; wait; sleep 0.3
  t0=$(date +%s.%N); for i in 1 2 3; do $C start $i --dir $D >/dev/null; done
  res=""; for w in $(seq 1 900); do n=0; for i in 1 2 3; do [ "$(curl -s -o /dev/null -w '%{http_code}' -m 1 http://127.0.0.1:$((42200+i))/readyz)" = 200 ] && n=$((n+1)); done
    [ $n = 3 ] && { res="all ready"; break; }; sleep 0.1; done
  echo "$(date +%T) iter $k kills@[$ds ] -> $res ${res:+in $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5)s}"
  [ -z "$res" ] && { ./st.sh; for i in 1 2 3; do tail -5 $D/node-$i.log; done; }
  sleep 2
done
