import { existsSync, readFileSync } from 'node:fs';

/** The lines of a node's JSON log `file` with this message, parsed (none if the file is missing). */
export function loggedLines(file: string, message: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes(`"message":"${message}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
