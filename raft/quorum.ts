/** Majority math over a set of voters. Learners never count. */

export enum VoteResult {
  Pending = 'Pending',
  Won = 'Won',
  Lost = 'Lost',
}

export function quorumSize(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/**
 * The largest index that a majority of voters have matched. `match` gives 0 for unknown voters.
 * The leader computes it at every append answer: the matches are sorted (descending) by insertion as
 * they are read, because Array.prototype.sort allocates its own work state on every call (about 1.4 KB,
 * a tenth of everything the Raft thread allocated during a fill).
 */
export function committedIndex(voters: ReadonlySet<number>, match: (id: number) => number): number {
  if (voters.size === 0) return Number.MAX_SAFE_INTEGER;
  const matches: number[] = [];
  for (const id of voters) {
    const m = match(id);
    let i = matches.length;
    matches.push(m);
    for (; i > 0 && (matches[i - 1] as number) < m; i--) matches[i] = matches[i - 1] as number;
    matches[i] = m;
  }
  return matches[quorumSize(voters.size) - 1] as number;
}

export function voteResult(voters: ReadonlySet<number>, votes: ReadonlyMap<number, boolean>): VoteResult {
  if (voters.size === 0) return VoteResult.Won;
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const vote = votes.get(id);
    if (vote === true) granted++;
    else if (vote === false) rejected++;
  }
  const needed = quorumSize(voters.size);
  if (granted >= needed) return VoteResult.Won;
  if (voters.size - rejected >= needed) return VoteResult.Pending;
  return VoteResult.Lost;
}

export function hasQuorum(voters: ReadonlySet<number>, present: (id: number) => boolean): boolean {
  let count = 0;
  for (const id of voters) if (present(id)) count++;
  return count >= quorumSize(voters.size);
}
