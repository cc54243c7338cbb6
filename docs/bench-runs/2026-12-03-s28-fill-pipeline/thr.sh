#!/bin/bash
# thr.sh SECONDS: per-thread CPU% of every node process and bench process over SECONDS
snap() { for p in $(pgrep -f "dist/src/main.js|dist/scripts/bench.js"); do for t in /proc/$p/task/*; do echo "$p $(basename $t) $(cat $t/comm 2>/dev/null | tr ' ' _) $(awk '{print $14+$15}' $t/stat 2>/dev/null)"; done; done; }
snap > /tmp/s28/thr.a; sleep $1; snap > /tmp/s28/thr.b
join -j 1 <(awk '{print $1"/"$2, $3, $4}' /tmp/s28/thr.a | sort) <(awk '{print $1"/"$2, $4}' /tmp/s28/thr.b | sort) | awk -v s=$1 '{d=($4-$3)/s; if (d>2) printf "%s %s %.0f%%\n", $1, $2, d}' | sort -k3 -t' ' -rn
