import json,urllib.request,re,sys
c=json.load(open(sys.argv[1]+'/cluster.json'))
out=[]
for i,n in enumerate(c['nodes']):
  t=urllib.request.urlopen('http://'+n['metrics']+'/metrics').read().decode()
  m=re.search('^rootcoord_disk_wal_fsync_duration_seconds_count ([0-9.e+-]+)', t, re.M)
  log=open(n['logFile'], errors='replace').read().split('\n')
  sc=[float(x) for l in log for x in re.findall(r'Scavenge[^,]*, ([0-9.]+) / [0-9.]+ ms', l)]
  mc=[float(x) for l in log for x in re.findall(r'Mark-Compact[^,]*, ([0-9.]+) / [0-9.]+ ms', l)]
  sc.sort(); mc.sort()
  med=lambda a: a[len(a)//2] if a else float('nan')
  out.append('n%d%s fsyncs %s scavenges %d (p50 %.1f ms, sum %.0f ms) mark-compacts %d (sum %.0f ms)' % (i+1, '*' if '\nrootcoord_raft_is_leader 1' in t else '', m.group(1) if m else '?', len(sc), med(sc), sum(sc), len(mc), sum(mc)))
print('   ', '\n    '.join(out))
