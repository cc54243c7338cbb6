import sys,re
on=False; rows=[]
for l in open(sys.argv[1]):
  if '@@START' in l: on=True; continue
  if '@@END' in l: on=False; continue
  if not on: continue
  m=re.search(r'(\d+) ms: (\S+).*?, ([0-9.]+) / ([0-9.]+) ms',l)
  if m: rows.append((float(m.group(3)),m.group(2)))
sc=sorted([r[0] for r in rows if r[1]=='Scavenge'],reverse=True)
mc=sorted([r[0] for r in rows if r[1]!='Scavenge'],reverse=True)
print('scavenges',len(sc),'total %.0f'%sum(sc),'top',sc[:6],'| mark-compact',len(mc),mc[:4])
