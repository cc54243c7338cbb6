#!/bin/bash
# rs-ab.sh A B NODE PAIRS: alternate rs.sh restarts of NODE with builds A and B (B first on odd pairs)
A=$1; B=$2; N=$3; P=$4
for i in $(seq 1 $P); do
  if [ $((i % 2)) -eq 1 ]; then /tmp/s32/rs.sh $A /tmp/s32-c $N; /tmp/s32/rs.sh $B /tmp/s32-c $N; else /tmp/s32/rs.sh $B /tmp/s32-c $N; /tmp/s32/rs.sh $A /tmp/s32-c $N; fi
done
