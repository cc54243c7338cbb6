#!/bin/bash
# overload-ab.sh BUILD: fresh cluster, scripts/overload 500 clients 30 s, CPU per node and fsyncs
B=$1; D=/tmp/s30-ovl
cd $B && node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1; rm -rf $D
node dist/scripts/cluster.js up --dir $D --base-port 56800 >/dev/null 2>&1 || { echo up failed; exit 1; }
PIDS=$(python3 -c "import json;c=json.load(open('$D/cluster.json'));print(' '.join(str(x['pid']) for x in c['nodes']))")
cpu() { for p in $PIDS; do awk '{print $14+$15}' /proc/$p/stat; done | paste -sd' '; }
C0=$(cpu)
node dist/scripts/overload.js --dir $D --clients 500 --seconds 30 > $D.out 2>&1
C1=$(cpu)
python3 -c "
import json,os
t=os.sysconf('SC_CLK_TCK'); a=[int(x) for x in '$C0'.split()]; b=[int(x) for x in '$C1'.split()]
r=json.load(open('$D.out'))
cc=r.get('CreateCollection',r.get('methods',{}).get('CreateCollection'))
print(json.dumps({k:(v if k!='reasons' else None) for k,v in r.items()})[:600])
print('cpu s per node', [round((y-x)/t,1) for x,y in zip(a,b)])"
node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1
