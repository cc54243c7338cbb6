#!/bin/bash
# ab.sh BUILD...: restart the saved cluster with each build in turn, settle, ShowCollections timings
D=/tmp/rootcoord-bench-wEoliU
for b in "$@"; do
  for n in 1 2 3 4; do
    pid=$(node -e "const c=require('$D/cluster.json');const x=c.nodes.find(n=>n.id===$n);console.log(x?x.pid:'')")
    [ -n "$pid" ] && grep -q "$D" /proc/$pid/cmdline 2>/dev/null && kill $pid
  done
  for i in $(seq 1 50); do pgrep -f "$D" >/dev/null || break; sleep 0.2; done
  for n in 1 2 3 4; do node $b/dist/scripts/cluster.js start $n --dir $D >/dev/null; done
  for i in $(seq 1 60); do L=$(node $b/dist/scripts/cluster.js status --dir $D 2>/dev/null | head -1); case "$L" in "leader: "[0-9]*) break;; esac; sleep 1; done
  sleep 15
  LEAD=$(node $b/dist/scripts/cluster.js status --dir $D | head -1 | awk '{print $2}')
  echo "== $b leader $LEAD"
  node $b/show.mjs $b 127.0.0.1:2940$LEAD 7 | tail -3
done
