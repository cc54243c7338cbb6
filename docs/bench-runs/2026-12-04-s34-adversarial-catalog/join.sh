#!/bin/bash
# join.sh MODE [DELAYMS] : `cluster add` a node to the filled cluster and inject a fault during the join:
#   killjoiner-transfer  kill -9 the joining node DELAYMS after its first snapshot chunk file (*.recv) appears, restart it 0.5 s later
#   killjoiner-restore   kill -9 the joining node DELAYMS after "restoring" begins (its raft dir holds a .snap and meta/ grows), restart it
#   killleader-transfer  kill -9 the leader DELAYMS after the joiner's *.recv appears, restart the old leader 3 s later
#   stopleader-transfer  SIGSTOP the leader DELAYMS after the joiner's *.recv appears, SIGCONT 3 s later
#   none                 no fault (baseline)
# then waits for the new node's /readyz and for `add` to return, prints timings, memory, terms.
. /tmp/s34-adv/report/common.sh
MODE=$1; DELAY=${2:-500}
last=$(node -e "console.log(require('$D/cluster.json').lastNodeId)"); id=$((last+1)); RD=$D/node-$id/raft; MD=$D/node-$id/meta
L=$(leader); echo "$(date +%T) join node $id mode $MODE delay ${DELAY}ms; leader $L; terms $(terms)"
t0=$(date +%s.%N)
( $C add --dir $D > $H/add-$id.out 2>&1; echo "add exit $?" >> $H/add-$id.out ) & addp=$!
el() { echo "$(date +%s.%N) - $t0" | bc | cut -c1-6; }
phase_transfer() { ls $RD 2>/dev/null | grep -q '\.recv$'; }
phase_restore() { ls $RD 2>/dev/null | grep -q '\.snap$' && ! grep -q 'restored from a snapshot' $D/node-$id.log 2>/dev/null; }
if [ $MODE != none ]; then
  case $MODE in *transfer) cond=phase_transfer;; *restore) cond=phase_restore;; esac
  for w in $(seq 1 3000); do $cond && break; sleep 0.05; done
  echo "   phase ${MODE#*-} seen at $(el)s; raft dir: $(ls -s $RD | tr '\n' ' ')"
  sleep $(echo "scale=3; $DELAY/1000" | bc)
  echo "   fault at $(el)s; raft dir: $(ls -s $RD | tr '\n' ' '); meta: $(du -sk $MD 2>/dev/null | cut -f1) kB"
  case $MODE in
    killjoiner-*) p=$(npid $id); kill -9 $p; while kill -0 $p 2>/dev/null; do sleep 0.05; done; sleep 0.5
       echo "   restart node $id: $($C start $id --dir $D 2>&1 | tail -1)";;
    killleader-*) $C kill $L --wait --dir $D >/dev/null; echo "   killed leader $L; new leader after 3 s: $(sleep 3; leader)"; echo "   restart $L: $($C start $L --dir $D 2>&1 | tail -1)";;
    stopleader-*) p=$(npid $L); kill -STOP $p; sleep 3; kill -CONT $p; echo "   leader $L stopped 3 s and continued; leader now $(leader)";;
  esac
fi
ok=$(wait_ready $id 600 $(npid $id)); echo "   node $id ready=$ok at $(el)s"
for w in $(seq 1 300); do kill -0 $addp 2>/dev/null || break; sleep 1; done
echo "   add: $(grep -v 'applied\|starting' $H/add-$id.out | tail -3 | tr '\n' ' ') at $(el)s"
grep -v '"debug"' $D/node-$id.log | grep -E '"warn"|"error"|restored|node started|refus|LogLost|corrupt' | cut -c1-400 | head -12 | sed 's/^/   log: /'
echo "   terms now: $(terms)"; sleep 20; echo "   terms +20s: $(terms)"
mem | sed 's/^/   mem: /'
