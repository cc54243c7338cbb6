import { appendFileSync } from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

/** JSON-lines logs: time (from `wallMs`), level, node, term, message, fields; to stdout or a file. */
export class Logger {
  term = 0;

  constructor(
    private readonly node: number,
    private readonly file: string | null = null,
    private readonly minLevel: LogLevel = 'info',
    /** The wall clock that dates each line (milliseconds since the epoch). */
    protected readonly wallMs: () => number = Date.now,
  ) {}

  private static readonly order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

  log(level: LogLevel, message: string, fields: LogFields = {}): void {
    if (Logger.order[level] < Logger.order[this.minLevel]) return;
    const line = JSON.stringify({ time: new Date(this.wallMs()).toISOString(), level, node: this.node, term: this.term, message, ...fields }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    if (this.file === null) process.stdout.write(`${line}\n`);
    else appendFileSync(this.file, `${line}\n`, { mode: 0o600 });
  }

  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }
}
