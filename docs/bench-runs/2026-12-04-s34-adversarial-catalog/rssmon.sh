#!/bin/bash
# rssmon.sh OUT : every second, the RSS (kB) of every node process of the cluster (by cluster.json) until OUT.stop exists
. /tmp/s34-adv/report/common.sh; out=$1
while [ ! -e $out.stop ]; do l="$(date +%T)"; for p in $(node -e "console.log(require('$D/cluster.json').nodes.map(n=>n.id+':'+n.pid).join(' '))"); do
  id=${p%:*}; pid=${p#*:}; r=$(awk '/VmRSS/{print $2}' /proc/$pid/status 2>/dev/null); h=$(awk '/VmHWM/{print $2}' /proc/$pid/status 2>/dev/null); l="$l n$id=${r:-_}/${h:-_}"; done; echo "$l" >> $out; sleep 1; done
