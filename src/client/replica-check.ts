import { RootCoordClient, RootCoordError } from './root-coord-client.js';
import type { ClientOptions } from './root-coord-client.js';

/** One endpoint's digest at a replica check's mark, or why it has none. */
export interface ReplicaAtMark {
  readonly endpoint: string;
  readonly digest: string | null;
  readonly error: string | null;
}

export interface ReplicaCheckReport {
  /** The mark's log index. */
  readonly index: string;
  readonly leaderDigest: string;
  readonly replicas: readonly ReplicaAtMark[];
  /** Replicas whose digest is not the leader's. */
  readonly differ: number;
  /** Replicas that gave no digest at the mark. */
  readonly unanswered: number;
}

/**
 * A replica check from outside (rootcoordctl cluster check, scripts/chaos): CheckReplicas on the leader
 * (through any of `endpoints`: a mark through the log, the leader's digest there), then each endpoint's
 * own digest at that mark (admin Digest with the index), each through a client bound to it. A digest
 * at a large catalog takes seconds (about 5 s at 100,000 collections): the deadlines are long.
 */
export async function checkReplicas(endpoints: readonly string[], options: Omit<Partial<ClientOptions>, 'endpoints'> = {}): Promise<ReplicaCheckReport> {
  // The leader: retried (another endpoint, a new leader) for up to 30 s. Each replica: one attempt
  // (a node that is down answers at once that it is not there, instead of being retried for minutes).
  const client = (to: readonly string[], retryBudgetMs: number): RootCoordClient => new RootCoordClient({ attemptDeadlineMs: 300_000, retryBudgetMs, ...options, endpoints: to });
  const leader = client(endpoints, 30_000);
  let index: string;
  let leaderDigest: string;
  try {
    const check = await leader.call('CheckReplicas', {}, 'admin');
    index = String(check['index']);
    leaderDigest = String(check['digest']);
  } finally {
    leader.close();
  }
  const replicas = await Promise.all(
    endpoints.map(async (endpoint): Promise<ReplicaAtMark> => {
      const member = client([endpoint], 0);
      try {
        const answer = await member.call('Digest', { index }, 'admin');
        return { endpoint, digest: String(answer['digest']), error: null };
      } catch (error) {
        return { endpoint, digest: null, error: error instanceof RootCoordError ? error.reason : (error as Error).message };
      } finally {
        member.close();
      }
    }),
  );
  return {
    index,
    leaderDigest,
    replicas,
    differ: replicas.filter((r) => r.digest !== null && r.digest !== leaderDigest).length,
    unanswered: replicas.filter((r) => r.digest === null).length,
  };
}
