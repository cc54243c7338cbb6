import json,sys,collections,glob
blocks=[json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
for f in sys.argv[2:]:
    p=json.load(open(f)); nodes={n['id']:n for n in p['nodes']}
    t=p['startTime']; per=[collections.Counter() for _ in blocks]
    for s,d in zip(p['samples'],p['timeDeltas']):
        t+=d
        for i,b in enumerate(blocks):
            if b['t0us']<=t<b['t1us']:
                cf=nodes[s]['callFrame']
                if cf['functionName']=='(idle)': break
                per[i][f"{cf['functionName']} {cf['url'].split('/')[-1]}:{cf['lineNumber']}"]+=d/1000; break
    tot=[sum(c.values()) for c in per]
    print('==',f.split('/')[-1],'busy ms per call by block',[round(x/500,3) for x in tot])
    a,z=per[0],per[-1]
    for k in sorted(set(a)|set(z),key=lambda k:-(a[k]-z[k]))[:int(sys.argv[0:1] and 25)]:
        print(f"{a[k]/500:.3f} {z[k]/500:.3f} {k}")
