/**
 * The one command-line parser of rootcoord, rootcoordctl and the scripts.
 *
 * The grammar is the one every tool has always had: a flag is `--name`; a switch takes no value; any
 * other flag takes the next argument as its value, whatever it is (`--password --x` sets the password
 * to "--x"); everything else is a positional argument (`-5` included). There is no `--name=value`
 * form: such an argument is a flag named `name=value`, unknown to every tool. `--` is a flag named "".
 * What a tool does with unknown flags, positional arguments, repeats and a missing value is its own
 * choice, made on the parsed arguments (see `collect` for the usual ones). node:util's parseArgs is not
 * used: it reads `--name=value`, `--`, short options and a value that looks like a flag otherwise.
 */

export type CommandLineArg =
  | { readonly kind: 'positional'; readonly value: string; readonly index: number }
  | { readonly kind: 'switch'; readonly name: string; readonly index: number }
  /** `value` is undefined when the flag was the last argument. */
  | { readonly kind: 'value'; readonly name: string; readonly value: string | undefined; readonly index: number }
  /** A flag the tool does not know; it takes no value here. */
  | { readonly kind: 'unknown'; readonly name: string; readonly index: number };

export interface CommandLineSpec {
  /** Flags without a value. */
  readonly switches?: readonly string[];
  /** Flags that take the next argument as their value; 'any': every flag but the switches does. */
  readonly values: readonly string[] | 'any';
}

/** The arguments in order, each with its index in `argv`. */
export function parseCommandLine(argv: readonly string[], spec: CommandLineSpec): CommandLineArg[] {
  const switches = new Set(spec.switches ?? []);
  const values = spec.values === 'any' ? null : new Set(spec.values);
  const out: CommandLineArg[] = [];
  for (let index = 0; index < argv.length; index++) {
    const raw = argv[index] as string;
    if (!raw.startsWith('--')) {
      out.push({ kind: 'positional', value: raw, index });
      continue;
    }
    const name = raw.slice(2);
    if (switches.has(name)) {
      out.push({ kind: 'switch', name, index });
    } else if (values === null || values.has(name)) {
      out.push({ kind: 'value', name, value: argv[index + 1], index });
      index++;
    } else {
      out.push({ kind: 'unknown', name, index });
    }
  }
  return out;
}

/** Flags and positional arguments gathered: every value of a flag in order, switches as a set. */
export interface CollectedArgs {
  readonly positionals: string[];
  readonly values: Map<string, string[]>;
  readonly switches: Set<string>;
}

/**
 * Gathers parsed arguments, stopping at the first problem: `missing(name)` for a flag without its value
 * (return null to pass over it), `unknown(name)` for an unknown flag and `positional(value)` for a
 * positional argument (return null to pass over an unknown flag, to keep a positional argument).
 */
export function collect(
  args: readonly CommandLineArg[],
  problems: { missing: (name: string) => Error | null; unknown?: (name: string) => Error | null; positional?: (value: string) => Error | null },
): CollectedArgs {
  const out: CollectedArgs = { positionals: [], values: new Map(), switches: new Set() };
  for (const arg of args) {
    let problem: Error | null = null;
    if (arg.kind === 'positional') {
      problem = problems.positional?.(arg.value) ?? null;
      out.positionals.push(arg.value);
    } else if (arg.kind === 'switch') {
      out.switches.add(arg.name);
    } else if (arg.kind === 'unknown') {
      problem = problems.unknown?.(arg.name) ?? null;
    } else if (arg.value === undefined) {
      problem = problems.missing(arg.name);
    } else {
      out.values.set(arg.name, [...(out.values.get(arg.name) ?? []), arg.value]);
    }
    if (problem !== null) throw problem;
  }
  return out;
}
