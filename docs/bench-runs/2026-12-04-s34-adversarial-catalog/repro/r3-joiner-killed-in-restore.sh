#!/bin/bash
# R3: a joining member killed -9 while it restores the catalog copy it received cannot start again: its half-written
# catalog is loaded (and refused as corrupt) before Raft would restore the complete snapshot it holds; `add` waits on.
# Usage: r3-joiner-killed-in-restore.sh [N] [SECS]: killed SECS (default 2.5) after its snapshot file appears (the restore took
# 3.5 s at 30,000 collections; at 200,000 it took 35 s and a kill 8 s in did it). Too early a kill is recovered (nothing but a prefix written).
# 3 nodes, N collections (default 30,000: the restore must last over a second), ports 57500-57803, /tmp/s34-adv/r3.
set -u; R=${R:-/tmp/s34-adv/repo}; C="node $R/dist/scripts/cluster.js"; D=/tmp/s34-adv/r3; H=/tmp/s34-adv/report; N=${1:-30000}
$C down --dir $D --wipe >/dev/null 2>&1
$C up --dir $D --base-port 57500 --gc-confirm-delay-ms 2000 --limit maxCollectionNum=1000000 --limit maxCollectionNumPerDB=1000000 --limit maxGeneralCapacity=10000000 | head -1
node $H/fill.mjs $D $N | tail -1
$C add --dir $D > $D/add.out 2>&1 & AP=$!
RD=$D/node-4/raft
for i in $(seq 1 3000); do ls $RD 2>/dev/null | grep -q '\.snap$' && ! grep -q 'restored from a snapshot' $D/node-4.log && break; sleep 0.05; done
sleep ${2:-2.5}
echo "restoring: raft dir $(ls $RD | tr '\n' ' '); meta $(du -sk $D/node-4/meta | cut -f1) kB; restored yet: $(grep -c 'restored from a snapshot' $D/node-4.log)"
P=$(node -e "console.log(require('$D/cluster.json').nodes.find(n=>n.id==4).pid)"); kill -9 $P; while kill -0 $P 2>/dev/null; do sleep 0.05; done; echo "killed node 4 (pid $P)"
sleep 0.5; $C start 4 --dir $D | tail -1; sleep 15
echo "node 4 /readyz: $(curl -s -m 2 http://127.0.0.1:57704/readyz || echo DOWN)"
grep -v '^{' $D/node-4.log | head -2 | cut -c1-400
kill $AP 2>/dev/null; echo "add (still waiting, stopped): $(tail -1 $D/add.out)"
$C down --dir $D >/dev/null
