/**
 * DurableStorage crashed after every file-system operation of a scripted workload, on the simulated disk
 * (see fixtures/crash-points.ts): it always reopens with everything acknowledged, and the Raft core starts
 * on it. Each deliberately broken variant of the storage is caught.
 */
import { expect } from 'chai';
import type { DurableStorageUnsafe } from '../../raft/durable-storage.js';
import { runAtRestFaults, runCrashPoints } from './fixtures/crash-points.js';

describe('DurableStorage crash points', function () {
  this.timeout(300_000);

  it('reopens with everything acknowledged after a crash at every operation, and at every operation of the recovery', async () => {
    const report = await runCrashPoints({ randomImages: 3, recoveryCrashes: true });
    console.log(`      ${report.operations + 1} crash points, ${report.images} images reopened, ${report.recoveryImages} more after a crash during recovery`);
    expect(report.failures).to.deep.equal([]);
    expect(report.operations, 'crash points').to.be.above(80);
    expect(report.recoveryImages, 'crashes during recovery').to.be.above(1000);
  });

  it('the same with a segment rotated after almost every write (more segment files created and deleted)', async () => {
    const report = await runCrashPoints({ randomImages: 3, recoveryCrashes: true, segmentBytesMax: 100 });
    console.log(`      ${report.operations + 1} crash points, ${report.images} images reopened, ${report.recoveryImages} more after a crash during recovery`);
    expect(report.failures).to.deep.equal([]);
  });

  it('refuses to start, or keeps everything acknowledged, after a bit flip in any byte of any file or a read error', async () => {
    const report = await runAtRestFaults();
    console.log(`      ${report.flips} bit flips: ${report.refused} refused, ${report.tornTail} in the newest record (read as a torn write); ${report.readErrors} unreadable files`);
    expect(report.failures).to.deep.equal([]);
    expect(report.refused).to.be.above(report.flips / 2);
  });

  const planted: Array<[keyof DurableStorageUnsafe, string]> = [
    ['skipFsync', 'log segments written without O_DSYNC'],
    ['renameWithoutDataFsync', 'a snapshot file renamed into place without fsyncing its data'],
    ['noDirFsyncAfterRename', 'no directory fsync after renaming a snapshot into place'],
    ['noDirFsyncForNewSegment', 'no directory fsync after creating a log segment'],
    ['resetBeforeSnapshotFile', "the log's reset recorded before a leader's snapshot file is written"],
    ['truncateWithoutFsync', 'a torn tail truncated without an fsync'],
  ];
  for (const [knob, what] of planted) {
    it(`catches a planted bug: ${what} (unsafe.${knob})`, async () => {
      const report = await runCrashPoints({ unsafe: { [knob]: true }, randomImages: 3, recoveryCrashes: true, maxFailures: 1 });
      expect(report.failures, `unsafe.${knob} went unnoticed`).to.have.length.above(0);
      console.log(`      unsafe.${knob}: ${report.failures[0]}`);
    });
  }
});
