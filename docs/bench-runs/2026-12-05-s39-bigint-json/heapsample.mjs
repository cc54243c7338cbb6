// preload: sample allocations (including those collected by GC) on the main thread; write the profile after START+DUR seconds
import { isMainThread } from 'node:worker_threads';
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
if (isMainThread && process.env.HEAPSAMPLE_DIR) {
  const start = Number(process.env.HEAPSAMPLE_START ?? 5) * 1000;
  const dur = Number(process.env.HEAPSAMPLE_DUR ?? 20) * 1000;
  const s = new Session();
  s.connect();
  const post = (m, p) => new Promise((res, rej) => s.post(m, p ?? {}, (e, r) => (e ? rej(e) : res(r))));
  setTimeout(async () => {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    setTimeout(async () => {
      const { profile } = await post('HeapProfiler.stopSampling');
      writeFileSync(`${process.env.HEAPSAMPLE_DIR}/heap-${process.pid}.json`, JSON.stringify(profile));
    }, dur).unref();
  }, start).unref();
}
