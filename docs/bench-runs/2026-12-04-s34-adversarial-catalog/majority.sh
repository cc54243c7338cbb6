#!/bin/bash
# majority.sh OPSFILE ID:MODE [ID:MODE...] : with a writer (writer.mjs D OPSFILE) running: kill -9 every node at once,
# stop the writer, save every node's data dir, damage the named nodes' raft dirs per MODE, start all, wait up to 90 s
# for a leader and for each node's /readyz, print their logs' warnings/errors, then run check.mjs on the ops.
# MODE: trunc:N (cut N bytes off the newest WAL segment), flipmid (flip a byte in the middle of the newest WAL segment),
#       flipold (flip a byte in the middle of the oldest WAL segment), snapflip (flip a byte near the end of the newest .snap),
#       snaptrunc:N, snapdel
. /tmp/s34-adv/report/common.sh
ops=$1; shift
ids=$(node -e "console.log(require('$D/cluster.json').nodes.map(n=>n.id).join(' '))")
pids=$(for i in $ids; do npid $i; done); kill -9 $pids; for p in $pids; do while kill -0 $p 2>/dev/null; do sleep 0.05; done; done
echo "$(date +%T) killed all ($pids) at once"
touch $ops.stop; sleep 2
S=/tmp/s34-adv/saved/maj-$(basename $ops); rm -rf $S; mkdir -p $S; for i in $ids; do cp -a $D/node-$i $S/; done
flip() { python3 -c "f=open('$1','r+b');o=$2;f.seek(o);b=f.read(1);f.seek(o);f.write(bytes([b[0]^0x10]))"; }
for spec in "$@"; do id=${spec%%:*}; mode=${spec#*:}; arg=${mode#*:}; RD=$D/node-$id/raft
  wal=$RD/$(ls $RD | grep '^wal-' | sort | tail -1); old=$RD/$(ls $RD | grep '^wal-' | sort | head -1); snap=$RD/$(ls $RD | grep '\.snap$' | sort | tail -1); sz=$(stat -c %s $wal)
  case $mode in
    trunc:*) truncate -s $((sz-arg)) $wal; w="$(basename $wal) $sz -> $(stat -c %s $wal)";;
    flipmid) flip $wal $((sz/2)); w="$(basename $wal) ($sz) byte $((sz/2))";;
    flipold) s=$(stat -c %s $old); flip $old $((s/2)); w="$(basename $old) ($s) byte $((s/2))";;
    snapflip) s=$(stat -c %s $snap); flip $snap $((s-3)); w="$(basename $snap) ($s) byte $((s-3))";;
    snaptrunc:*) s=$(stat -c %s $snap); truncate -s $((s-arg)) $snap; w="$(basename $snap) $s -> $(stat -c %s $snap)";;
    snapdel) rm $snap; w="deleted $(basename $snap)";;
  esac; echo "   node $id $mode: $w; raft dir: $(ls $RD | tr '\n' ' ')"; done
declare -A L0; for i in $ids; do L0[$i]=$(wc -l < $D/node-$i.log); done
for i in $ids; do echo "   start $i: $($C start $i --dir $D 2>&1 | tail -1)"; done
for w in $(seq 1 90); do l=$(leader); [ "$l" != 0 ] && break; sleep 1; done; echo "   leader: $l after ${w}s"
sleep 5; for i in $ids; do echo "   node $i: readyz $(readyz $i) alive $(kill -0 $(npid $i) 2>/dev/null && echo yes || echo no)"
  tail -n +$((${L0[$i]}+1)) $D/node-$i.log | grep -v '"debug"' | grep -E '"warn"|"error"|node started|torn|corrupt|refus|LogLost|became|role changed' | cut -c1-500 | head -8 | sed 's/^/      /'
  tail -n +$((${L0[$i]}+1)) $D/node-$i.log | grep -v '^{' | head -3 | cut -c1-500 | sed 's/^/      stderr: /'; done
echo "   terms: $(terms)"
node $H/check.mjs $D $ops 2>&1 | tail -12 | sed 's/^/   check: /'
