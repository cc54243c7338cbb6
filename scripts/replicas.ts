/**
 * Replica convergence checks shared by scripts/chaos, scripts/lost-ack and the fuzzers' cluster
 * (test/fuzz/fixtures/fuzz-cluster.ts): every node's MetaTable digest (admin Digest).
 */
import { RootCoordClient } from '../src/client/root-coord-client.js';
import { MEMORY_DIFFERS_LOG, MEMORY_SAME_LOG, REPLICA_DIFFERS_LOG } from '../src/meta/replica-checks.js';
import { REPLICA_CHECK_PROPOSED_LOG } from '../src/node/replica-check-loop.js';
import type { ClientOptions } from '../src/client/root-coord-client.js';

export interface ReplicaDigest {
  appliedIndex: string;
  digest: string;
}

export interface DigestRound {
  /** Per endpoint, in order: its digest, or null if it did not answer. */
  answers: Array<ReplicaDigest | null>;
  /** Every node answered, all at one applied index: only then are the digests comparable. */
  sameIndex: boolean;
}

/**
 * One admin Digest from every node at once, each through a client of its own bound to that node.
 * Digests are comparable only at the same applied index (the leader keeps proposing TSO windows and
 * time ticks), so a caller asks again until `sameIndex`.
 */
export async function readDigests(endpoints: readonly string[], options: Omit<Partial<ClientOptions>, 'endpoints'> = {}): Promise<DigestRound> {
  const answers = await Promise.all(
    endpoints.map(async (endpoint) => {
      const c = new RootCoordClient({ retryBudgetMs: 0, ...options, endpoints: [endpoint] });
      try {
        const d = await c.call('Digest', {}, 'admin');
        return { appliedIndex: String(d['applied_index']), digest: String(d['digest']) };
      } catch {
        return null;
      } finally {
        c.close();
      }
    }),
  );
  const answered = answers.filter((a): a is ReplicaDigest => a !== null);
  return { answers, sameIndex: answered.length === endpoints.length && new Set(answered.map((a) => a.appliedIndex)).size === 1 };
}

/**
 * What the nodes' logs say of replica checks (src/meta/replica-checks.ts, src/node/replica-check-loop.ts),
 * for countLoggedLines: the checks a leader proposed on its timer, and the comparisons that found a
 * replica different from the leader.
 */
export const REPLICA_CHECK_LOG_LINES = { checksProposed: REPLICA_CHECK_PROPOSED_LOG, checksDiffering: REPLICA_DIFFERS_LOG, memoryDiffering: MEMORY_DIFFERS_LOG, memorySame: MEMORY_SAME_LOG } as const;
