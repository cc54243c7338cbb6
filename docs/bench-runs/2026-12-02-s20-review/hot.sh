#!/usr/bin/env bash
for i in 3; do for tag in old new; do
  if [ $tag = old ]; then d=/work/wt/old; else d=/work/main; fi
  (cd $d && node --enable-source-maps dist/scripts/bench.js --cold --quick --no-profile --out /tmp/s20/hot-$tag-$i > /tmp/s20/hot-$tag-$i.log 2>&1)
  echo "$tag $i $(grep -h 'C warm' /tmp/s20/hot-$tag-$i.log | sed 's/.*block of 250: //' | cut -c1-160)"
done; done
