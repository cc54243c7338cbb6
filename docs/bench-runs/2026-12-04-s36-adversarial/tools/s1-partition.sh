#!/bin/bash
# s1-partition.sh MODE [CUT_AT_BYTES] : scenario 1 on cluster $D. MODE proxy: the joiner is added with a proxy (58250 -> its
# peer port, leader->joiner throttled to RATE B/s) and the proxy blackholes all traffic for 15 s once the joiner's .recv holds
# CUT_AT bytes. MODE stop: plain `cluster add`; the joiner is SIGSTOPped as its .recv first appears, throttled (slowrecv) to
# CUT_AT bytes, and kept stopped 15 s, then SIGCONT. The writer runs throughout; then check.mjs and `cluster check`.
D=${D:-/tmp/s36-adv/c1}; BASE=${BASE:-58100}; . /tmp/s36-adv/tools/common.sh
MODE=$1; CUT=${2:-3000000}; name=s1_$MODE; O=$R/out; mkdir -p $R/ops
last=$(node -e "console.log(require('$D/cluster.json').lastNodeId ?? 3)"); id=$((last+1)); RD=$D/node-$id/raft
rm -f $R/ops/$name.ops*; (node $R/tools/writer.mjs $D $R/ops/$name.ops 4 > $O/writer-$name.out 2>&1 &); sleep 3
echo "$(ts) == $name: joiner $id, leader $(leader)"
if [ $MODE = proxy ]; then
  PC=$R/ctl-$id; mkdir -p $PC; rm -f $PC/cut; echo ${RATE:-400000} > $PC/rate
  node $R/tools/proxy.mjs $((BASE+150)) $((BASE+100+id)) $PC > $O/proxy-$id.out 2>&1 & PP=$!; sleep 0.5
  ( node $R/tools/proxyadd.mjs $D 127.0.0.1:$((BASE+150)) > $O/add-$id.out 2>&1; echo "add exit $? at $(ts)" >> $O/add-$id.out ) &
  for i in $(seq 1 6000); do f=$(ls $RD 2>/dev/null | grep '\.recv$' | head -1); [ -n "$f" ] && [ $(stat -c %s $RD/$f) -ge $CUT ] && break; sleep 0.01; done
  touch $PC/cut; echo "$(ts) PARTITION (proxy blackhole) with $f at $(stat -c %s $RD/$f) bytes; raft dir: $(ls $RD | tr '\n' ' ')"
  for s in 5 10 15; do sleep 5; echo "$(ts)   +${s}s: recv $(stat -c %s $RD/$f 2>/dev/null); joiner pid $(npid $id) alive=$(kill -0 $(npid $id) 2>/dev/null && echo y || echo n); leader $(leader)"; done
  rm -f $PC/cut; echo "$(ts) HEALED"; rm -f $PC/rate  # unthrottled from now on
else
  ( $C add --dir $D > $O/add-$id.out 2>&1; echo "add exit $? at $(ts)" >> $O/add-$id.out ) &
  out=$(python3 $R/tools/slowrecv.py $RD "$D/node-$id" $CUT); p=$(npid $id)
  echo "$(ts) STOPPED joiner pid $p: $out"
  for s in 5 10 15; do sleep 5; [ $s = 15 ] && sleep -0.0 ; echo "$(ts)   +${s}s: leader $(leader); $(grep -c . $R/ops/$name.ops) ops acked so far"; done
  kill -CONT $p; echo "$(ts) CONTINUED joiner"
fi
for i in $(seq 1 300); do grep -q 'add exit' $O/add-$id.out && break; sleep 1; done
echo "$(ts) add: $(grep -v '^  *applied\|catching' $O/add-$id.out | tail -3 | tr '\n' ' ')"
grep -v '"debug"' $D/node-$id.log | grep -E '"warn"|"error"|restored|node started|cleared|snapshot' | cut -c1-400 | head -12 | sed 's/^/   joiner log: /'
L=$(leader); grep -E 'snapshot' $D/node-$L.log | grep -v '"debug"' | tail -8 | cut -c1-400 | sed "s/^/   leader $L log: /"
sleep 3; touch $R/ops/$name.ops.stop; sleep 4; tail -2 $O/writer-$name.out
node $R/tools/check.mjs $D $R/ops/$name.ops 2>&1 | tail -12 | cut -c1-400 | sed 's/^/   check.mjs: /'
$CTL --dir $D cluster check 2>&1 | sed 's/^/   cluster check: /'; echo "   cluster check exit ${PIPESTATUS[0]}"
st | sed 's/^/   /'; ls $RD | tr '\n' ' '; echo
[ -n "$PP" ] && kill $PP
