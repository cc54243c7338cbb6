#!/bin/bash
# corrupt.sh ID MODE : kill -9 node ID, damage its newest WAL segment / snapshot per MODE, start it, wait ready or exit (60 s).
# MODE: trunc:N (cut N bytes off the newest WAL), flipmid (flip a byte at the middle of the newest WAL), fliplast:N (flip byte N bytes before the end),
#       zero:N (zero the last N bytes), garbage:N (append N random bytes), snapflip (flip a byte in the newest .snap), snapdel (delete newest .snap), snaptrunc:N
C="node /work/wt/adv/dist/scripts/cluster.js"; D=/tmp/s33-adv/cl; id=$1; mode=$2; p=$((42200+id)); R=$D/node-$id/raft; log=$D/node-$id.log
$C kill $id --wait --dir $D >/dev/null
wal=$R/$(ls $R | grep '^wal-' | sort | tail -1); snap=$R/$(ls $R | grep '\.snap$' | sort | tail -1)
sz=$(stat -c %s $wal); arg=${mode#*:}
B=/tmp/s33-adv/saved/n$id-${mode/:/_}-before; rm -rf $B; cp -a $D/node-$id $B
case $mode in
  trunc:*) truncate -s $((sz-arg)) $wal;;
  flipmid) python3 -c "import sys;f=open('$wal','r+b');f.seek($sz//2);b=f.read(1);f.seek($sz//2);f.write(bytes([b[0]^0xff]))";;
  fliplast:*) python3 -c "import sys;f=open('$wal','r+b');o=$sz-$arg;f.seek(o);b=f.read(1);f.seek(o);f.write(bytes([b[0]^0x55]))";;
  zero:*) python3 -c "f=open('$wal','r+b');f.seek($sz-$arg);f.write(bytes($arg))";;
  garbage:*) head -c $arg /dev/urandom >> $wal;;
  snapflip) s=$(stat -c %s $snap); python3 -c "f=open('$snap','r+b');o=$s-3;f.seek(o);b=f.read(1);f.seek(o);f.write(bytes([b[0]^0x55]))";;
  snapdel) rm $snap;;
  snaptrunc:*) s=$(stat -c %s $snap); truncate -s $((s-arg)) $snap;;
esac
echo "== node $id mode $mode: wal $(basename $wal) $sz -> $(stat -c %s $wal); snap $(basename $snap)"
L0=$(wc -l < $log); t0=$(date +%s.%N); $C start $id --dir $D >/dev/null; pid=$(node -e "const c=require('$D/cluster.json');console.log(c.nodes.find(n=>n.id==$id).pid)"); ok=no
for w in $(seq 1 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -m 1 http://127.0.0.1:$p/readyz)" = 200 ] && { ok=yes; break; }
  kill -0 $pid 2>/dev/null || { ok=EXITED; break; }; sleep 0.1; done
echo "   ready=$ok in $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5)s"
tail -n +$((L0+1)) $log | grep -v '"debug"' | grep -E '"warn"|"error"|node started|restored|torn|corrupt|refus|stops' | cut -c1-500 | head -12
if [ $ok = EXITED ] && [ "$RESTORE" = 1 ]; then tail -n +$((L0+1)) $log | grep -v '^{' | head -3; rm -rf $D/node-$id; cp -a $B $D/node-$id; $C start $id --dir $D >/dev/null
  for w in $(seq 1 300); do [ "$(curl -s -o /dev/null -w '%{http_code}' -m 1 http://127.0.0.1:$p/readyz)" = 200 ] && { echo "   restored undamaged copy: ready"; break; }; sleep 0.2; done; fi
