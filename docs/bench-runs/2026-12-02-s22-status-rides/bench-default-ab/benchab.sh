#!/bin/bash
for i in 1 2 3; do
  for arm in A B; do
    R=/work/main; [ $arm = A ] && R=/work/wt/base
    (cd $R && timeout 600 node dist/scripts/bench.js --out /tmp/s22/bab-$arm-$i > /tmp/s22/bab-$arm-$i.log 2>&1)
    echo "$arm $i $(grep -E 'against etcd put via gRPC|^CPU per|rootcoord CreatePartition' /tmp/s22/bab-$arm-$i/RESULTS.md | tr '\n' ' ' | cut -c1-400)"
  done
done
