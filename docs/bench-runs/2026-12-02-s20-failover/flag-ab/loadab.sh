#!/usr/bin/env bash
# alternating full --load runs (flood shortened): hg50 (default) vs base (V8 dynamic)
cd /work/main
for i in 1 2 3 4 5; do
  for tag in base hg50; do
    if [ $tag = base ]; then export ROOTCOORD_NODE_FLAGS=--heap-growing-percent=0; else unset ROOTCOORD_NODE_FLAGS; fi
    node --enable-source-maps dist/scripts/bench.js --load --flood-seconds 2 --out /tmp/s20/load-$tag-$i > /tmp/s20/load-$tag-$i.log 2>&1
    echo "$tag $i $(date +%T) $(node -e "const r=require('/tmp/s20/load-$tag-$i/results.json');console.log(r.kill.toFirstCreateCollectionMs, r.kill.toFirstAllocTimestampMs, 'killRises', r.kill.termRises, 'loadRises', r.load.termRises)")"
  done
done
