#!/bin/bash
# bisect-one.sh COMMIT N: build a worktree of COMMIT (once) and print its fill CPU
C=$1; N=$2; W=/work/wt/b-$C
if [ ! -e $W/dist/scripts/cluster.js ]; then (cd /work/main && git worktree add -f $W $C >/dev/null 2>&1); (cd $W && ln -sf /work/main/node_modules node_modules && npx tsc -p tsconfig.json >/dev/null 2>&1); fi
echo -n "$C: "; bash /tmp/s30/fillcpu.sh $W $N
