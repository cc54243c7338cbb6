#!/bin/bash
# upab.sh PAIRS: alternating `cluster up` of an empty 3-node cluster, base (/work/wt/base) and main (/work/main); wall s to up, CPU s per node at up
for i in $(seq 1 $1); do for B in base main; do
  R=/work/wt/base; [ $B = main ] && R=/work/main
  D=/tmp/s31-up; cd $R; node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1; rm -rf $D
  T0=$(date +%s.%N); node dist/scripts/cluster.js up --dir $D --base-port 56900 >/dev/null 2>&1 || echo up failed; T1=$(date +%s.%N)
  C=$(python3 -c "
import json,os
c=json.load(open('$D/cluster.json')); t=os.sysconf('SC_CLK_TCK')
print(' '.join('%.2f'%((lambda f:(int(f[13])+int(f[14]))/t)(open('/proc/%d/stat'%n['pid']).read().split(')')[1].split()[-0:] and ['x','x']+open('/proc/%d/stat'%n['pid']).read().split(')')[1].split())) for n in c['nodes']))")
  echo "$B up $(python3 -c "print('%.2f'%($T1-$T0))") s, cpu $C"
  node dist/scripts/cluster.js down --dir $D >/dev/null 2>&1
done; done
