#!/bin/bash
# R1: a follower whose LevelDB catalog lost its CURRENT file restarts READY with an (almost) empty catalog.
# Standalone: a 3-node cluster on ports 57500-57803 in /tmp/s34-adv/r1, 2,000 collections, CURRENT deleted on a stopped follower.
set -u; R=${R:-/tmp/s34-adv/repo}; C="node $R/dist/scripts/cluster.js"; D=/tmp/s34-adv/r1; H=/tmp/s34-adv/report
$C down --dir $D --wipe >/dev/null 2>&1
$C up --dir $D --base-port 57500 --gc-confirm-delay-ms 2000 | head -1
node $H/mk.mjs 127.0.0.1:57501,127.0.0.1:57502,127.0.0.1:57503 2000
L=$(node -e "const c=require('$D/cluster.json');Promise.all(c.nodes.map(n=>fetch('http://'+n.metrics+'/readyz').then(r=>r.json()).catch(()=>({})))).then(a=>console.log(a.find(x=>x.role==='Leader')?.id??0))")
F=$(( L % 3 + 1 ))
$C kill $F --wait --dir $D >/dev/null
echo "follower $F stopped; its catalog: $(ls $D/node-$F/meta | wc -l) files; deleting meta/CURRENT"
rm $D/node-$F/meta/CURRENT
$C start $F --dir $D | tail -1
for i in $(seq 1 300); do [ "$(curl -s -o /dev/null -w '%{http_code}' -m 1 http://127.0.0.1:$((57700+F))/readyz)" = 200 ] && break; sleep 0.1; done
echo "follower /readyz: $(curl -s http://127.0.0.1:$((57700+F))/readyz)"
echo "its catalog now: $(ls $D/node-$F/meta | wc -l) files; log: $(grep 'node started' $D/node-$F.log | tail -1 | cut -c1-250)"
echo "ShowCollections on the follower:"; node $H/probe-node.mjs 127.0.0.1:$((57500+F))
echo "ShowCollections on the leader:";   node $H/probe-node.mjs 127.0.0.1:$((57500+L))
$C down --dir $D >/dev/null
