import json,sys
for p in sys.argv[1:]:
    d=json.load(open(p+'/results.json'))
    cp=d['createPartition']; eg=d.get('etcdPutGrpc',{}); eh=d.get('etcdPut',{})
    ts=d.get('allocTimestamp',{})
    print(p.split('/')[-1], 'CP p50', cp['p50Ms'], 'rounds', cp.get('roundP50sMs'), 'etcd grpc', eg.get('p50Ms'), 'gw', eh.get('p50Ms'), 'x grpc', round(cp['p50Ms']/eg['p50Ms'],2), 'x gw', round(cp['p50Ms']/eh['p50Ms'],2), 'srv cpu', cp.get('serverCpuMsPerOp'), 'etcd cpu', eg.get('serverCpuMsPerOp'), 'cold', d.get('createPartitionCold',{}).get('p50Ms'), 'ts', json.dumps(ts)[:120])
