#!/usr/bin/env bash
# addab.sh BUILD "VAR=VALUE" ...: on the cluster fill.sh made (DIR, default /tmp/s39/c), for each
# argument in turn: remove the last member added (if any), then `scripts/cluster add` a new one from
# BUILD with that variable in its environment ("X=1": none that matters), and print the add's time and
# the joiner's restore figures (RESTORE-W, RESTORE-L: logged by instrument.patch's build).
set -uo pipefail
B=$1; shift
D=${DIR:-/tmp/s39/c}
for envs in "$@"; do
  last=$(node -e "const c=require('$D/cluster.json'); console.log(Math.max(...c.nodes.map((n)=>n.id)))")
  if [ "$last" -gt 3 ]; then node "$B/dist/scripts/cluster.js" remove "$last" --dir "$D" >/dev/null 2>&1; fi
  sleep 4
  S=$(date +%s%N)
  env "$envs" node "$B/dist/scripts/cluster.js" add --dir "$D" > "$D/add.out" 2>&1
  E=$(date +%s%N)
  id=$(grep -o "node [0-9]* joined" "$D/add.out" | grep -o "[0-9]*")
  r=$(grep -h "restored from" "$D/node-$id.log" | grep -o '"ms":[0-9]*')
  w=$(grep -h "RESTORE-W" "$D/node-$id.log" | cut -c10-)
  l=$(grep -h "RESTORE-L" "$D/node-$id.log" | cut -c10-)
  echo "[$envs] node $id add $(( (E-S)/1000000 )) ms restore $r W $w L $l"
done
