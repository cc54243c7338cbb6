# common.sh: sourced. D (cluster dir), BASE, R may be set before.
R=${R:-/tmp/s35-adv/repo}
C="node $R/dist/scripts/cluster.js"
D=${D:-/tmp/s35-adv/cl}; BASE=${BASE:-57000}
W=/tmp/s35-adv/work
npid() { node -e "const c=require('$D/cluster.json');const n=c.nodes.find(n=>n.id==$1);console.log(n?n.pid:0)"; }
leader() { node -e "const c=require('$D/cluster.json');Promise.all(c.nodes.map(n=>fetch('http://'+n.metrics+'/readyz',{signal:AbortSignal.timeout(2000)}).then(r=>r.json()).catch(()=>({})))).then(a=>console.log(a.find(x=>x.role==='Leader')?.id??0))"; }
readyz() { curl -s -o /dev/null -w '%{http_code}' -m 1 http://127.0.0.1:$((BASE+200+$1))/readyz; }
wait_ready() { local id=$1 secs=$2 pid=$3; for w in $(seq 1 $((secs*10))); do [ "$(readyz $id)" = 200 ] && { echo yes; return; }
  [ -n "$pid" ] && ! kill -0 $pid 2>/dev/null && { echo EXITED; return; }; sleep 0.1; done; echo no; }
st() { for i in $(node -e "console.log(require('$D/cluster.json').nodes.map(n=>n.id).join(' '))"); do p=$((BASE+200+i)); r=$(curl -s -m 2 http://127.0.0.1:$p/readyz) || { echo "node $i: DOWN"; continue; }
 echo "node $i: $r"; done; }
flip() { python3 -c "f=open('$1','r+b');o=$2;f.seek(o);b=f.read(1);f.seek(o);f.write(bytes([b[0]^${3:-0x55}]))"; }
