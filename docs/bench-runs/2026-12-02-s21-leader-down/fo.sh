#!/usr/bin/env bash
# alternating failover-only runs: base (/work/wt/base, db25cba) vs new (/work/main working tree)
for i in $(seq ${FROM:-1} ${N:-3}); do
  for tag in base new; do
    if [ $tag = base ]; then d=/work/wt/base; else d=/work/main; fi
    (cd $d && node --enable-source-maps dist/scripts/bench.js --load --parts load --seconds 20 --out /tmp/s21/fo-$tag-$i > /tmp/s21/fo-$tag-$i.log 2>&1)
    echo "$tag $i $(date +%T) $(node -e "const r=require('/tmp/s21/fo-$tag-$i/results.json');console.log(r.kill.toFirstCreateCollectionMs, r.kill.toFirstAllocTimestampMs, 'killRises', r.kill.termRises, 'loadRises', r.load.termRises, 'okPerSec', r.load.CreateCollection.okPerSec, r.load.AllocTimestamp.okPerSec, 'killOk', r.kill.CreateCollection.okPerSec)")"
  done
done
