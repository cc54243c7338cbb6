import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RaftHandle } from '../../raft/raft-handle.js';
import type { ThreadHealthReport } from '../../raft/raft-worker-protocol.js';
import { LOOP_SAMPLE_MS, sampleLoopDelay } from '../../raft/thread-health.js';
import type { PasswordHasher } from '../auth/password-hash.js';
import type { Scheduler } from '../ddl/scheduler.js';
import type { CatalogView } from '../meta/catalog-view.js';
import type { ReplicaChecks } from '../meta/replica-checks.js';
import type { NodeConfig } from '../node/config.js';
import type { TimeTickSync } from '../timetick/time-tick-sync.js';
import { StateRole } from '../../raft/types.js';
import { physicalChannelNames } from '../ddl/dml-channels.js';
import { physicalMs } from '../common/hybrid-ts.js';
import type { TimeTick } from '../timetick/time-tick-sync.js';

/** The bucket bounds (seconds) of rootcoord_eventloop_delay_seconds (scripts/bench reads them). */
export const EVENT_LOOP_DELAY_BUCKETS: readonly number[] = [0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2, 5];

/**
 * This thread's event-loop delay (raft/thread-health.ts sampleLoopDelay) into a cumulative histogram: a
 * scraper takes the difference of two scrapes for the distribution over any stretch of time (a whole
 * benchmark run, for its p99), which prom-client's nodejs_eventloop_lag_* (percentiles since the last
 * scrape, each sample including the 10 ms interval) cannot give.
 */
export function watchEventLoopDelay(histogram: Histogram): NodeJS.Timeout {
  return sampleLoopDelay((seconds) => histogram.observe(seconds));
}

/**
 * rootcoord_eventloop_delay_seconds, for watchEventLoopDelay (a node's request thread, or scripts/bench's
 * bystander); with `raftThread`, rootcoord_raft_thread_eventloop_delay_seconds, which the Raft thread
 * samples the same way and reports.
 */
export function eventLoopDelayHistogram(registers: Registry[], raftThread = false): Histogram {
  return new Histogram({
    name: raftThread ? 'rootcoord_raft_thread_eventloop_delay_seconds' : 'rootcoord_eventloop_delay_seconds',
    help: raftThread
      ? `How late a ${LOOP_SAMPLE_MS} ms timer on the Raft thread (heartbeats, ticks, log writes, peer transport) ran, every time it ran`
      : `How late a ${LOOP_SAMPLE_MS} ms timer on the request thread ran, every time it ran (the event loop's delay, without the interval itself; nodejs_eventloop_lag_* include it)`,
    registers,
    buckets: [...EVENT_LOOP_DELAY_BUCKETS],
  });
}

/** What the metrics read of a node when scraped, and the events they count (RootCoordNode provides it). */
export interface MetricsSource {
  readonly config: Pick<NodeConfig, 'id' | 'limits'>;
  readonly raft: Pick<RaftHandle, 'status' | 'counters' | 'pendingProposals' | 'on'>;
  readonly meta: CatalogView;
  readonly passwords: Pick<PasswordHasher, 'load'>;
  readonly timeTicks: Pick<TimeTickSync, 'sessionCount' | 'on'>;
  readonly scheduler: Pick<Scheduler, 'retriesDeduplicated' | 'onTaskDone'>;
  readonly replicaChecks: Pick<ReplicaChecks, 'counts' | 'memoryCounts' | 'memoryDiffers' | 'diverged'>;
  isServingLeader(): boolean;
}

/**
 * Every metric of a node, defined once: Milvus-compatible RootCoord names (so existing dashboards work)
 * and Raft metrics in the spirit of etcd's. Gauges are read from the node when scraped.
 */
export class NodeMetrics {
  readonly registry = new Registry();
  private readonly ddlCount: Counter<'function_name' | 'status'>;
  private readonly ddlLatency: Histogram<'function_name'>;
  private readonly ddlQueueLatency: Histogram<'function_name'>;
  private readonly idAllocCount: Counter;
  private readonly delayTimer: NodeJS.Timeout;

