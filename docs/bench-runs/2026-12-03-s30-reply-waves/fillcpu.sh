#!/bin/bash
# [AFTER=cmd] fillcpu.sh BUILD N: a fresh 3-node cluster of BUILD, a 64-client fill of N collections; CPU seconds of each node process during the fill (leader first)
B=$1; N=$2; D=/tmp/s30-fillcpu
cd $B && node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1; rm -rf $D
node dist/scripts/cluster.js up --dir $D --base-port 56700 --limit maxCollectionNum=205000 --limit maxCollectionNumPerDB=65536 --limit maxGeneralCapacity=820000 >/dev/null 2>&1 || { echo up failed; exit 1; }
sed "s#/work/main/dist#$B/dist#g" /work/main/docs/bench-runs/2026-12-02-s18-initial-old-space/fill.mjs > $D.fill.mjs
sed -i "s#56100#56700#" $D.fill.mjs
L=$(python3 -c "
import json,urllib.request
c=json.load(open('$D/cluster.json'))
for i,n in enumerate(c['nodes']):
  t=urllib.request.urlopen('http://'+n['metrics']+'/metrics').read().decode()
  if '\nrootcoord_raft_is_leader 1' in t: print(i)
")
PIDS=$(python3 -c "import json;c=json.load(open('$D/cluster.json'));n=c['nodes'];L=$L;print(' '.join(str(x['pid']) for x in [n[L]]+[m for i,m in enumerate(n) if i!=L]))")
cpu() { for p in $PIDS; do awk '{print $14+$15}' /proc/$p/stat; done | paste -sd' '; }
C0=$(cpu); T0=$(date +%s.%N)
node $D.fill.mjs $D $N 0 > $D.fill.log 2>&1
C1=$(cpu); T1=$(date +%s.%N)
python3 -c "
import os
t=os.sysconf('SC_CLK_TCK'); a=[int(x) for x in '$C0'.split()]; b=[int(x) for x in '$C1'.split()]
d=[(y-x)/t for x,y in zip(a,b)]
print('$(tail -1 $D.fill.log)', '| cpu s leader %.1f followers %.1f %.1f | sum %.1f | wall %.1f' % (d[0],d[1],d[2],sum(d), $T1-$T0))"
python3 -c "
import json,urllib.request,re
c=json.load(open('$D/cluster.json'))
out=[]
for i,n in enumerate(c['nodes']):
  t=urllib.request.urlopen('http://'+n['metrics']+'/metrics').read().decode()
  g=lambda k: (re.search('^'+k+' ([0-9.e+]+)', t, re.M) or [0,'nan'])[1]
  out.append('n%d%s fsyncs %s applies %s' % (i+1, '*' if '\nrootcoord_raft_is_leader 1' in t else '', g('rootcoord_disk_wal_fsync_duration_seconds_count'), g('rootcoord_raft_apply_duration_seconds_count')))
print('   ', ' | '.join(out))
"
# AFTER: a command run with the cluster still up (session 31: AFTER='python3 .../nodemetrics.py $D' for the GC counts of --trace-gc)
[ -n "${AFTER:-}" ] && eval "$AFTER"
node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1
