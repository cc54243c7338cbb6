/**
 * Golden interaction tests in the style of etcd-io/raft's testdata: each script in raft/testdata drives
 * in-memory nodes, and the exact Readies, messages and states must match the file. Run with
 * REWRITE=1 to regenerate the expected output after a deliberate change (then review the diff).
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GoldenInterpreter } from './golden-interpreter.js';

const testdata = fileURLToPath(new URL('../../../raft/testdata', import.meta.url));

interface Case {
  readonly command: string;
  readonly expected: string;
}

/** A file is a header of '#' comment lines, then blank-line separated cases: a command, '----', its output. */
function parse(text: string): { header: string; cases: Case[] } {
  const lines = text.split('\n');
  let first = 0;
  while (first < lines.length && (lines[first]?.startsWith('#') === true || lines[first] === '')) first++;
  const header = lines.slice(0, first).filter((l) => l.startsWith('#')).join('\n');
  const cases: Case[] = [];
  for (const block of lines.slice(first).join('\n').split('\n\n')) {
    const blockLines = block.split('\n');
    const sep = blockLines.indexOf('----');
    if (sep < 0) continue;
    cases.push({ command: blockLines.slice(0, sep).join(' ').trim(), expected: blockLines.slice(sep + 1).join('\n').trimEnd() });
  }
  return { header, cases };
}

function execute(interpreter: GoldenInterpreter, command: string): string {
  const [name, ...rest] = command.split(/\s+/);
  const args = new Map<string, string>();
  const positional: string[] = [];
  for (const token of rest) {
    const eq = token.indexOf('=');
    if (eq > 0) args.set(token.slice(0, eq), token.slice(eq + 1));
    else positional.push(token);
  }
  return interpreter.run(name as string, args, positional);
}

describe('Raft golden interaction scripts', () => {
  for (const file of readdirSync(testdata).filter((f) => f.endsWith('.txt')).sort()) {
    it(file.replace(/\.txt$/, ''), () => {
      const path = join(testdata, file);
      const { header, cases } = parse(readFileSync(path, 'utf8'));
      expect(cases.length).to.be.above(0);
      const interpreter = new GoldenInterpreter();
      const actual = cases.map((c) => ({ command: c.command, output: execute(interpreter, c.command).trimEnd() }));
      if (process.env['REWRITE'] === '1') {
        writeFileSync(path, `${header}\n\n${actual.map((a) => `${a.command}\n----\n${a.output}`).join('\n\n')}\n`);
        return;
      }
      for (let i = 0; i < cases.length; i++) {
        expect(actual[i]?.output, `${file}: ${cases[i]?.command}`).to.equal(cases[i]?.expected);
      }
    });
  }
});
