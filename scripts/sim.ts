/**
 * Runs the deterministic Raft simulator over a range of seeds:
 *   npm run sim -- --seeds N --start S [--unsafe knob] [--fault-ticks T] [--no-peer-down-reports] [--trace]
 * Ends with "N passed, M failed"; a failing seed prints the command that replays it exactly.
 */
import { runSimulation } from '../raft/sim/simulator.js';
import { parseCommandLine } from '../src/common/command-line.js';
import type { SimulationUnsafe } from '../raft/sim/simulator.js';

const unsafeKnobs = ['voteWithoutLogCheck', 'readWithoutQuorum', 'keepLogOnSnapshot', 'ackBeforePersist'] as const;

interface Args {
  seeds: number;
  start: number;
  faultTicks: number;
  unsafe: SimulationUnsafe;
  trace: boolean;
  verbose: boolean;
  /** The survivors are not told that a crashed node is down (SimulationOptions.reportPeersDown). */
  noPeerDownReports: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { seeds: 100, start: 1, faultTicks: 400, unsafe: {}, trace: false, verbose: false, noPeerDownReports: false };
  for (const arg of parseCommandLine(argv, { switches: ['trace', 'verbose', 'help', 'no-peer-down-reports'], values: ['seeds', 'start', 'seed', 'fault-ticks', 'unsafe'] })) {
    const flag = arg.kind === 'positional' ? arg.value : `--${arg.name}`;
    const value = (): string => {
      const v = arg.kind === 'value' ? arg.value : undefined;
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const integer = (): number => {
      const v = Number(value());
      if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${flag} needs a non-negative integer`);
      return v;
    };
    switch (flag) {
      case '--seeds':
        args.seeds = integer();
        break;
      case '--start':
      case '--seed':
        args.start = integer();
        if (flag === '--seed') args.seeds = 1;
        break;
      case '--fault-ticks':
        args.faultTicks = integer();
        break;
      case '--unsafe': {
        const knob = value();
        if (!(unsafeKnobs as readonly string[]).includes(knob)) throw new Error(`--unsafe takes one of ${unsafeKnobs.join(', ')}`);
        args.unsafe = { ...args.unsafe, [knob]: true };
        break;
      }
      case '--trace':
        args.trace = true;
        break;
      case '--verbose':
        args.verbose = true;
        break;
      case '--no-peer-down-reports':
        args.noPeerDownReports = true;
        break;
      case '--help':
        console.log('usage: npm run sim -- [--seeds N] [--start S | --seed S] [--fault-ticks T] [--unsafe KNOB] [--no-peer-down-reports] [--trace] [--verbose]');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag ${String(flag)} (try --help)`);
    }
  }
  return args;
}

function replayCommand(seed: number, args: Args): string {
  const unsafe = Object.keys(args.unsafe).map((k) => ` --unsafe ${k}`).join('');
  const ticks = args.faultTicks === 400 ? '' : ` --fault-ticks ${args.faultTicks}`;
  const reports = args.noPeerDownReports ? ' --no-peer-down-reports' : '';
  return `npm run sim -- --seeds 1 --start ${seed}${ticks}${unsafe}${reports} --trace`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let passed = 0;
  let failed = 0;
  const startedMs = Date.now();
  for (let seed = args.start; seed < args.start + args.seeds; seed++) {
    const result = await runSimulation({
      seed,
      unsafe: args.unsafe,
      faultTicks: args.faultTicks,
      ...(args.noPeerDownReports ? { reportPeersDown: false } : {}),
      ...(args.trace ? { trace: (line: string) => console.log(line) } : {}),
    });
    if (result.ok) {
      passed++;
      if (args.verbose) console.log(`seed ${seed} ok ${JSON.stringify(result.stats)}`);
    } else {
      failed++;
      console.log(`seed ${seed} FAILED: ${result.violation}`);
      console.log(`  params: ${JSON.stringify(result.params)}`);
      console.log(`  replay: ${replayCommand(seed, args)}`);
    }
    const done = seed - args.start + 1;
    if (!args.verbose && done % 1000 === 0) console.log(`... ${done}/${args.seeds} seeds, ${failed} failed, ${((Date.now() - startedMs) / 1000).toFixed(0)} s`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
