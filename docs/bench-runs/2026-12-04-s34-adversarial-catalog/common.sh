# common.sh: sourced by the scenario scripts. D (cluster dir) and BASE (base port) may be set before.
R=/tmp/s34-adv/repo
C="node $R/dist/scripts/cluster.js"
D=${D:-/tmp/s34-adv/cl}; BASE=${BASE:-57000}
H=/tmp/s34-adv/report
npid() { node -e "const c=require('$D/cluster.json');const n=c.nodes.find(n=>n.id==$1);console.log(n?n.pid:0)"; }
leader() { node -e "const c=require('$D/cluster.json');Promise.all(c.nodes.map(n=>fetch('http://'+n.metrics+'/readyz',{signal:AbortSignal.timeout(2000)}).then(r=>r.json()).catch(()=>({})))).then(a=>console.log(a.find(x=>x.role==='Leader')?.id??0))"; }
readyz() { curl -s -o /dev/null -w '%{http_code}' -m 1 http://127.0.0.1:$((BASE+200+$1))/readyz; }
# wait_ready ID SECS PID -> prints yes / EXITED / no
wait_ready() { local id=$1 secs=$2 pid=$3; for w in $(seq 1 $((secs*10))); do [ "$(readyz $id)" = 200 ] && { echo yes; return; }
  [ -n "$pid" ] && ! kill -0 $pid 2>/dev/null && { echo EXITED; return; }; sleep 0.1; done; echo no; }
# st: per node readyz + raft metrics
st() { for i in $(node -e "console.log(require('$D/cluster.json').nodes.map(n=>n.id).join(' '))"); do p=$((BASE+200+i)); r=$(curl -s -m 2 http://127.0.0.1:$p/readyz) || { echo "node $i: DOWN"; continue; }
 m=$(curl -s -m 3 http://127.0.0.1:$p/metrics | grep -E '^rootcoord_raft_(term|leader_changes_seen_total|is_leader|applied_index|commit_index) ' | sed -e "s/^rootcoord_raft_//" | tr " \n" "= ")
 echo "node $i: $r $m"; done; }
terms() { for i in $(node -e "console.log(require('$D/cluster.json').nodes.map(n=>n.id).join(' '))"); do curl -s -m 3 http://127.0.0.1:$((BASE+200+i))/metrics | grep -E '^rootcoord_raft_(term|leader_changes_seen_total) ' | awk '{printf "%s ", $2}'; echo -n "| "; done; echo; }
mem() { for i in $(node -e "console.log(require('$D/cluster.json').nodes.map(n=>n.id).join(' '))"); do p=$(npid $i); echo -n "node $i pid $p: "; grep -E 'VmRSS|VmHWM' /proc/$p/status 2>/dev/null | tr -s ' \n' ' '; echo; done; }
