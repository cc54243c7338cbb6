/**
 * Password hashing on its own bounded pool of worker threads (issue 8): it works, it refuses beyond its
 * queue, and a flood of checks leaves libuv's thread pool (the Raft log's file writes) alone.
 */
import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { scrypt } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PasswordHashPool } from '../../src/auth/hash-pool.js';
import { CodedError } from '../../src/common/error-codes.js';

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

describe('PasswordHashPool', function () {
  this.timeout(60_000);
  const pools: PasswordHashPool[] = [];
  const pool = (workers: number, queueMax: number): PasswordHashPool => {
    const p = new PasswordHashPool({ workers, queueMax });
    pools.push(p);
    return p;
  };
  after(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('hashes and verifies scrypt on worker threads; verifies bcrypt hashes (Milvus backups); a malformed hash never matches', async () => {
    const p = pool(2, 8);
    const hash = await p.hash('right password', 10);
    expect(hash).to.match(/^scrypt\$10\$8\$1\$/);
    expect(await p.verify('right password', hash)).to.equal(true);
    expect(await p.verify('wrong password', hash)).to.equal(false);
    const milvus = bcrypt.hashSync('milvus-pw', 4);
    expect(await p.verify('milvus-pw', milvus)).to.equal(true);
    expect(await p.verify('other', milvus)).to.equal(false);
    expect(await p.verify('x', 'scrypt$30$8$1$AAAA$AAAA'), 'a cost beyond the bound').to.equal(false);
    // A bcrypt cost beyond BCRYPT_COST_MAX matches nothing, its right password neither, and costs no
    // rounds: the hash of cost 31 below would take days to check (made with a cheap cost, then relabelled).
    const crafted = milvus.replace(/^\$2([aby])\$04\$/, '$$2$1$$31$$');
    expect(crafted.slice(0, 7)).to.match(/^\$2[aby]\$31\$/);
    expect(await p.verify('milvus-pw', crafted)).to.equal(false);
    // Below bcrypt's least cost (4), bcryptjs throws: a refusal instead.
    expect(await p.verify('milvus-pw', milvus.replace(/^\$2([aby])\$04\$/, '$$2$1$$03$$'))).to.equal(false);
    expect(await p.verify('x', 'not a hash')).to.equal(false);
    expect(p.load()).to.deep.equal({ running: 0, waiting: 0 });
  });

  it('runs at most `workers` jobs, queues `queueMax` more and refuses the next at once with QueueFull (code 2001, retriable)', async () => {
    const p = pool(1, 2);
    const hash = await p.hash('pw', 12);
    const accepted = [p.verify('a', hash), p.verify('b', hash), p.verify('pw', hash)];
    expect(p.load()).to.deep.equal({ running: 1, waiting: 2 });
    const error = await refusal(p.verify('c', hash));
    expect(error).to.be.instanceOf(CodedError);
    expect((error as CodedError).errorName).to.equal('QueueFull');
    expect((error as CodedError).code).to.equal(2001);
    expect((error as CodedError).retriable).to.equal(true);
    expect(await Promise.all(accepted)).to.deep.equal([false, false, true]);
    // Room again once the queue drained.
    expect(await p.verify('pw', hash)).to.equal(true);
  });

  it('close refuses what waits and stops the workers (nothing keeps the process alive)', async () => {
    const p = new PasswordHashPool({ workers: 1, queueMax: 4 });
    const hash = await p.hash('pw', 12);
    const pending = [p.verify('a', hash), p.verify('b', hash)].map(refusal);
    await p.close();
    for (const error of await Promise.all(pending)) expect(error).to.be.instanceOf(CodedError);
    expect(await refusal(p.verify('pw', hash))).to.be.instanceOf(CodedError);
  });

  it('a flood of wrong-password checks does not hold back file writes on libuv\'s thread pool (as crypto.scrypt did)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hash-pool-'));
    const p = pool(2, 64);
    const cost = 13;
    const hash = await p.hash('right', cost);
    // What a Raft log append does: write, then fsync, on libuv's thread pool. The first append shows
    // queueing: behind hashes on libuv's pool it waits for most of them.
    const file = await open(join(dir, 'wal'), 'a');
    let finished = 0;
    const writes = async (): Promise<{ first: number; all: number; finishedAtFirst: number }> => {
      const t0 = performance.now();
      let first = 0;
      let finishedAtFirst = 0;
      for (let i = 0; i < 10; i++) {
        await file.write(Buffer.alloc(4096, i));
        await file.sync();
        if (i === 0) [first, finishedAtFirst] = [performance.now() - t0, finished];
      }
      return { first, all: performance.now() - t0, finishedAtFirst };
    };
    try {
      const quiet = await writes();
      // 32 wrong passwords checked on the pool, all submitted before the writes.
      const checks = Array.from({ length: 32 }, (_, i) => p.verify(`wrong-${i}`, hash).then(() => finished++));
      const duringPool = await writes();
      await Promise.all(checks);
      // The same flood the old way: crypto.scrypt, on libuv's four threads, ahead of the writes.
      finished = 0;
      const N = 2 ** cost;
      const old = Array.from({ length: 32 }, (_, i) => new Promise((done) => scrypt(`wrong-${i}`, 'salt', 32, { N, r: 8, p: 1, maxmem: 256 * N * 8 }, done)).then(() => finished++));
      const duringLibuv = await writes();
      await Promise.all(old);
      const report = `first append: quiet ${quiet.first.toFixed(0)} ms, pool flood ${duringPool.first.toFixed(0)} ms (${duringPool.finishedAtFirst} of 32 checks done), libuv flood ${duringLibuv.first.toFixed(0)} ms (${duringLibuv.finishedAtFirst} done); ten: ${quiet.all.toFixed(0)}, ${duringPool.all.toFixed(0)}, ${duringLibuv.all.toFixed(0)} ms`;
      if (process.env['HASH_POOL_REPORT'] !== undefined) console.log(report);
      // Structure, not speed: the first append did not wait for the checks (a check takes longer than
      // an append, and two run at a time), where on libuv's pool it waited for most of them (the
      // control: this test does see the queueing it is about).
      expect(duringPool.finishedAtFirst, report).to.be.at.most(8);
      expect(duringLibuv.finishedAtFirst, report).to.be.at.least(16);
    } finally {
      await file.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
