#!/bin/bash
# catdamage.sh ID|leader MODE : kill -9 node ID (or the leader), damage its LevelDB catalog (DATA/meta) per MODE, start it,
# wait for /readyz or exit (120 s), print the log lines; the undamaged copy is kept in /tmp/s34-adv/saved/.
# MODE: logtrunc:N   cut N bytes off the newest LevelDB .log      logflipmid   flip a byte in the middle of the newest .log
#       logflip:P    flip a byte at P% of the newest .log
#       ldbflip        flip a byte in the middle of the largest .ldb   ldbflip:N  flip 4 bytes at N different places of the largest .ldb
#       ldbdel         delete the largest .ldb                        manifestflip  flip a byte in the middle of the MANIFEST
#       manifesttrunc:N  cut N bytes off the MANIFEST                nocurrent  delete CURRENT
. /tmp/s34-adv/report/common.sh
id=$1; mode=$2; [ $id = leader ] && id=$(leader)
M=$D/node-$id/meta; log=$D/node-$id.log
$C kill $id --wait --dir $D >/dev/null
B=/tmp/s34-adv/saved/n$id-${mode/:/_}; rm -rf $B; mkdir -p /tmp/s34-adv/saved; cp -a $D/node-$id $B
newlog=$M/$(ls $M | grep '\.log$' | sort | tail -1); bigldb=$M/$(ls -S $M | grep '\.ldb$' | head -1); man=$M/$(ls $M | grep '^MANIFEST' | tail -1)
arg=${mode#*:}
flip() { python3 -c "import sys;f=open('$1','r+b');o=$2;f.seek(o);b=f.read(1);f.seek(o);f.write(bytes([b[0]^0x55]))"; }
case $mode in
  logtrunc:*) s=$(stat -c %s $newlog); truncate -s $((s-arg)) $newlog; what="$(basename $newlog) $s -> $(stat -c %s $newlog)";;
  logflipmid) s=$(stat -c %s $newlog); flip $newlog $((s/2)); what="$(basename $newlog) ($s bytes) byte $((s/2))";;
  logflip:*) s=$(stat -c %s $newlog); o=$((s*arg/100)); flip $newlog $o; what="$(basename $newlog) ($s bytes) byte $o";;
  ldbflip) s=$(stat -c %s $bigldb); flip $bigldb $((s/2)); what="$(basename $bigldb) ($s bytes) byte $((s/2))";;
  ldbflip:*) s=$(stat -c %s $bigldb); for k in $(seq 1 $arg); do o=$((s*k/(arg+1))); for j in 0 1 2 3; do flip $bigldb $((o+j)); done; done; what="$(basename $bigldb) ($s bytes) $arg places";;
  ldbdel) what="deleted $(basename $bigldb) ($(stat -c %s $bigldb) bytes)"; rm $bigldb;;
  manifestflip) s=$(stat -c %s $man); flip $man $((s/2)); what="$(basename $man) ($s bytes) byte $((s/2))";;
  manifesttrunc:*) s=$(stat -c %s $man); truncate -s $((s-arg)) $man; what="$(basename $man) $s -> $(stat -c %s $man)";;
  nocurrent) rm $M/CURRENT; what="deleted CURRENT";;
esac
echo "== $(date +%T) node $id mode $mode: $what; meta files: $(ls $M | wc -l)"
L0=$(wc -l < $log); t0=$(date +%s.%N); out=$($C start $id --dir $D 2>&1 | tail -1); echo "   start: $out"
pid=$(npid $id); ok=$(wait_ready $id 120 $pid)
echo "   ready=$ok in $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5)s; meta files now: $(ls $M | wc -l)"
tail -n +$((L0+1)) $log | grep -v '"debug"' | grep -E '"warn"|"error"|node started|restored|torn|corrupt|refus|stops|Error|Corruption' | cut -c1-600 | head -8 | sed 's/^/   log: /'
tail -n +$((L0+1)) $log | grep -v '^{' | head -5 | cut -c1-600 | sed 's/^/   stderr: /'
[ $ok = EXITED ] && { sleep 3; echo "   still exited after 3 s? $(kill -0 $pid 2>/dev/null && echo no-running || echo yes)"; }
