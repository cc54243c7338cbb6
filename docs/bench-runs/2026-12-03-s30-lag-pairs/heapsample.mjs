// Preload (node --import): sample every allocation of this thread (objects collected since included)
// between HEAPSAMPLE_FROM_S and HEAPSAMPLE_TO_S seconds after start; write /tmp/s30/heap/<pid>-<thread>.heapprofile
import inspector from 'node:inspector';
import { threadId } from 'node:worker_threads';
import { mkdirSync, writeFileSync } from 'node:fs';
const from = Number(process.env.HEAPSAMPLE_FROM_S ?? 30) * 1000, to = Number(process.env.HEAPSAMPLE_TO_S ?? 60) * 1000;
const s = new inspector.Session(); s.connect();
const post = (m, p = {}) => new Promise((res, rej) => s.post(m, p, (e, r) => (e ? rej(e) : res(r))));
setTimeout(async () => {
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  setTimeout(async () => {
    const { profile } = await post('HeapProfiler.stopSampling');
    mkdirSync('/tmp/s30/heap', { recursive: true });
    writeFileSync(`/tmp/s30/heap/${process.pid}-${threadId}.heapprofile`, JSON.stringify(profile));
  }, to - from).unref();
}, from).unref();
