/**
 * A load reads the request IDs kept for exactly-once DDL after the rest of the catalog (a restart does
 * not wait for them): whatever reads them waits for them, so a request that took effect before a
 * restart is refused again by the first apply after it, and the digest counts them.
 */
import { expect } from 'chai';
import { RequestsLoadStopped } from '../../src/meta/catalog-load.js';
import type { MetaCommand } from '../../src/meta/commands.js';
import { memoryLevel, metaOver } from './fixtures/memory-catalog.js';

/** `count` requests recorded, each wrapping a TSO window step. */
function requests(first: number, count: number): MetaCommand[] {
  return Array.from({ length: count }, (_, i) => {
    const n = BigInt(first + i);
    return { kind: 'request', requestId: `r${n}`, ts: n, command: { kind: 'tsoWindow', windowMs: n } };
  });
}

/** A catalog holding 30,000 request IDs (r1 to r30000, several reads of them at a load), and its digest. */
async function catalogWithRequests(): Promise<{ db: ReturnType<typeof memoryLevel>; digest: string }> {
  const db = memoryLevel();
  const meta = await metaOver(db);
  await meta.apply(requests(1, 30_000), 30_000);
  await meta.persist();
  return { db, digest: await meta.digest() };
}

describe('MetaTable: request IDs after a load', function () {
  // Each test writes and reads 30,000 request IDs, some several times: seconds on a busy machine.
  this.timeout(30_000);

  it('the first apply after a reopen, at once, refuses a request that took effect before it', async () => {
    const { db } = await catalogWithRequests();
    const reopened = await metaOver(db);
    // Applied before the request IDs are read (30,000 take several reads): the apply waits for them.
    const [again, fresh] = await reopened.apply([{ kind: 'request', requestId: 'r17', ts: 40_000n, command: { kind: 'tsoWindow', windowMs: 40_000n } }, ...requests(30_001, 1)], 30_002);
    expect(again).to.deep.equal({ ok: false, reason: 'request r17 has already taken effect' });
    expect(fresh).to.deep.equal({ ok: true });
    expect(reopened.requestTookEffect('r29999')).to.equal(true);
    await reopened.close();
  });

  it('the digest after a reopen counts every request ID (it waits for them)', async () => {
    const { db, digest } = await catalogWithRequests();
    const reopened = await metaOver(db);
    expect(await reopened.digest()).to.equal(digest);
    await reopened.close();
  });

  it('an apply waiting for the request IDs when a close stops their read fails, and nothing of it is written', async () => {
    const { db } = await catalogWithRequests();
    const reopened = await metaOver(db);
    // r29999 took effect before: applied with part of the IDs read, it would take effect again.
    const applying = reopened.apply([{ kind: 'request', requestId: 'r29999', ts: 40_000n, command: { kind: 'tsoWindow', windowMs: 40_000n } }], 30_001);
    await reopened.close();
    let error: unknown = null;
    await applying.catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(RequestsLoadStopped);
    await db.open();
    const again = await metaOver(db);
    expect(again.appliedIndex).to.equal(30_000);
    expect(again.tsoWindowMs).to.equal(30_000n);
    await again.close();
  });

  it('held (requestsLater): not read until readRequests() or an apply needs them', async () => {
    const { db, digest } = await catalogWithRequests();
    const reopened = await metaOver(db, true);
    let read = false;
    void reopened.requestsLoaded().then(() => (read = true));
    // Long enough to read them all (tens of milliseconds) were they read: none are.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(read).to.equal(false);
    // An apply needs them: it has them read, and refuses a request that took effect before.
    const [again] = await reopened.apply([{ kind: 'request', requestId: 'r17', ts: 40_000n, command: { kind: 'tsoWindow', windowMs: 40_000n } }], 30_001);
    expect(again).to.deep.equal({ ok: false, reason: 'request r17 has already taken effect' });
    expect(read).to.equal(true);
    await reopened.close();
    await db.open();
    // readRequests() reads them; so does the digest (it counts them).
    const asked = await metaOver(db, true);
    asked.readRequests();
    await asked.requestsLoaded();
    expect(asked.requestTookEffect('r30000')).to.equal(true);
    await asked.close();
    await db.open();
    const digested = await metaOver(db, true);
    // The apply above changed nothing but the applied index, which the digest does not count.
    expect(await digested.digest()).to.equal(digest);
    await digested.close();
  });

  it('held: a close or a crash before they are asked for stops their read; what waits for them fails', async () => {
    const { db } = await catalogWithRequests();
    const reopened = await metaOver(db, true);
    const waiting = reopened.requestsLoaded();
    await reopened.close();
    expect(await waiting.then(() => null, (e: unknown) => e)).to.be.instanceOf(RequestsLoadStopped);
    await db.open();
    const crashed = await metaOver(db, true);
    expect(crashed.appliedIndex).to.equal(30_000);
    const stopped = crashed.requestsLoaded();
    crashed.abandon();
    expect(await stopped.then(() => null, (e: unknown) => e)).to.be.instanceOf(RequestsLoadStopped);
  });

  it('a close while the request IDs are read stops their read and closes', async () => {
    const { db } = await catalogWithRequests();
    const reopened = await metaOver(db);
    await reopened.close();
    await db.open();
    const again = await metaOver(db);
    const [result] = await again.apply(requests(2, 1), 30_001);
    expect(result).to.deep.equal({ ok: false, reason: 'request r2 has already taken effect' });
    await again.close();
  });
});
