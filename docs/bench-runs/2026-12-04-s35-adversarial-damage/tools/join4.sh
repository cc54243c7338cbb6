#!/bin/bash
# join4.sh MODE : `cluster add` with the writer running; SIGSTOP the joiner as soon as its .recv file has part of the snapshot
# (the transfer is then stuck in the middle: the receiver reads nothing more), then per MODE:
#   killjoiner: kill -9 the stopped joiner, restart it 1 s later
#   killleader: kill -9 the leader (sender), SIGCONT the joiner, restart the old leader 3 s later
#   partition:  keep the joiner stopped 15 s, then SIGCONT
. /tmp/s35-adv/work/common.sh
MODE=$1; name=j_$MODE
rm -f ops/$name.ops ops/$name.ops.stop; (R=$R node $W/writer.mjs $D ops/$name.ops 4 > writer-$name.out 2>&1 &); sleep 5
last=$(node -e "console.log(require('$D/cluster.json').lastNodeId)"); id=$((last+1)); RD=$D/node-$id/raft
L=$(leader); echo "== $name: joiner $id, leader $L"; t0=$(date +%s.%N); el() { echo "$(date +%s.%N) - $t0" | bc | cut -c1-6; }
( $C add --dir $D > add-$id.out 2>&1; echo "add exit $?" >> add-$id.out ) &
out=$(python3 $W/slowrecv.py $RD "$D/node-$id" ${TARGET:-2000000}); p=$(npid $id)
echo "   at $(el)s: joiner $p stopped: $out"
case $MODE in
  killjoiner) kill -9 $p; kill -CONT $p; while kill -0 $p 2>/dev/null; do sleep 0.05; done; sleep 1; echo "   joiner killed; restart: $($C start $id --dir $D 2>&1 | tail -1)";;
  killleader) $C kill $L --wait --dir $D >/dev/null; kill -CONT $p; echo "   leader $L killed, joiner continued; new leader after 3 s: $(sleep 3; leader)"; echo "   restart $L: $($C start $L --dir $D 2>&1 | tail -1)";;
  partition) sleep 14; kill -CONT $p; echo "   joiner continued after 15 s";;
esac
ok=$(wait_ready $id 300 $(npid $id)); echo "   joiner ready=$ok at $(el)s"
for i in $(seq 1 200); do grep -q 'add exit' add-$id.out && break; sleep 1; done; echo "   add: $(grep -v applied add-$id.out | tail -2 | tr '\n' ' ') at $(el)s"
grep -v '"debug"' $D/node-$id.log | grep -E '"warn"|"error"|restored|node started|cleared' | cut -c1-300 | head -6 | sed 's/^/   log: /'
echo "   snapshot bytes (restored): $(grep -o '"bytes":[0-9]*' $D/node-$id.log | tail -1)"
sleep 5; touch ops/$name.ops.stop; sleep 4; tail -1 writer-$name.out
R=$R node $W/check.mjs $D ops/$name.ops 2>&1 | grep -E 'PROBLEM|CHECK|applied' | head -6 | cut -c1-300 | sed 's/^/   check: /'
ls $RD | tr '\n' ' '; echo
