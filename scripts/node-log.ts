import { existsSync, readFileSync } from 'node:fs';

/** The text that a node's JSON log line with this message holds (for loggedLines and countLoggedLines). */
export function messageNeedle(message: string): string {
  return `"message":"${message}"`;
}

/** The lines of a node's JSON log `file` with this message, parsed (none if the file is missing). */
export function loggedLines(file: string, message: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes(messageNeedle(message)))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** How many lines of the logs `files` hold each text of `needles`, by key (each file read once; a missing one holds none). */
export function countLoggedLines<K extends string>(files: readonly string[], needles: Readonly<Record<K, string>>): Record<K, number> {
  const entries = Object.entries(needles) as Array<[K, string]>;
  const counts = Object.fromEntries(entries.map(([key]) => [key, 0])) as Record<K, number>;
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) for (const [key, needle] of entries) if (line.includes(needle)) counts[key]++;
  }
  return counts;
}
