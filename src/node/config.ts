import type { Limits } from '../ddl/limits.js';

export interface MemberAddress {
  readonly peer: string;
  readonly client: string;
}

/** Everything one node needs; built from flags by `main.ts` or directly by tests. */
export interface NodeConfig {
  readonly id: number;
  readonly dataDir: string;
  /** Every initial member (including this node): raft peer and client addresses. */
  readonly members: ReadonlyMap<number, MemberAddress>;
  /** Join an existing cluster instead of bootstrapping one (the data dir must be empty). */
  readonly join: boolean;
  readonly metricsAddress: string | null;
  readonly tickIntervalMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly snapshotEntries: number;
  /** How often the leader sends DML channel time ticks (Milvus proxy.timeTickInterval: 200 ms). */
  readonly timeTickIntervalMs: number;
  readonly secret: string;
  readonly limits: Limits;
  readonly logFile: string | null;
  /** Chaos testing: allow InjectFaults (peer traffic faults, TSO clock offset). Never in production. */
  readonly chaos: boolean;
}
