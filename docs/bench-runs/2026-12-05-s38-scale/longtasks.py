import collections,os,sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cpuprofile import Profile
prof=Profile(sys.argv[1]); p=prof.raw; nodes=prof.nodes; parent=prof.parent; name=prof.name; stack=prof.stack; idle=prof.idle
samples=p['samples']; deltas=p['timeDeltas']
t=p['startTime']; times=[]
for d in deltas: t+=d; times.append(t)
# stretches: consecutive samples not idle
stretches=[]; cur=None
for k,(s,tm) in enumerate(zip(samples,times)):
    busy = s not in idle
    if busy:
        if cur is None: cur=[tm,tm,[]]
        cur[1]=tm; cur[2].append(s)
    else:
        if cur is not None: stretches.append(cur); cur=None
if cur: stretches.append(cur)
thr=float(sys.argv[2]) if len(sys.argv)>2 else 20
longs=[s for s in stretches if (s[1]-s[0])/1000>=thr]
total=(times[-1]-times[0])/1e6
busy=sum(1 for s in samples if s not in idle)
print(f"profile {total:.1f}s, busy samples {busy}/{len(samples)}; stretches>= {thr}ms: {len(longs)}; total {sum((s[1]-s[0])/1000 for s in longs):.0f} ms")
# aggregate: for long stretches, self time by function and by 'entry' frame (first JS frame under root)
selfc=collections.Counter(); entry=collections.Counter()
for s in longs:
    for smp in s[2]:
        selfc[name(smp)]+=1
        st=stack(smp)
        # entry: first 3 frames below root
        entry[' > '.join(name(x) for x in st[1:4])]+=1
n=sum(selfc.values())
print("top self in long stretches:")
for k,v in selfc.most_common(25): print(f"  {v/n*100:5.1f}% {k}")
print("top entries:")
for k,v in entry.most_common(12): print(f"  {v/n*100:5.1f}% {k}")
durs=sorted((s[1]-s[0])/1000 for s in longs)
print("durations ms:", [round(d) for d in durs[-20:]])
