import json,sys,collections
p=json.load(open(sys.argv[1])); n=int(sys.argv[2]) if len(sys.argv)>2 else 1
selfs=collections.Counter(); ours=collections.Counter(); total=0
def name(cf):
    u=cf['url'].split('/')[-1]
    return f"{cf['functionName'] or '(anon)'}@{u}:{cf['lineNumber']+1}"
def walk(node, stack):
    global total
    cf=node['callFrame']; st=stack+[cf]
    sz=node['selfSize']
    if sz:
        total+=sz; selfs[name(cf)]+=sz
        mine=None
        for f in reversed(st):
            if '/dist/src/' in f['url'] or '/dist/raft/' in f['url']: mine=f; break
        ours[name(mine) if mine else '(no rootcoord frame)']+=sz
    for c in node.get('children',[]): walk(c, st)
walk(p['head'],[])
print(f"total sampled {total/1e6:.1f} MB; per op {total/n/1024:.1f} KB")
print("-- self")
for k,v in selfs.most_common(30): print(f"{v/total*100:5.1f}% {v/n/1024:6.1f}KB {k}")
print("-- nearest rootcoord frame")
for k,v in ours.most_common(30): print(f"{v/total*100:5.1f}% {v/n/1024:6.1f}KB {k}")
