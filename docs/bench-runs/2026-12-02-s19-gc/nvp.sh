#!/bin/bash
# nvp.sh NAME BUILD N [FLAGS] : fresh 3-node cluster of BUILD with --trace-gc-nvp (and FLAGS), 64-client fill of N, RSS and CPU s per node; then nvp.py on a node log
HERE=$(cd "$(dirname "$0")" && pwd)
NAME=$1; B=$2; N=$3; shift 3; D=/tmp/nvp-$NAME
cd $B && scripts/cluster down --dir $D >/dev/null 2>&1; rm -rf $D
ROOTCOORD_NODE_FLAGS="--trace-gc-nvp $*" scripts/cluster up --dir $D --base-port 56100 --limit maxCollectionNum=205000 --limit maxCollectionNumPerDB=65536 --limit maxGeneralCapacity=820000 >/dev/null 2>&1 || { echo up failed; exit 1; }
PIDS=$(python3 -c "import json;print(' '.join(str(n['pid']) for n in json.load(open('$D/cluster.json'))['nodes']))")
cpu() { for p in $PIDS; do awk '{printf "%d ", $14+$15}' /proc/$p/stat; done; }
sed "s#/work/main/dist#$B/dist#g" $HERE/../2026-12-02-s18-initial-old-space/fill.mjs > $D.fill.mjs
C0=$(cpu); node $D.fill.mjs $D $N 0 > $D.fill.log 2>&1; C1=$(cpu)
L=$(for i in 1 2 3; do curl -s 127.0.0.1:5630$i/metrics | grep -q '^rootcoord_raft_is_leader 1' && echo $i; done)
LAG=$(curl -s 127.0.0.1:5630$L/metrics | grep -E '^nodejs_eventloop_lag_(p99|max)_seconds' | awk '{printf "%s=%.0fms ", $1, $2*1000}')
RSS=$(for p in $PIDS; do awk "/VmRSS/{printf \"%d \", \$2/1024}" /proc/$p/status; done)
echo "$NAME: rss MB $RSS; $(tail -1 $D.fill.log); leader node-$L; cpu s per node: $(python3 -c "a='$C0'.split();b='$C1'.split();print(' '.join(str((int(y)-int(x))/100) for x,y in zip(a,b)))")"
scripts/cluster down --dir $D >/dev/null 2>&1
echo logs in $D
