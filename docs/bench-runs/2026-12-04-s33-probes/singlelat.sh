#!/bin/bash
# singlelat.sh NICE: fresh cluster (base 55700); followers' request threads at NICE (0: untouched); single-client CreatePartition p50
NICE=$1; D=/tmp/s33-sl
cd /work/main && node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1; rm -rf $D
node dist/scripts/cluster.js up --dir $D --base-port 55700 >/dev/null 2>&1 || { echo up failed; exit 1; }
L=$(python3 -c "
import json,urllib.request
c=json.load(open('$D/cluster.json'))
for i,n in enumerate(c['nodes']):
  t=urllib.request.urlopen('http://'+n['metrics']+'/metrics').read().decode()
  if '\nrootcoord_raft_is_leader 1' in t: print(i)
")
FOLLOWERS=$(python3 -c "import json;c=json.load(open('$D/cluster.json'));print(' '.join(str(x['pid']) for i,x in enumerate(c['nodes']) if i!=$L))")
[ "$NICE" != 0 ] && for p in $FOLLOWERS; do renice -n $NICE -p $p >/dev/null; done
echo "nice $NICE $(node /tmp/s33/single.mjs $D 2500 2000)"
node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1
