import { EventEmitter } from 'node:events';
import { systemClock } from '../../raft/clock.js';
import type { Clock } from '../../raft/clock.js';
import { CodedError } from '../common/error-codes.js';

/** The DDL source's id, as in Milvus. */
export const DDL_SOURCE_ID = -1n;
/** commonpb.MsgType_TimeTick */
export const MSG_TYPE_TIME_TICK = 1200;

interface SourceReport {
  readonly channels: Map<string, bigint>;
  readonly defaultTs: bigint;
}

export interface TimeTick {
  readonly channel: string;
  readonly ts: bigint;
}

/**
 * Time-tick synchronisation (Milvus `timeticksync.go`): every source (the DDL source and each live
 * proxy session) reports per-channel timestamps; a round completes once every source has reported
 * since the last round, and then each channel in use ticks at the minimum over the sources. The DDL
 * source reports just below the oldest DDL in flight, so no tick ever passes an in-flight DDL. Ticks
 * never go backwards on a channel.
 */
export class TimeTickSync extends EventEmitter {
  private readonly sources = new Map<bigint, SourceReport | null>();
  private readonly lastTick = new Map<string, bigint>();
  /** When the current round got its first report (the clock's monotonicMs), or null before that. */
  private roundStartedMs: number | null = null;

  constructor(private readonly clock: Clock = systemClock) {
    super();
    this.sources.set(DDL_SOURCE_ID, null);
  }

  addSession(serverId: bigint): void {
    if (!this.sources.has(serverId)) this.sources.set(serverId, null);
  }

  removeSession(serverId: bigint): void {
    if (serverId !== DDL_SOURCE_ID) this.sources.delete(serverId);
  }

  sessionCount(): number {
    return this.sources.size - 1;
  }

  hasSession(serverId: bigint): boolean {
    return serverId !== DDL_SOURCE_ID && this.sources.has(serverId);
  }

  /** A proxy's UpdateChannelTimeTick, validated as Milvus does. */
  updateFromProxy(msgType: number, sourceId: bigint, channels: readonly string[], timestamps: ArrayLike<bigint>, defaultTs: bigint): void {
    if (msgType !== MSG_TYPE_TIME_TICK) throw new CodedError('ParameterInvalid', `invalid msg type ${msgType}, expect TimeTick (${MSG_TYPE_TIME_TICK})`);
    if (channels.length !== timestamps.length) throw new CodedError('ParameterInvalid', `invalid TimeTickMsg: ${channels.length} channel names but ${timestamps.length} timestamps`);
    if (!this.hasSession(sourceId)) throw new CodedError('Unexpected', `skip ChannelTimeTickMsg from un-recognized session ${sourceId}`);
    this.report(sourceId, channels, timestamps, defaultTs);
  }

  /** The DDL source's report: every channel in use at `ts`. Completes a round if everyone reported. */
  updateFromDdl(channels: readonly string[], ts: bigint): void {
    this.report(DDL_SOURCE_ID, channels, channels.map(() => ts), ts);
  }

  private report(sourceId: bigint, channels: readonly string[], timestamps: ArrayLike<bigint>, defaultTs: bigint): void {
    const map = new Map<string, bigint>();
    channels.forEach((c, i) => map.set(c, timestamps[i] as bigint));
    this.sources.set(sourceId, { channels: map, defaultTs });
    this.roundStartedMs ??= this.clock.monotonicMs();
    this.maybeCompleteRound();
  }

  private maybeCompleteRound(): void {
    for (const report of this.sources.values()) if (report === null) return;
    const ddl = this.sources.get(DDL_SOURCE_ID) as SourceReport;
    const ticks: TimeTick[] = [];
    for (const channel of ddl.channels.keys()) {
      let min: bigint | null = null;
      for (const report of this.sources.values()) {
        const ts = (report as SourceReport).channels.get(channel) ?? (report as SourceReport).defaultTs;
        if (min === null || ts < min) min = ts;
      }
      const last = this.lastTick.get(channel) ?? 0n;
      if (min !== null && min > last) {
        this.lastTick.set(channel, min);
        ticks.push({ channel, ts: min });
      }
    }
    for (const key of this.sources.keys()) this.sources.set(key, null);
    // 'round': how long the round waited, from its first source's report to its last (milliseconds).
    this.emit('round', this.clock.monotonicMs() - (this.roundStartedMs ?? this.clock.monotonicMs()));
    this.roundStartedMs = null;
    for (const tick of ticks) this.emit('tick', tick);
  }

  /** Forget everything (a new leader starts from scratch; ticks it sends are newer anyway). */
  reset(): void {
    this.sources.clear();
    this.sources.set(DDL_SOURCE_ID, null);
    this.roundStartedMs = null;
  }
}
