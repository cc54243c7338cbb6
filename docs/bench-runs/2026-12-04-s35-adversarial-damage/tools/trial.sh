#!/bin/bash
# trial.sh ID SAVED DAMAGE... : node ID is stopped; put SAVED (a copy of its meta/ dir) back as its catalog (its raft/ dir is
# left as it is), apply DAMAGE (a shell command run in the meta dir, with $M set, e.g. 'flip 000123.ldb 4567'), start it,
# wait up to 120 s for /readyz 200 or its exit, compare its catalog with the leader's (names + digest), stop it again (kill -9).
. /tmp/s35-adv/work/common.sh
id=$1; saved=$2; shift 2; dmg="$*"
M=$D/node-$id/meta; log=$D/node-$id.log
rm -rf $M; cp -a $saved $M
( cd $M; eval "$dmg" )
L0=$(wc -l < $log); t0=$(date +%s.%N); $C start $id --dir $D >/dev/null 2>&1
pid=$(npid $id); ok=$(wait_ready $id 120 $pid); el=$(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5)
res=$ok; [ $ok = EXITED ] && res=REFUSED
line=$(tail -n +$((L0+1)) $log | grep -v '"debug"' | grep -E '"error"|Corruption|corrupt|refus|cannot|Error' | head -1 | cut -c1-330)
[ -z "$line" ] && line=$(tail -n +$((L0+1)) $log | grep -v '^{' | head -1 | cut -c1-330)
ldblog=$(grep -h -E 'ignoring|orrupt|error' $M/LOG 2>/dev/null | head -2 | cut -c1-160 | tr '\n' ' ')
echo "[$dmg] => $res in ${el}s"
[ -n "$ldblog" ] && echo "   leveldb LOG: $ldblog"
if [ $ok = yes ]; then
  L=$(leader); echo "   /readyz: $(curl -s -m 2 http://127.0.0.1:$((BASE+200+id))/readyz)"
  R=$R node $W/cmp.mjs $D $id $L ${CMPDIGEST:-digest} 2>&1 | sed 's/^/   /'
  tail -n +$((L0+1)) $log | grep -E '"warn"|"error"' | head -3 | cut -c1-300 | sed 's/^/   log: /'
  kill -9 $pid; while kill -0 $pid 2>/dev/null; do sleep 0.05; done
else
  echo "   log: $line"
  [ $ok = no ] && { kill -9 $pid 2>/dev/null; sleep 0.5; }
fi
