#!/bin/bash
# F2: the last Entry record of a stopped follower's newest WAL segment cut in half (a lost tail of fsynced writes):
# the start truncates it as a "torn write" (and fsyncs the truncation), then the Raft worker dies on
# "config.applied N is past the last index N-1" (a bare assertion with a stack, no hint of the cause or of
# what to do; cf. the clear "corrupt raft log ... remove the member and add it back" message for a flip
# mid-segment). The truncation is durable, so every later start fails the same way. Same for trunc:K of
# any size that cuts records the catalog had applied (kill -9 + truncate -s -3000).
set -u
W=/work/wt/adv; C="node $W/dist/scripts/cluster.js"; D=/tmp/s33-adv/repro/f2-cl
$C down --dir $D --wipe >/dev/null 2>&1; rm -rf $D
$C up --dir $D --base-port 42500 | head -1
node /tmp/s33-adv/repro/mk.mjs 127.0.0.1:42501,127.0.0.1:42502,127.0.0.1:42503 100
leader=$(for i in 1 2 3; do curl -s http://127.0.0.1:$((42700+i))/readyz | grep -q '"role":"Leader"' && echo $i; done)
f=$(( leader % 3 + 1 )); sleep 1; $C kill $f --wait --dir $D
R=$D/node-$f/raft; wal=$R/$(ls $R | grep '^wal-' | sort | tail -1); sz=$(stat -c %s $wal)
# cut the file inside its last Entry record (type 1): what a lost tail of fsynced writes (or a flipped byte in the
# last record followed only by a torn write) leaves; records: [u32 len][u32 crc][u8 type][payload]
python3 - "$wal" <<'PY'
import sys, struct
p = sys.argv[1]; d = open(p, 'rb').read(); o = 0; last = None
while o + 9 <= len(d):
    n, _, t = struct.unpack_from('<IIB', d, o)
    if o + 9 + n > len(d): break
    if t == 1: last = (o, n)
    o += 9 + n
o, n = last; cut = o + 9 + n // 2
open(p, 'r+b').truncate(cut); print(f"cut {p} at {cut} (inside its last entry record at {o}, {n} bytes of payload; was {len(d)} bytes)")
PY
for attempt in 1 2; do
  L0=$(wc -l < $D/node-$f.log); $C start $f --dir $D >/dev/null; sleep 5
  echo "start $attempt of node $f: readyz HTTP $(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$((42700+f))/readyz)"
  tail -n +$((L0+1)) $D/node-$f.log | grep -v '"debug"' | grep -v '^    at' | cut -c1-300 | head -5
done
$C down --dir $D >/dev/null
