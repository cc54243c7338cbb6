#!/bin/bash
# Something else answers 200 on node 3's metrics port: `start` says "started ... listening" and exits 0,
# while node 3 itself exits (its metrics port is taken).
C="node dist/scripts/cluster.js"; D=/tmp/s36-rev3/c1
$C kill 3 --wait --dir $D
node -e "require('http').createServer((q,s)=>{s.end('{\"ok\":true,\"id\":3}')}).listen(57303,'127.0.0.1')" & IMP=$!
sleep 0.5
$C start 3 --dir $D; echo "start rc=$?"
sleep 3; PID=$(node -e "console.log(require('$D/cluster.json').nodes.find(n=>n.id===3).pid)")
kill -0 $PID 2>/dev/null && echo "node 3 alive" || echo "node 3 (pid $PID) is NOT running"; tail -2 $D/node-3.log
kill $IMP; wait $IMP 2>/dev/null
$C start 3 --dir $D; echo "start rc=$?"
