#!/bin/bash
# Review repro (s35-rev): a second process of the same member (its exact command line, as a supervisor
# restarting a node that has not exited yet would run it) while the member runs under write load.
# Before 6ff244b it always failed on LevelDB's LOCK ("Is another process using this data directory?");
# now the table check runs first, against a catalog LevelDB is compacting, and some starts get a damage
# verdict with CORRUPT_MEMBER_RECOVERY (remove the member, wipe, re-add).
D=${D:-/tmp/s35-rev/cl}; R=${R:-/tmp/s35-rev/repo}; ID=${ID:-2}; N=${N:-60}
PID=$(node -e "console.log(require('$D/cluster.json').nodes.find(n=>n.id==$ID).pid)")
mapfile -d '' ARGS < /proc/$PID/cmdline
node /tmp/s35-rev/b/alter.mjs $D 300 30000 > /tmp/s35-rev/repro/dup-alter.out 2>&1 & LOAD=$!
sleep 3
locked=0; damage=0; other=0; port=0
for i in $(seq 1 $N); do
  out=$(cd $R && timeout 60 "${ARGS[@]}" 2>&1 | grep -a "rootcoord:" | tail -1)
  if grep -q "Is another process" <<<"$out"; then locked=$((locked+1))
  elif grep -q "must not start on it" <<<"$out"; then damage=$((damage+1)); [ $damage -le 2 ] && echo "DAMAGE VERDICT: ${out:0:400}"
  elif grep -q "port is taken" <<<"$out"; then port=$((port+1))
  else other=$((other+1)); echo "OTHER: ${out:0:300}"; fi
done
kill $LOAD; wait $LOAD 2>/dev/null
echo "second process of node $ID, $N tries: locked (right) $locked, damage verdict $damage, port taken $port, other $other"
