import json,sys,collections
p=json.load(open(sys.argv[1])); n=int(sys.argv[2]); target=sys.argv[3]
c=collections.Counter(); tot=0
def name(cf):
    return f"{cf['functionName'] or '(anon)'}@{cf['url'].split('/')[-1]}:{cf['lineNumber']+1}"
def walk(node, stack):
    global tot
    st=stack+[node['callFrame']]
    if node['selfSize'] and target in node['callFrame']['url']:
        caller=None
        for f in reversed(st):
            if target not in f['url']: caller=f; break
        c[name(caller) if caller else '?']+=node['selfSize']; tot+=node['selfSize']
    for ch in node.get('children',[]): walk(ch, st)
walk(p['head'],[])
for k,v in c.most_common(15): print(f"{v/n/1024:6.1f}KB {k}")
