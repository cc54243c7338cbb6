#!/bin/bash
# F1: a member restarted with an empty data directory (same ID) reports /readyz 200 but never catches up:
# every leader message fails "commit N is past the last index M" and the connection is dropped, forever.
set -u
W=/work/wt/adv; C="node $W/dist/scripts/cluster.js"; D=/tmp/s33-adv/repro/f1-cl
$C down --dir $D --wipe >/dev/null 2>&1; rm -rf $D
$C up --dir $D --base-port 42500 | head -1
node /tmp/s33-adv/repro/mk.mjs 127.0.0.1:42501,127.0.0.1:42502,127.0.0.1:42503 200
leader=$(for i in 1 2 3; do curl -s http://127.0.0.1:$((42700+i))/readyz | grep -q '"role":"Leader"' && echo $i; done)
f=$(( leader % 3 + 1 )); echo "leader $leader; wiping follower $f"
$C kill $f --wait --dir $D; rm -rf $D/node-$f; $C start $f --dir $D; sleep 6
echo "readyz of node $f:"; curl -s -w ' HTTP %{http_code}\n' http://127.0.0.1:$((42700+f))/readyz
node /tmp/s33-adv/repro/probe-node.mjs 127.0.0.1:$((42500+f))
echo "its log: $(grep -c 'is past the last index' $D/node-$f.log) x 'dropped a raft connection ... past the last index'"; grep 'past the last index' $D/node-$f.log | tail -1 | cut -c1-300
$C down --dir $D >/dev/null
