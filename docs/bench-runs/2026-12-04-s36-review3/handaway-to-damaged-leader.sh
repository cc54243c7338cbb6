#!/bin/bash
# Leader 1 is the damaged replica: both followers (2, 3) recorded a difference against leader 1
# (REPLICA_DIVERGED, leader: 1). The operator moves leadership off node 1 (README: every follower
# differing points at the leader). handAwayIfDiverged on node 2 hands it straight back to node 1
# (voters.find(id !== self) = the lowest other id = the damaged leader its own record names).
C="node dist/scripts/cluster.js"; D=/tmp/s36-rev3/c1
for n in 2 3; do
  $C kill $n --signal TERM --wait --dir $D
  echo '{"index":5,"leader":1,"digest":"aa","leaderDigest":"bb","at":1}' > $D/node-$n/REPLICA_DIVERGED
  $C start $n --dir $D
done
sleep 2
$C status --dir $D | head -5
$C transfer 2 --dir $D
sleep 3
$C status --dir $D | head -5
grep -h "hands leadership\|raft role changed" $D/node-2.log | tail -3 | cut -c1-260
