/**
 * The simulated disk keeps at a crash what a disk promises and no more: fsynced data, and directory
 * entries made durable by a directory fsync; the rest may survive, vanish or survive in part.
 */
import { expect } from 'chai';
import { SimulatedCrash, SimulatedFileSystem } from '../../raft/sim/simulated-file-system.js';

describe('SimulatedFileSystem', () => {
  async function disk(): Promise<SimulatedFileSystem> {
    const fs = new SimulatedFileSystem({ seed: 7, recordOps: true });
    await fs.mkdirPrivate('/d');
    return fs;
  }

  it('keeps fsynced data and O_DSYNC writes; loses or keeps unsynced writes as the crash chooses', async () => {
    const fs = await disk();
    const synced = await fs.openAppend('/d/a', true);
    await synced.write(Buffer.from('durable'));
    const plain = await fs.create('/d/b');
    await plain.write(Buffer.from('volatile'));
    await fs.syncDir('/d');
    expect((await fs.image('none').readFile('/d/a')).toString()).to.equal('durable');
    expect((await fs.image('none').readFile('/d/b')).toString()).to.equal('');
    expect((await fs.image('all').readFile('/d/b')).toString()).to.equal('volatile');
    const seen = new Set<string>();
    for (let seed = 1; seed <= 60; seed++) seen.add((await fs.image('random', seed).readFile('/d/b')).toString());
    expect(seen).to.include('').and.include('volatile');
    expect([...seen].some((s) => s.length > 0 && s.length < 8), 'a torn write').to.equal(true);
  });

  it('a new file, a rename or a removal survives a crash only once the directory is fsynced', async () => {
    const fs = await disk();
    const file = await fs.create('/d/x.tmp');
    await file.write(Buffer.from('snapshot'));
    await file.sync();
    await fs.rename('/d/x.tmp', '/d/x');
    expect(await fs.image('none').readdir('/d')).to.deep.equal([]);
    expect(await fs.image('all').readdir('/d')).to.deep.equal(['x']);
    await fs.syncDir('/d');
    expect(await fs.image('none').readdir('/d')).to.deep.equal(['x']);
    await fs.rm('/d/x');
    expect(await fs.image('none').readdir('/d')).to.deep.equal(['x']);
    await fs.syncDir('/d');
    expect(await fs.image('none').readdir('/d')).to.deep.equal([]);
  });

  it('a truncation not fsynced may be undone by a crash', async () => {
    const fs = await disk();
    const file = await fs.openAppend('/d/log', true);
    await file.write(Buffer.from('abcdef'));
    await fs.syncDir('/d');
    const again = await fs.openExisting('/d/log');
    await again.truncate(3);
    expect((await fs.readFile('/d/log')).toString()).to.equal('abc');
    expect((await fs.image('none').readFile('/d/log')).toString()).to.equal('abcdef');
    await again.sync();
    expect((await fs.image('none').readFile('/d/log')).toString()).to.equal('abc');
  });

  it('counts operations and crashes after any number of them, and injects faults at rest', async () => {
    const fs = await disk();
    fs.crashAfterOps = 2;
    const file = await fs.openAppend('/d/log', true);
    await file.write(Buffer.from('abc')).then(
      () => expect.fail('should crash'),
      (error: unknown) => expect(error).to.be.instanceOf(SimulatedCrash),
    );
    expect(fs.opLog).to.deep.equal(['create log', 'write log 0+3']);
    const after = fs.crash('all');
    expect((await after.readFile('/d/log')).toString()).to.equal('abc');
    after.flipBit('/d/log', 8);
    expect((await after.readFile('/d/log')).toString()).to.equal('acc');
    after.failReads('/d/log');
    await after.readFile('/d/log').then(
      () => expect.fail('should fail'),
      (error: unknown) => expect((error as { code?: string }).code).to.equal('EIO'),
    );
  });
});
