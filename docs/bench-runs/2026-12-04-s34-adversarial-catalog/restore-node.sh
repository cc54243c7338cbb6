#!/bin/bash
# restore-node.sh ID SAVEDDIR : stop node ID if running, put back its saved undamaged data dir, start it, wait ready
. /tmp/s34-adv/report/common.sh; id=$1
p=$(npid $id); kill -0 $p 2>/dev/null && $C kill $id --wait --dir $D >/dev/null
rm -rf $D/node-$id; cp -a $2 $D/node-$id; $C start $id --dir $D >/dev/null 2>&1; echo "restored node $id: ready=$(wait_ready $id 120 $(npid $id))"
