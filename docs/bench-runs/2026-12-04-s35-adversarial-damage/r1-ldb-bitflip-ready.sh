#!/bin/bash
# R1: one flipped bit in a catalog table file (.ldb) of a stopped follower: the node starts READY and serves a catalog in
# which acknowledged collections are missing (renamed); made leader, it hands that catalog to a new member (`cluster add`).
# Usage: R=<built checkout> r1-ldb-bitflip-ready.sh     (3 nodes + 1 joiner, ports 57400-57704, data in /tmp/s35-adv/r1)
set -u; R=${R:?R=<a built checkout>}; H=$(cd $(dirname $0) && pwd); C="node $R/dist/scripts/cluster.js"; D=/tmp/s35-adv/r1; B=57400
export R
cfg() { node -e "const c=require('$D/cluster.json');$1"; }
pid() { cfg "console.log(c.nodes.find(n=>n.id==$1)?.pid??0)"; }
leader() { cfg "Promise.all(c.nodes.map(n=>fetch('http://'+n.metrics+'/readyz').then(r=>r.json()).catch(()=>({})))).then(a=>console.log(a.find(x=>x.role==='Leader')?.id??0))"; }
ready() { for i in $(seq 1 600); do [ "$(curl -s -o /dev/null -w '%{http_code}' -m 1 http://127.0.0.1:$((B+200+$1))/readyz)" = 200 ] && { echo READY; return; }; kill -0 $(pid $1) 2>/dev/null || { echo REFUSED; return; }; sleep 0.1; done; echo NOT-READY; }
$C down --dir $D --wipe >/dev/null 2>&1; rm -rf $D
$C up --dir $D --base-port $B --gc-confirm-delay-ms 2000 | head -1
EPS=127.0.0.1:$((B+1)),127.0.0.1:$((B+2)),127.0.0.1:$((B+3))
node $H/mk.mjs $EPS 3000
L=$(leader); F=$(( L % 3 + 1 ))
# A stop and a start make LevelDB write what its log holds into a table file (it does at every open).
$C kill $F --signal TERM --wait --dir $D >/dev/null; $C start $F --dir $D >/dev/null; echo "follower $F restarted: $(ready $F)"; sleep 2
$C kill $F --signal TERM --wait --dir $D >/dev/null
M=$D/node-$F/meta; T=$(ls -S $M | grep '\.ldb$' | head -1)
# A collection name as it stands in the table (snappy keeps literals as they are): its last digit, one bit flipped.
hit=$(grep -a -b -o '"c[0-9]\{3,4\}"' $M/$T | sed -n 20p); off=${hit%%:*}; nm=${hit#*:}; o=$((off+${#nm}-2))
python3 -c "f=open('$M/$T','r+b');f.seek($o);b=f.read(1);f.seek($o);f.write(bytes([b[0]^1]))"
echo "flipped bit 0 of byte $o of $T ($(stat -c %s $M/$T) bytes; inside the name $nm)"
$C start $F --dir $D >/dev/null; st=$(ready $F); echo "follower $F: $st"
node $H/names.mjs 127.0.0.1:$((B+L)) > $D/names-leader; node $H/names.mjs 127.0.0.1:$((B+F)) > $D/names-damaged
miss=$(comm -23 $D/names-leader $D/names-damaged | tr '\n' ' '); extra=$(comm -13 $D/names-leader $D/names-damaged | tr '\n' ' ')
echo "leader $L: $(wc -l < $D/names-leader) names; damaged $F: $(wc -l < $D/names-damaged); missing on $F: [$miss] extra on $F: [$extra]"
if [ $st = READY ] && [ -n "$miss$extra" ]; then echo "DEFECT: follower $F is READY (/readyz: $(curl -s http://127.0.0.1:$((B+200+F))/readyz)) and serves a catalog without acknowledged collections"; else echo "OK: not ready on a differing catalog ($st)"; fi
if [ $st = READY ]; then
  # Propagation: the damaged node leads, and a new member copies its catalog.
  $C transfer $F --dir $D >/dev/null 2>&1; sleep 2; echo "leader now: $(leader)"
  # Compact its log (as every 10,000 entries would), so that a new member needs a copy of its catalog.
  echo "snapshot on $F: $(node $R/dist/src/cli/rootcoordctl.js --endpoints 127.0.0.1:$((B+F)) cluster snapshot 2>&1 | tail -1)"
  timeout 180 $C add --dir $D > $D/add.out 2>&1; echo "add: exit $? ($(tail -1 $D/add.out))"
  node $H/names.mjs 127.0.0.1:$((B+4)) > $D/names-new
  o2=$(comm -3 $D/names-leader $D/names-new | wc -l)
  if [ "$o2" -gt 0 ]; then echo "DEFECT: the new member 4 copied the damaged catalog: it differs from the healthy replicas in $o2 names (missing: $(comm -23 $D/names-leader $D/names-new | tr '\n' ' '))"; else echo "OK: the new member 4 has the healthy catalog"; fi
  first=$(echo $miss | cut -d' ' -f1)
  if [ -n "$first" ]; then for i in 1 2 3 4; do echo "  before: node $i: $first $(node $H/describe.mjs 127.0.0.1:$((B+i)) $first)"; done
    echo "CreateCollection $first (acknowledged long ago, missing on the damaged leader): $(node $H/ddl.mjs 127.0.0.1:$((B+F)) create $first)"; sleep 2
    for i in 1 2 3 4; do echo "  node $i: $(curl -s -m 1 http://127.0.0.1:$((B+200+i))/readyz || echo DOWN) count of $first in default: $(node $H/names.mjs 127.0.0.1:$((B+i)) | grep -c "^$first\$"), $(node $H/describe.mjs 127.0.0.1:$((B+i)) $first)"; done; fi
fi
$C down --dir $D >/dev/null
