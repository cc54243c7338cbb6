#!/bin/bash
# s3-manifest.sh NAME DAMAGE : writer running on $D; damage the leader's MANIFEST (named by meta/CURRENT) while it runs
# (DAMAGE: flip-mid | flip-end | cut-half | cut-zero), kill -9 the leader, restart it; report; then the documented recovery:
# cluster remove, wipe its data directory, cluster add; check.mjs and `cluster check`.
D=${D:-/tmp/s36-adv/c1}; BASE=${BASE:-58100}; . /tmp/s36-adv/tools/common.sh
name=s3_$1; dmg=$2; O=$R/out
rm -f $R/ops/$name.ops*; (node $R/tools/writer.mjs $D $R/ops/$name.ops 4 > $O/writer-$name.out 2>&1 &); sleep 5
L=$(leader); M=$D/node-$L/meta; log=$D/node-$L.log; MF=$(cat $M/CURRENT); sz=$(stat -c %s $M/$MF)
mkdir -p $R/saved; cp $M/$MF $R/saved/$name-$MF
echo "$(ts) == $name: leader $L, meta/CURRENT names $MF ($sz bytes); damage $dmg"
case $dmg in
  flip-mid) python3 -c "f=open('$M/$MF','r+b');o=$sz//2;f.seek(o);b=f.read(4);f.seek(o);f.write(bytes(x^0xff for x in b))";;
  flip-end) python3 -c "f=open('$M/$MF','r+b');o=$sz-10;f.seek(o);b=f.read(1);f.seek(o);f.write(bytes([b[0]^0x55]))";;
  cut-half) truncate -s $((sz/2)) $M/$MF;;
  cut-zero) truncate -s 0 $M/$MF;;
esac
echo "   after damage: $(stat -c %s $M/$MF) bytes; cmp: $(cmp $R/saved/$name-$MF $M/$MF 2>&1 | head -1)"
sleep 1; kill -9 $(npid $L); t0=$(date +%s.%N); el() { echo "$(date +%s.%N) - $t0" | bc | cut -c1-6; }
while kill -0 $(npid $L) 2>/dev/null; do sleep 0.05; done; echo "$(ts) leader $L killed (kill -9)"
echo "   MANIFEST now: $(cat $M/CURRENT) $(stat -c %s $M/$(cat $M/CURRENT)) bytes; same file as damaged: $([ $(cat $M/CURRENT) = $MF ] && echo yes || echo no)"
L0=$(wc -l < $log); $C start $L --dir $D > $O/$name-start.out 2>&1; echo "   cluster start exit $?: $(tail -2 $O/$name-start.out | tr '\n' ' ' | cut -c1-300)"
for i in $(seq 1 100); do NL=$(leader); [ "$NL" != 0 ] && [ "$NL" != "$L" ] && break; sleep 0.1; done
echo "$(ts) new leader: $NL (+$(el)s after the kill)"
pid=$(npid $L); for i in $(seq 1 600); do kill -0 $pid 2>/dev/null || break; [ "$(readyz $L)" = 200 ] && break; sleep 0.1; done
echo "$(ts) old leader $L: alive=$(kill -0 $pid 2>/dev/null && echo yes || echo no) readyz=$(readyz $L)"
tail -n +$((L0+1)) $log | grep -E '"error"|"fatal"|^[^{]' | head -4 | cut -c1-700 | sed 's/^/   old leader log: /'
echo "   a second start: $($C start $L --dir $D 2>&1 | tail -1 | cut -c1-200)"; sleep 4; echo "   alive after the second start: $(kill -0 $(npid $L) 2>/dev/null && echo yes || echo no)"
sleep 5; echo "$(ts) writer: $(tail -1 $O/writer-$name.out)"
echo "$(ts) recovery: remove $L: $($C remove $L --dir $D 2>&1 | tail -1)"; rm -rf $D/node-$L; echo "   wiped $D/node-$L"
t1=$(date +%s); $C add --dir $D > $O/$name-add.out 2>&1; echo "$(ts) add exit $? in $(( $(date +%s)-t1 ))s: $(grep -v applied $O/$name-add.out | tail -1)"
sleep 3; touch $R/ops/$name.ops.stop; sleep 4; tail -1 $O/writer-$name.out
node $R/tools/check.mjs $D $R/ops/$name.ops 2>&1 | grep -E 'PROBLEM|CHECK|applied|fillColl' | cut -c1-300 | sed 's/^/   check.mjs: /'
$CTL --dir $D cluster check 2>&1 | sed 's/^/   cluster check: /'; echo "   cluster check exit ${PIPESTATUS[0]}"
$CTL --dir $D cluster status 2>&1 | tail -2 | sed 's/^/   /'
