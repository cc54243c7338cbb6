import json,sys,collections
h=json.load(open(sys.argv[1]))
m=h['snapshot']['meta']; nf=m['node_fields']; types=m['node_types'][0]; N=len(nf)
nodes=h['nodes']; strings=h['strings']
ti=nf.index('type'); ni=nf.index('name'); si=nf.index('self_size')
agg=collections.defaultdict(lambda:[0,0])
for i in range(0,len(nodes),N):
  t=types[nodes[i+ti]]; name=strings[nodes[i+ni]]
  if t in ('object','closure','native'): key=t+':'+name
  else: key=t
  a=agg[key]; a[0]+=1; a[1]+=nodes[i+si]
tot=sum(v[1] for v in agg.values())
print('total MB %.1f'%(tot/1e6))
for k,(c,s) in sorted(agg.items(), key=lambda kv:-kv[1][1])[:45]: print('%8.2f MB %8d  %s'%(s/1e6,c,k[:100]))
