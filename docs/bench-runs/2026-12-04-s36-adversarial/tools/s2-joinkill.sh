#!/bin/bash
# s2-joinkill.sh MODE : `cluster add` on $D with the writer running; kill -9 the joiner at MODE:
#   stream:  its .recv holds CUT bytes (slowrecv.py stops it there first), then kill -9
#   restore: the received snapshot is stored (.snap, no .recv/.tmp) and the catalog restore has run 3 s
#   learner: as soon as the leader logs the learner added (before any snapshot byte)
# then `cluster start <id>` 2 s later; wait for the add; check.mjs and `cluster check`.
D=${D:-/tmp/s36-adv/c1}; BASE=${BASE:-58100}; . /tmp/s36-adv/tools/common.sh
MODE=$1; CUT=${CUT:-5000000}; name=s2_${TAG:-$MODE}; O=$R/out
last=$(node -e "console.log(require('$D/cluster.json').lastNodeId ?? 3)"); id=$((last+1)); RD=$D/node-$id/raft
rm -f $R/ops/$name.ops*; (node $R/tools/writer.mjs $D $R/ops/$name.ops 4 > $O/writer-$name.out 2>&1 &); sleep 3
L=$(leader); LL=$(wc -l < $D/node-$L.log); LB=$(stat -c %s $D/node-$L.log); echo "$(ts) == $name: joiner $id, leader $L"
($R/tools/watchdir.sh $RD 200 > $O/$name-rafdir.out 2>&1 &)
t0=$(date +%s.%N); el() { echo "$(date +%s.%N) - $t0" | bc | cut -c1-6; }
( $C add --dir $D > $O/add-$id.out 2>&1; echo "add exit $? at $(ts)" >> $O/add-$id.out ) &
case $MODE in
  stream) out=$(python3 $R/tools/slowrecv.py $RD "$D/node-$id" $CUT); p=$(npid $id); echo "$(ts) (+$(el)s) stopped in the stream: $out";;
  restore) for i in $(seq 1 3000); do l=$(ls $RD 2>/dev/null); echo "$l" | grep -q '\.snap$' && ! echo "$l" | grep -q 'recv\|tmp' && break; sleep 0.05; done
           echo "$(ts) (+$(el)s) snapshot stored: $(echo $l | tr '\n' ' '); restore running 3 s"; sleep 3; p=$(npid $id);;
  learner) python3 $R/tools/waitline.py $D/node-$L.log $LB "\"member added\",\"id\":$id,\"learner\":true" >/dev/null; p=$(npid $id)
           echo "$(ts) (+$(el)s) leader logged learner $id added; joiner raft dir: $(ls $RD | tr '\n' ' ')";;
esac
kill -9 $p; kill -CONT $p 2>/dev/null; while kill -0 $p 2>/dev/null; do sleep 0.05; done; echo "$(ts) (+$(el)s) KILLED joiner pid $p; raft dir: $(ls -l $RD | awk 'NR>1{print $9":"$5}' | tr '\n' ' ')"
echo "   joiner meta: $(ls $D/node-$id/meta 2>/dev/null | tr '\n' ' ')"
sleep 2; echo "$(ts) (+$(el)s) restart: $($C start $id --dir $D 2>&1 | tail -2 | tr '\n' ' ')"
for i in $(seq 1 400); do grep -q 'add exit' $O/add-$id.out && break; sleep 1; done
echo "$(ts) (+$(el)s) add: $(grep -v '^ *node [0-9]*: applied' $O/add-$id.out | tail -3 | tr '\n' ' ')"
echo "   add progress lines: $(grep -c applied $O/add-$id.out); last: $(grep applied $O/add-$id.out | tail -1)"
grep -v '"debug"' $D/node-$id.log | grep -vE 'garbage' | grep -E '"warn"|"error"|restored|node started|cleared|snapshot|rror|refus' | cut -c1-400 | head -14 | sed 's/^/   joiner log: /'
grep -v '^{' $D/node-$id.log | head -5 | cut -c1-400 | sed 's/^/   joiner stderr: /'
tail -n +$LL $D/node-$L.log | grep -v garbage | grep -E 'snapshot|member|warn|error' | cut -c1-300 | head -10 | sed "s/^/   leader $L log: /"
sleep 3; touch $R/ops/$name.ops.stop; sleep 4; tail -1 $O/writer-$name.out
node $R/tools/check.mjs $D $R/ops/$name.ops 2>&1 | grep -E 'PROBLEM|CHECK|applied|fillColl' | cut -c1-300 | sed 's/^/   check.mjs: /'
$CTL --dir $D cluster check 2>&1 | sed 's/^/   cluster check: /'; echo "   cluster check exit ${PIPESTATUS[0]}"
st | sed 's/^/   /'
