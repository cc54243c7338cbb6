/**
 * The pieces of the catalog's table check (src/meta/leveldb-table-check.ts) on known values: CRC-32C,
 * Snappy's format (literals short and long, copies that overlap what they write and that do not), and
 * the WebAssembly CRC against the JavaScript one on real tables, and the JavaScript CRC where
 * WebAssembly cannot run (`node --jitless`; the session's review: a healthy catalog was refused
 * there). Damage is covered end to end in catalog-corruption.test.ts.
 */
import { expect } from 'chai';
import { ClassicLevel } from 'classic-level';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { checkTable, checkTables, crc32c, snappyDecompress } from '../../src/meta/leveldb-table-check.js';
import { tempDirEach } from '../raft/fixtures/process-cluster.js';

const damage = (what: string): Error => new Error(what);

describe('the catalog table check', function () {
  this.timeout(30_000);
  const dir = tempDirEach('rootcoord-table-check-');

  it('CRC-32C gives the standard check value, and continues from a previous CRC', () => {
    const bytes = new TextEncoder().encode('123456789');
    expect(crc32c(bytes)).to.equal(0xe3069283);
    expect(crc32c(bytes, 4, 9, crc32c(bytes, 0, 4))).to.equal(0xe3069283);
    expect(crc32c(new Uint8Array(32))).to.equal(0x8a9136aa);
  });

  it('decompresses Snappy: literals of every length form, copies that overlap and that do not', () => {
    const text = 'abcdefghijklmnopqrst';
    const long = 'L'.repeat(70);
    // 20 literal bytes; a copy of 40 from 20 back (overlapping: the text twice more); a copy of 20 from
    // 60 back (not overlapping); a literal of 70 (its length in an extra byte); a 1-byte-offset copy.
    const parts = [
      [(19 << 2) | 0],
      [...text].map((c) => c.charCodeAt(0)),
      [((40 - 1) << 2) | 2, 20, 0],
      [((20 - 1) << 2) | 2, 60, 0],
      [(60 << 2) | 0, 69],
      [...long].map((c) => c.charCodeAt(0)),
      [((7 - 4) << 2) | 1, 70],
    ];
    const expected = text + text + text + text + long + 'L'.repeat(7);
    const body = parts.flat();
    // The length first, a varint (157: two bytes).
    const input = Uint8Array.from([(expected.length & 0x7f) | 0x80, expected.length >> 7, ...body]);
    expect(new TextDecoder().decode(snappyDecompress(input, damage))).to.equal(expected);
    // Damage: a copy from before the start, a length that disagrees, a literal cut short.
    expect(() => snappyDecompress(Uint8Array.from([4, ((4 - 1) << 2) | 2, 9, 0]), damage)).to.throw(/before its start/);
    expect(() => snappyDecompress(Uint8Array.from([5, (2 << 2) | 0, 1, 2, 3]), damage)).to.throw(/holds 3 bytes, not the 5/);
    expect(() => snappyDecompress(Uint8Array.from([9, (8 << 2) | 0, 1, 2]), damage)).to.throw(/ends inside an element/);
  });

  it('the WebAssembly CRC and the JavaScript one agree on every block of real tables', async () => {
    const path = join(dir(), 'db');
    const db = new ClassicLevel<string, string>(path, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await db.open();
    for (let b = 0; b < 20; b++) {
      const batch = db.batch();
      for (let i = 0; i < 500; i++) batch.put(`key-${b}-${i}`, JSON.stringify({ b, i, text: 'x'.repeat(i % 200) }));
      await batch.write();
    }
    await db.compactRange('', '\uffff');
    await db.close();
    const result = await checkTables(path);
    expect(result.tables).to.be.greaterThan(0);
    expect(result.skipped).to.deep.equal([]);
    let blocks = 0;
    for (const name of (await readdir(path)).filter((n) => n.endsWith('.ldb'))) blocks += checkTable(name, new Uint8Array(await readFile(join(path, name))));
    expect(blocks).to.equal(result.blocks);
  });

  it('checks with the JavaScript CRC where WebAssembly cannot run (node --jitless): a healthy catalog passes, a damaged one is refused', async () => {
    const path = join(dir(), 'jitless');
    const db = new ClassicLevel<string, string>(path, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await db.open();
    const batch = db.batch();
    for (let i = 0; i < 5000; i++) batch.put(`key-${i}`, 'v'.repeat(100));
    await batch.write();
    await db.compactRange('', '\uffff');
    await db.close();
    const module = fileURLToPath(new URL('../../src/meta/leveldb-table-check.js', import.meta.url));
    const check = (): string => {
      const run = spawnSync(process.execPath, ['--jitless', '--input-type=module', '-e', `const { checkTables } = await import(${JSON.stringify(module)}); try { const r = await checkTables(${JSON.stringify(path)}); console.log('ok', typeof WebAssembly, r.tables, r.skipped.length); } catch (e) { console.log('refused', e.message); }`], { encoding: 'utf8' });
      return run.stdout.trim();
    };
    expect(check()).to.match(/^ok undefined [1-9]\d* 0$/);
    const table = (await readdir(path)).find((n) => n.endsWith('.ldb')) as string;
    const bytes = await readFile(join(path, table));
    bytes[100] = (bytes[100] as number) ^ 1;
    await writeFile(join(path, table), bytes);
    expect(check()).to.match(/^refused table \d+\.ldb: the checksum of the block at \d+/);
  });
});
