#!/usr/bin/env bash
# usage: addab.sh BUILD_DIR "ENV1" "ENV2" ... ; each arg an env assignment string ("" = none); alternating once through
set -uo pipefail
B=$1; shift
D=/tmp/s39/c
for envs in "$@"; do
  last=$(node -e "const c=require('$D/cluster.json'); const ids=c.nodes.filter(n=>!n.removed).map(n=>n.id); console.log(Math.max(...ids))" 2>/dev/null)
  if [ "$last" -gt 3 ]; then node $B/dist/scripts/cluster.js remove $last --dir $D >/dev/null 2>&1; fi
  sleep 4
  S=$(date +%s%N)
  env $envs node $B/dist/scripts/cluster.js add --dir $D > /tmp/s39/add.out 2>&1
  E=$(date +%s%N)
  id=$(grep -o "node [0-9]* joined" /tmp/s39/add.out | grep -o "[0-9]*")
  r=$(grep -h "restored from" $D/node-$id.log | grep -o '"ms":[0-9]*')
  w=$(grep -h "RESTORE-W" $D/node-$id.log | cut -c10-)
  l=$(grep -h "RESTORE-L" $D/node-$id.log | cut -c10-)
  echo "[$envs] node $id add $(( (E-S)/1000000 )) ms restore $r W $w L $l"
done
