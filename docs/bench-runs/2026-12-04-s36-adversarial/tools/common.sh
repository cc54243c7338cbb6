# sourced: D (cluster dir), BASE
R=/tmp/s36-adv; C="node $R/dist/scripts/cluster.js"; CTL="node $R/dist/src/cli/rootcoordctl.js"
npid() { node -e "const c=require('$D/cluster.json');const n=c.nodes.find(n=>n.id==$1);console.log(n?n.pid:0)"; }
leader() { node -e "const c=require('$D/cluster.json');Promise.all(c.nodes.map(n=>fetch('http://'+n.metrics+'/readyz',{signal:AbortSignal.timeout(2000)}).then(r=>r.json()).catch(()=>({})))).then(a=>console.log(a.find(x=>x.role==='Leader')?.id??0))"; }
readyz() { curl -s -o /dev/null -w '%{http_code}' -m 1 http://127.0.0.1:$((BASE+200+$1))/readyz; }
st() { for i in $(node -e "console.log(require('$D/cluster.json').nodes.map(n=>n.id).join(' '))"); do p=$((BASE+200+i)); r=$(curl -s -m 2 http://127.0.0.1:$p/readyz) || { echo "node $i: DOWN"; continue; }; echo "node $i: $r"; done; }
ts() { date +%H:%M:%S.%N | cut -c1-12; }
