#!/bin/bash
cd /work/main
for i in 1 2 3; do
  for arm in A B; do
    if [ $arm = B ]; then export EXTRA_LIMITS='ddlLatencyTargetMs=250'; else export EXTRA_LIMITS=''; fi
    node dist/scripts/bench.js --load --parts load --seconds 20 --out /tmp/s22/ddl-$arm-$i > /tmp/s22/ddl-$arm-$i.log 2>&1
    python3 - <<PY
import json
r=json.load(open('/tmp/s22/ddl-$arm-$i/results.json'))
L=r.get('load',r)
def find(d,k):
  if isinstance(d,dict):
    if k in d: return d[k]
    for v in d.values():
      x=find(v,k)
      if x is not None: return x
  return None
st=r['load']; k=r['kill']
cc=st['CreateCollection']; kc=k['CreateCollection']
print('$arm $i', 'toFirstCreate', k['toFirstCreateCollectionMs'], 'steady create ok/s', cc['okPerSec'], 'p50', cc['ok']['p50Ms'], 'p99', cc['ok']['p99Ms'], '| tso ok/s', st['AllocTimestamp']['okPerSec'], '| after kill create ok/s', kc['okPerSec'], 'p99', kc['ok']['p99Ms'], 'terms', k['termRises'])
PY
  done
done
