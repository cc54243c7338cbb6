#!/bin/bash
# st.sh: per node readyz + term + leader changes
for i in 1 2 3 4 5 6; do p=$((42200+i)); r=$(curl -s -m 2 http://127.0.0.1:$p/readyz) || { [ $i -le 3 ] && echo "node $i: DOWN"; continue; }
 m=$(curl -s -m 3 http://127.0.0.1:$p/metrics | grep -E '^rootcoord_raft_(term|leader_changes_seen_total|is_leader|applied_index|commit_index) ' | sed -e "s/^rootcoord_raft_//" | tr " \n" "= ")
 echo "node $i: $r $m"; done
