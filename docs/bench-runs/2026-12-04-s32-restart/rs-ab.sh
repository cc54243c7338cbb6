#!/bin/bash
# rs-ab.sh A B NODE PAIRS: alternate rs.sh restarts of NODE with builds A and B (A first on odd pairs); rs.sh is session 24's
A=$1; B=$2; N=$3; P=$4
RS="$(dirname "$0")/../2026-12-03-s24-restart/rs.sh"
for i in $(seq 1 $P); do
  if [ $((i % 2)) -eq 1 ]; then "$RS" $A /tmp/s32-c $N; "$RS" $B /tmp/s32-c $N; else "$RS" $B /tmp/s32-c $N; "$RS" $A /tmp/s32-c $N; fi
done
