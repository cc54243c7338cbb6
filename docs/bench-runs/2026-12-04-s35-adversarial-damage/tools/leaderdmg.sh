#!/bin/bash
# leaderdmg.sh NAME DAMAGE : writer running on the cluster; kill -9 the leader, damage its meta/ (DAMAGE run in the meta dir,
# $T = its table with the most collection-info records, $LG = newest .log, $MF = MANIFEST), restart it; report; after 20 s stop
# the writer and check every acknowledged op; then heal the node (its undamaged meta put back) if it differs or was refused.
. /tmp/s35-adv/work/common.sh
name=$1; shift; dmg="$*"
rm -f ops/$name.ops ops/$name.ops.stop; (R=$R node $W/writer.mjs $D ops/$name.ops 4 > writer-$name.out 2>&1 &); sleep 8
L=$(leader); M=$D/node-$L/meta; log=$D/node-$L.log
$C kill $L --wait --dir $D >/dev/null; t0=$(date +%s.%N)
rm -rf /tmp/s35-adv/saved/lead-$name; cp -a $M /tmp/s35-adv/saved/lead-$name
T=$(cd $M; for f in *.ldb; do echo "$(grep -a -c 'collection-info' $f) $f"; done | sort -n | tail -1 | cut -d' ' -f2); LG=$(ls $M | grep '\.log$' | sort | tail -1); MF=$(ls $M | grep '^MANIFEST' | tail -1)
if [[ "$dmg" == namebit ]]; then hit=$(grep -a -b -o '"c[0-9]\{3,6\}"' $M/$T | sed -n 300p); off=${hit%%:*}; nm=${hit#*:}; o=$((off+${#nm}-2)); dmg="flip $T $o 0x01"; fi
( cd $M; eval "$dmg" ); echo "== $name: leader $L killed; damage [$dmg] (T=$T LG=$LG $(stat -c %s $M/$LG 2>/dev/null)B MF=$MF)"
sleep 0.5; L0=$(wc -l < $log); $C start $L --dir $D >/dev/null 2>&1; pid=$(npid $L)
for i in $(seq 1 100); do NL=$(leader); [ "$NL" != 0 ] && [ "$NL" != "$L" ] && break; sleep 0.1; done
echo "   new leader: $NL after $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5)s"
ok=$(wait_ready $L 120 $pid); echo "   old leader $L: ready=$ok"; tail -n +$((L0+1)) $log | grep -v '^{' | head -2 | cut -c1-400 | sed 's/^/   stderr: /'
sleep 20; touch ops/$name.ops.stop; sleep 4; tail -1 writer-$name.out
R=$R node $W/check.mjs $D ops/$name.ops 2>&1 | tail -8 | cut -c1-400 | sed 's/^/   check: /'
R=$R node $W/cmp.mjs $D $L $(leader) digest 2>&1 | sed 's/^/   cmp: /'
st | sed 's/^/   /'
