#!/bin/bash
# join-killleader.sh MIN MAX : `cluster add` a node, kill -9 the leader MIN..MAX ms later, restart the old leader after 3 s,
# then wait for the new node's /readyz (90 s) and report add's outcome and the members' digests.
C="node /work/wt/adv/dist/scripts/cluster.js"; D=/tmp/s33-adv/cl; MIN=$1; MAX=$2
leader=$(node -e "const c=require('$D/cluster.json');Promise.all(c.nodes.map(n=>fetch('http://'+n.metrics+'/readyz').then(r=>r.json()).catch(()=>({})))).then(a=>console.log(a.find(x=>x.role==='Leader')?.id??0))")
last=$(node -e "console.log(require('$D/cluster.json').lastNodeId)"); id=$((last+1)); p=$((42200+id))
( $C add --dir $D > add-$id.out 2>&1; echo "add exit $?" >> add-$id.out ) &
addp=$!; d=$((MIN + RANDOM % (MAX-MIN))); sleep $(echo "scale=3; $d/1000" | bc)
msgs=$(grep -o '"message":"[^"]*"' $D/node-$id.log 2>/dev/null | sed 's/"message"://' | tr '\n' ' ')
$C kill $leader --wait --dir $D >/dev/null; echo "$(date +%T) node $id joining; killed leader $leader @${d}ms; new node log so far: $msgs; raft dir: $(ls $D/node-$id/raft 2>/dev/null | tr '\n' ' ')"
sleep 3; $C start $leader --dir $D >/dev/null; ok=no
for w in $(seq 1 450); do [ "$(curl -s -o /dev/null -w '%{http_code}' -m 1 http://127.0.0.1:$p/readyz)" = 200 ] && { ok=yes; break; }; sleep 0.2; done
for w in $(seq 1 60); do kill -0 $addp 2>/dev/null || break; sleep 1; done
echo "   new node $id ready=$ok; add: $(grep -v 'applied' add-$id.out | tail -2 | tr '\n' ' ')"
