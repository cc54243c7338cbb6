#!/bin/bash
# watchdir.sh DIR SECS : print DIR's listing with sizes whenever it changes (every 50 ms)
prev=""; end=$(( $(date +%s) + $2 ))
while [ $(date +%s) -lt $end ]; do cur=$(ls -l $1 2>/dev/null | awk 'NR>1{print $9":"$5}' | grep -v '^wal' | tr '\n' ' '); names=$(echo "$cur" | tr ' ' '\n' | cut -d: -f1 | tr '\n' ' ')
  [ "$names" != "$prev" ] && echo "$(date +%H:%M:%S.%N | cut -c1-12) $cur"; prev=$names; sleep 0.05; done
