import { readFileSync } from 'node:fs';

/** True if the process runs; a killed process whose parent is gone may linger as a zombie until reaped: not alive. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