  constructor(node: MetricsSource) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.ddlCount = new Counter({ name: 'milvus_rootcoord_ddl_req_count', help: 'DDL and other RootCoord requests by function and status (total|success|fail)', labelNames: ['function_name', 'status'], registers });
    this.ddlLatency = new Histogram({ name: 'milvus_rootcoord_ddl_req_latency', help: 'Request latency in seconds', labelNames: ['function_name'], registers, buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
    this.ddlQueueLatency = new Histogram({ name: 'milvus_rootcoord_ddl_req_latency_in_queue', help: 'Time a DDL task waited for its locks, in seconds', labelNames: ['function_name'], registers, buckets: [0.0001, 0.001, 0.01, 0.1, 1, 10] });
    this.idAllocCount = new Counter({ name: 'milvus_rootcoord_id_alloc_count', help: 'IDs allocated', registers });
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({ name, help, registers, collect(this: Gauge) { this.set(read()); } });
    };
    // A count the node keeps itself (it only grows): a counter, moved on by what it grew since the last
    // scrape. With `label`, `read` gives a count per value of that label (each one's series from the first scrape).
    const counter = (name: string, help: string, read: () => number | Readonly<Record<string, number>>, label?: string): void => {
      const seen = new Map<string, number>();
      new Counter({
        name,
        help,
        labelNames: label === undefined ? [] : [label],
        registers,
        collect(this: Counter<string>) {
          const now = read();
          for (const [value, count] of typeof now === 'number' ? [['', now] as const] : Object.entries(now)) {
            const before = seen.get(value) ?? 0;
            this.inc(label === undefined ? {} : { [label]: value }, Math.max(0, count - before));
            seen.set(value, Math.max(before, count));
          }
        },
      });
    };
    const status = () => node.raft.status();
    gauge('rootcoord_raft_has_leader', '1 if this node knows a leader', () => (status().lead !== 0 ? 1 : 0));
    gauge('rootcoord_raft_is_leader', '1 if this node is the leader', () => (status().role === StateRole.Leader ? 1 : 0));
    gauge('rootcoord_raft_term', 'Current Raft term', () => status().term);
    gauge('rootcoord_raft_commit_index', 'Raft commit index', () => status().commit);
    gauge('rootcoord_raft_applied_index', 'Index applied to the MetaTable', () => node.meta.appliedIndex);
    gauge('rootcoord_raft_snapshot_index', 'Index of the newest snapshot', () => status().firstIndex - 1);
    gauge('milvus_rootcoord_timestamp_saved', 'The persisted TSO window (physical ms)', () => Number(node.meta.tsoWindowMs));
    gauge('milvus_rootcoord_database_num', 'Databases', () => node.meta.listDatabases().length);
    gauge('milvus_rootcoord_credential_num', 'Users (credentials), root included', () => node.meta.rbac.credentials.size);
    gauge('milvus_rootcoord_num_of_roles', 'Roles, admin and public included', () => node.meta.rbac.roles.size);
    gauge('rootcoord_password_checks_running', 'Password hashes and checks running on the worker threads', () => node.passwords.load?.().running ?? 0);
    gauge('rootcoord_password_checks_waiting', 'Password hashes and checks waiting for a worker thread', () => node.passwords.load?.().waiting ?? 0);
    // Kept up to date as commands apply: a scrape at 200,000 collections walked them all (10 to 30 ms of the request thread).
    gauge('milvus_rootcoord_partition_num', 'Partitions of available collections', () => node.meta.availablePartitionCount());
    gauge('rootcoord_replica_diverged', "1 if this replica's catalog digest differed from the leader's at the last replica check compared (src/meta/replica-checks.ts)", () => (node.replicaChecks.diverged ? 1 : 0));
    gauge('rootcoord_replica_memory_differs', "1 if this replica's memory (what it serves) differed from its own catalog store at a check and fewer checks in a row than the catalog has parts found it the same since (src/meta/memory-check.ts); a restart clears it", () => (node.replicaChecks.memoryDiffers ? 1 : 0));
    counter('rootcoord_replica_memory_checks_total', "This replica's checks of its memory (what it serves) against its own catalog store at each replica check, by result (same, different, unavailable: the check failed)", () => node.replicaChecks.memoryCounts, 'result');
    counter('rootcoord_replica_checks_total', "Replica checks compared on this replica (a follower) with the leader's digest, by result (match, mismatch, unavailable: no digest of its own at the mark)", () => node.replicaChecks.counts, 'result');
    gauge('milvus_rootcoord_proxy_num', 'Live proxy sessions on this node (the leader)', () => node.timeTicks.sessionCount());
    gauge('milvus_rootcoord_dml_channel_num', 'Physical DML channels', () => physicalChannelNames(node.config.limits).length);
    new Gauge({
      name: 'milvus_rootcoord_collection_num',
      help: 'Available collections per database',
      labelNames: ['db_name'],
      registers,
      collect(this: Gauge<'db_name'>) {
        this.reset();
        for (const db of node.meta.listDatabases()) {
          this.set({ db_name: db.name }, node.meta.createdCollectionCount(db.id));
        }
      },
    });
    const fsync = new Histogram({ name: 'rootcoord_disk_wal_fsync_duration_seconds', help: 'Raft log writes with sync, one per Ready', registers, buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
    const apply = new Histogram({ name: 'rootcoord_raft_apply_duration_seconds', help: 'Applying a batch of committed entries to the MetaTable', registers, buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25] });
    const snapshots = new Counter({ name: 'rootcoord_raft_snapshot_saved_total', help: 'Snapshots taken (log compactions)', registers });
    node.raft.on('persisted', (seconds: number) => fsync.observe(seconds));
    node.raft.on('applied', (seconds: number) => apply.observe(seconds));
    node.raft.on('snapshot', () => snapshots.inc());
    const peerRtt = new Histogram({
      name: 'rootcoord_network_peer_round_trip_time_seconds',
      help: 'Round trips to each peer, timed by the leader from a heartbeat to its answer',
      labelNames: ['peer'],
      registers,
      buckets: [0.0001, 0.0002, 0.0004, 0.0008, 0.0016, 0.0032, 0.0064, 0.0128, 0.0256, 0.0512, 0.1024, 0.2048, 0.4096, 0.8192],
    });
    node.raft.on('peer-rtt', (peer: number, seconds: number) => peerRtt.observe({ peer: String(peer) }, seconds));
    this.raftThreadMetrics(node, registers, gauge);
    // Read when scraped, so a channel whose ticks stop shows a growing lag; only the serving leader sends ticks.
    const lastTickMs = new Map<string, number>();
    new Gauge({
      name: 'milvus_rootcoord_produce_tt_lag_ms',
      help: 'Now minus the physical time of the last time tick sent on each DML channel (ms; the serving leader only)',
      labelNames: ['channel_name'],
      registers,
      collect(this: Gauge<'channel_name'>) {
        this.reset();
        if (!node.isServingLeader()) return;
        const now = Date.now();
        for (const [channel, ms] of lastTickMs) this.set({ channel_name: channel }, now - ms);
      },
    });
    const ttSync = new Histogram({ name: 'milvus_rootcoord_sync_timetick_latency', help: 'How long a time-tick round waited for all its sources (DDL and proxy sessions), in ms', registers, buckets: [1, 5, 10, 25, 50, 100, 200, 400, 1000, 5000] });
    node.timeTicks.on('tick', (tick: TimeTick) => lastTickMs.set(tick.channel, Number(physicalMs(tick.ts))));
    node.timeTicks.on('round', (ms: number) => ttSync.observe(ms));
    // Counted by Raft from its start: changes before these metrics were made (main.ts makes them once its
    // serving modules are loaded, after Raft's start) count too.
    counter('rootcoord_raft_leader_changes_seen_total', 'Times this node learned of a new leader (after none or another), as etcd counts them', () => node.raft.counters.leaderChangesSeen);
    counter('rootcoord_raft_proposals_committed_total', 'Proposals made on this node and applied', () => node.raft.counters.proposalsCommitted);
    counter('rootcoord_raft_proposals_failed_total', 'Proposals made on this node that failed', () => node.raft.counters.proposalsFailed);
    gauge('rootcoord_raft_proposals_pending', 'Proposals waiting to be applied', () => node.raft.pendingProposals());
    counter('rootcoord_ddl_retries_joined_total', 'DDL retries joined to the attempt still running (same request ID)', () => node.scheduler.retriesDeduplicated.joined);
    counter('rootcoord_ddl_retries_answered_total', 'DDL retries answered from the record of a request that took effect', () => node.scheduler.retriesDeduplicated.recorded);
    gauge('milvus_rootcoord_timestamp', 'The persisted TSO window minus the 3 s save interval (physical ms)', () => Number(node.meta.tsoWindowMs) - 3000);
    node.scheduler.onTaskDone = (timing) => this.ddlQueueLatency.observe({ function_name: timing.name }, timing.queueMs / 1000);
    this.delayTimer = watchEventLoopDelay(eventLoopDelayHistogram(registers));
  }

  /**
   * The Raft thread's own health (raft/thread-health.ts), reported by it with its status: its event
   * loop's delay (every 10 ms, how late a 10 ms timer ran, as rootcoord_eventloop_delay_seconds for the
   * request thread: a heartbeat, a tick or a log write waits as long), its GC pauses, its heap. Zero
   * until its first report (about a second after the start), and always where Raft runs on the host's
   * own thread (the simulators).
   */
  private raftThreadMetrics(node: MetricsSource, registers: Registry[], gauge: (name: string, help: string, read: () => number) => void): void {
    const delay = eventLoopDelayHistogram(registers, true);
    const gc = new Histogram({
      name: 'rootcoord_raft_thread_gc_duration_seconds',
      help: 'Garbage collections on the Raft thread, by kind (minor, major, incremental, weakcb), in seconds',
      labelNames: ['kind'],
      registers,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    });
    let heap: ThreadHealthReport['heap'] = { usedBytes: 0, externalBytes: 0 };
    gauge('rootcoord_raft_thread_heap_used_bytes', "The Raft thread's V8 heap in use, as last reported by it", () => heap.usedBytes);
    gauge('rootcoord_raft_thread_external_memory_bytes', "The Raft thread's memory outside its V8 heap (ArrayBuffers: log entries held, frames), as last reported by it", () => heap.externalBytes);
    node.raft.on('thread-health', (report: ThreadHealthReport) => {
      for (const seconds of report.loopDelays) delay.observe(seconds);
      for (const [kind, seconds] of report.gcPauses) gc.observe({ kind }, seconds);
      heap = report.heap;
    });
  }

  /** Stops the event-loop delay timer (it does not keep the process alive either way). */
  close(): void {
    clearInterval(this.delayTimer);
  }

  /** One request finished (called by the API wrapper). */
  observe(method: string, _kind: string, ok: boolean, seconds: number): void {
    this.ddlCount.inc({ function_name: method, status: 'total' });
    this.ddlCount.inc({ function_name: method, status: ok ? 'success' : 'fail' });
    this.ddlLatency.observe({ function_name: method }, seconds);
    if (method === 'AllocID' && ok) this.idAllocCount.inc();
  }
}
