#!/bin/bash
# restart-time.sh ID : kill -9 node ID, start it, time to /readyz 200
C="node /work/wt/adv/dist/scripts/cluster.js"; D=/tmp/s33-adv/cl; id=$1; p=$((42200+id))
$C kill $id --wait --dir $D >/dev/null; t0=$(date +%s.%N); $C start $id --dir $D
until [ "$(curl -s -o /dev/null -w '%{http_code}' -m 1 http://127.0.0.1:$p/readyz)" = 200 ]; do sleep 0.1; done
echo "node $id ready after $(echo "$(date +%s.%N) - $t0" | bc) s"
