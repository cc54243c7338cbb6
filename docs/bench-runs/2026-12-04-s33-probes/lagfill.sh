#!/bin/bash
# lagfill.sh N NICE: fresh cluster (base 55700); followers' request threads reniced to NICE (0: untouched); 64-client fill of N; rate and each node's lag p99 bucket and max-ish
N=$1; NICE=$2; D=/tmp/s33-lf
cd /work/main && node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1; rm -rf $D
node dist/scripts/cluster.js up --dir $D --base-port 55700 --limit maxCollectionNum=205000 --limit maxCollectionNumPerDB=65536 --limit maxGeneralCapacity=820000 >/dev/null 2>&1 || { echo up failed; exit 1; }
sed "s#56100#55700#" /work/main/docs/bench-runs/2026-12-02-s18-initial-old-space/fill.mjs > $D.fill.mjs
L=$(python3 -c "
import json,urllib.request
c=json.load(open('$D/cluster.json'))
for i,n in enumerate(c['nodes']):
  t=urllib.request.urlopen('http://'+n['metrics']+'/metrics').read().decode()
  if '\nrootcoord_raft_is_leader 1' in t: print(i)
")
FOLLOWERS=$(python3 -c "import json;c=json.load(open('$D/cluster.json'));print(' '.join(str(x['pid']) for i,x in enumerate(c['nodes']) if i!=$L))")
[ "$NICE" != 0 ] && for p in $FOLLOWERS; do renice -n $NICE -p $p >/dev/null; done
snap() { python3 - "$D" <<'PY'
import json,sys,urllib.request,re
D=sys.argv[1]; c=json.load(open(D+'/cluster.json')); out=[]
for i,n in enumerate(c['nodes']):
  t=urllib.request.urlopen('http://'+n['metrics']+'/metrics').read().decode()
  b=[(float(m.group(1)) if m.group(1)!='+Inf' else 1e9, float(m.group(2))) for m in re.finditer(r'^rootcoord_eventloop_delay_seconds_bucket\{le="([^"]+)"\} ([0-9.e+]+)', t, re.M)]
  out.append([i, '\nrootcoord_raft_is_leader 1' in t, b])
print(json.dumps(out))
PY
}
S0=$(snap)
node $D.fill.mjs $D $N 0 > $D.fill.log 2>&1
S1=$(snap)
python3 - "$S0" "$S1" "$(tail -1 $D.fill.log)" "$NICE" <<'PY'
import json,sys
a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); res=[]
for (i,lead,b0),(_,_,b1) in zip(a,b):
  d=[(le,c1-c0) for (le,c0),(_,c1) in zip(b0,b1)]; tot=d[-1][1]
  p99=next(le for le,c in d if c>=0.99*tot); over100=tot-next(c for le,c in d if le>=0.1)
  p999=next(le for le,c in d if c>=0.999*tot)
  res.append('n%d%s p99<=%gms p99.9<=%gms >100ms:%d' % (i+1,'*' if lead else '',p99*1000,p999*1000,over100))
print('nice',sys.argv[4],'|',sys.argv[3],'|',' | '.join(res))
PY
node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1
