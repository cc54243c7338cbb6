/** Majority math over a set of voters. Learners never count. */

export enum VoteResult {
  Pending = 'Pending',
  Won = 'Won',
  Lost = 'Lost',
}

export function quorumSize(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/** The largest index that a majority of voters have matched. `match` gives 0 for unknown voters. */
export function committedIndex(voters: ReadonlySet<number>, match: (id: number) => number): number {
  if (voters.size === 0) return Number.MAX_SAFE_INTEGER;
  const matches: number[] = [];
  for (const id of voters) matches.push(match(id));
  matches.sort((a, b) => b - a);
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
