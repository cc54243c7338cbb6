#!/bin/bash
# R2: one flipped byte in a follower's newest LevelDB .log (the catalog's own write-ahead log): LevelDB drops the
# damaged records ("(ignoring error) ... dropping N bytes; Corruption: checksum mismatch" in meta/LOG) and the node
# starts READY with the applied index of a later batch, serving a catalog that lacks the dropped batches' changes.
# Tries flips at several offsets (each on the same undamaged copy; no writes happen meanwhile); ports 57500-57803.
set -u; R=${R:-/tmp/s34-adv/repo}; C="node $R/dist/scripts/cluster.js"; D=/tmp/s34-adv/r2; H=/tmp/s34-adv/report
$C down --dir $D --wipe >/dev/null 2>&1
$C up --dir $D --base-port 57500 --gc-confirm-delay-ms 2000 | head -1
node $H/mk.mjs 127.0.0.1:57501,127.0.0.1:57502,127.0.0.1:57503 1000
node $H/writer.mjs $D $D/w.ops 4 > $D/writer.out 2>&1 & WP=$!
sleep 12; touch $D/w.ops.stop; wait $WP; tail -1 $D/writer.out; sleep 2
L=$(node -e "const c=require('$D/cluster.json');Promise.all(c.nodes.map(n=>fetch('http://'+n.metrics+'/readyz').then(r=>r.json()).catch(()=>({})))).then(a=>console.log(a.find(x=>x.role==='Leader')?.id??0))")
F=$(( L % 3 + 1 )); $C kill $F --wait --dir $D >/dev/null; rm -rf $D/saved; cp -a $D/node-$F $D/saved
for P in 15 30 45 60 75 90; do
  rm -rf $D/node-$F; cp -a $D/saved $D/node-$F; M=$D/node-$F/meta; log=$M/$(ls $M | grep '\.log$' | sort | tail -1); s=$(stat -c %s $log); o=$((s*P/100))
  python3 -c "f=open('$log','r+b');f.seek($o);b=f.read(1);f.seek($o);f.write(bytes([b[0]^0x55]))"
  $C start $F --dir $D >/dev/null; pid=$(node -e "console.log(require('$D/cluster.json').nodes.find(n=>n.id==$F).pid)"); st=no
  for i in $(seq 1 200); do [ "$(curl -s -o /dev/null -w '%{http_code}' -m 1 http://127.0.0.1:$((57700+F))/readyz)" = 200 ] && { st=READY; break; }; kill -0 $pid 2>/dev/null || { st=REFUSED; break; }; sleep 0.1; done
  echo "flip at $P% of $(basename $log) ($s bytes): $st; LevelDB: $(grep -c 'ignoring error' $M/LOG) records dropped; $( [ $st = READY ] && node $H/repro/cmp-names.mjs 127.0.0.1:$((57500+F)) 127.0.0.1:$((57500+L)) || grep -v '^{' $D/node-$F.log | tail -1 | cut -c1-160)"
  [ $st = READY ] && echo "   /readyz: $(curl -s http://127.0.0.1:$((57700+F))/readyz)"
  $C kill $F --wait --dir $D >/dev/null 2>&1
done
$C down --dir $D >/dev/null
