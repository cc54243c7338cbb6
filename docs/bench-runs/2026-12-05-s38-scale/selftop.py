import collections,os,sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cpuprofile import Profile
prof=Profile(sys.argv[1]); p=prof.raw; nodes=prof.nodes; parent=prof.parent; name=prof.name; stack=prof.stack; idle=prof.idle
cnt=collections.Counter(p['samples'])
busy=sum(v for k,v in cnt.items() if k not in idle)
selfc=collections.Counter()
for k,v in cnt.items():
    if k in idle: continue
    selfc[name(k)]+=v
print('busy samples',busy)
for k,v in selfc.most_common(int(sys.argv[2]) if len(sys.argv)>2 else 30): print(f"{v/busy*100:5.1f}% {k}")
# inclusive for functions matching
if len(sys.argv)>3:
    incl=collections.Counter()
    for k,v in cnt.items():
        if k in idle: continue
        seen=set(); i=k
        while i is not None:
            nm=name(i)
            if nm not in seen: incl[nm]+=v; seen.add(nm)
            i=parent.get(i)
    print('--- inclusive')
    for k,v in incl.most_common(60):
        if any(s in k for s in sys.argv[3].split(',')): print(f"{v/busy*100:5.1f}% {k}")
