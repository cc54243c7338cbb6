#!/bin/bash
# lagload.sh INFLIGHT SECONDS: fresh cluster (base 55700) with maxInflightRequests=INFLIGHT; overload.js 500 clients; served codes and each node's lag p99 / p99.9 / samples over 100 ms
INF=$1; SEC=$2; D=/tmp/s33-ll
cd /work/main && node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1; rm -rf $D
node dist/scripts/cluster.js up --dir $D --base-port 55700 --limit maxCollectionNum=1000000 --limit maxCollectionNumPerDB=1000000 --limit maxGeneralCapacity=10000000 --limit maxInflightRequests=$INF >/dev/null 2>&1 || { echo up failed; exit 1; }
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
sleep 2; S0=$(snap)
node dist/scripts/overload.js --dir $D --clients 500 --seconds $SEC --retry-budget-ms 0 > $D.out.json 2>&1
S1=$(snap)
python3 - "$S0" "$S1" "$D.out.json" "$INF" <<'PY'
import json,sys
a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); res=[]
o=json.load(open(sys.argv[3]))
for (i,lead,b0),(_,_,b1) in zip(a,b):
  d=[(le,c1-c0) for (le,c0),(_,c1) in zip(b0,b1)]; tot=d[-1][1]
  p99=next(le for le,c in d if c>=0.99*tot); over100=tot-next(c for le,c in d if le>=0.1)
  p999=next(le for le,c in d if c>=0.999*tot)
  res.append('n%d%s p99<=%g p99.9<=%g >100ms:%d' % (i+1,'*' if lead else '',p99*1000,p999*1000,over100))
def codes(k):
  x=o.get(k) or o.get('methods',{}).get(k) or {}
  return json.dumps(x.get('codes', x))[:80]
print('inflight',sys.argv[4],'|',' | '.join(res),'|', json.dumps({k:(v.get('codes') if isinstance(v,dict) else v) for k,v in o.items() if isinstance(v,dict) and 'codes' in v})[:300])
PY
node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1
