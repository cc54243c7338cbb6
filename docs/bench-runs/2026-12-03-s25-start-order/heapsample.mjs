import { isMainThread } from 'node:worker_threads';
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
if (isMainThread) {
  const s = new Session();
  s.connect();
  const dir = process.env.HS_DIR ?? '/tmp/hs';
  const start = () => s.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }, (e) => { if (e) console.error('hs start', e); });
  s.post('HeapProfiler.enable', () => start());
  let n = 0;
  const t = setInterval(() => {
    s.post('HeapProfiler.getSamplingProfile', (e, r) => {
      if (e) return;
      writeFileSync(`${dir}/heap-${process.pid}-${n++}.heapprofile`, JSON.stringify(r.profile));
    });
  }, Number(process.env.HS_EVERY ?? 15000));
  t.unref();
}
