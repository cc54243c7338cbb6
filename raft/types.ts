/**
 * The data model of the Raft core: log entries, messages, hard and soft state, snapshots and the
 * Ready bundle the core hands to its host. Terms and indexes are `number`s; the core asserts they stay
 * below 2^53.
 */
import type { SnapshotData } from './snapshot-data.js';

export const NONE = 0;

export enum EntryType {
  Normal = 0,
  ConfChange = 1,
}

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

export enum MessageType {
  /** Local: start an election. */
  Hup = 0,
  /** Local: the leader should send heartbeats. */
  Beat = 1,
  Prop = 2,
  App = 3,
  AppResp = 4,
  Vote = 5,
  VoteResp = 6,
  PreVote = 7,
  PreVoteResp = 8,
  Snap = 9,
  Heartbeat = 10,
  HeartbeatResp = 11,
  /** Local: the transport could not reach a peer. */
  Unreachable = 12,
  /** Local: the transport finished (or failed) sending a snapshot. */
  SnapStatus = 13,
  /** Local: the leader checks that a quorum is still active. */
  CheckQuorum = 14,
  TransferLeader = 15,
  TimeoutNow = 16,
  ReadIndex = 17,
  ReadIndexResp = 18,
  /** Local: the transport found no process listening at a peer's address (its connection was refused). */
  PeerDown = 19,
}

export const localMessageTypes: ReadonlySet<MessageType> = new Set([
  MessageType.Hup,
  MessageType.Beat,
  MessageType.Unreachable,
  MessageType.SnapStatus,
  MessageType.CheckQuorum,
  MessageType.PeerDown,
]);

/** `context` flag on Vote/PreVote messages sent because of a leadership transfer. */
export const CAMPAIGN_TRANSFER = 1;

export interface ConfState {
  readonly voters: readonly number[];
  readonly learners: readonly number[];
}

export interface SnapshotMetadata {
  readonly index: number;
  readonly term: number;
  readonly confState: ConfState;
}

export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  /** In memory, or (a big one) in a file: see snapshot-data.ts. */
  readonly data: SnapshotData;
}

export interface Message {
  type: MessageType;
  to: number;
  from: number;
  term: number;
  /** Term of the entry at `index` (App), or of the last log entry (Vote), or a reject hint term. */
  logTerm: number;
  index: number;
  entries: Entry[];
  commit: number;
  snapshot: Snapshot | null;
  reject: boolean;
  rejectHint: number;
  /** Read rounds (Heartbeat), read requests (ReadIndex) and the campaign-transfer flag (Vote). */
  context: number;
}

export function message(fields: Partial<Message> & Pick<Message, 'type'>): Message {
  return {
    to: NONE,
    from: NONE,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    snapshot: null,
    reject: false,
    rejectHint: 0,
    context: 0,
    ...fields,
  };
}

export interface HardState {
  readonly term: number;
  readonly vote: number;
  readonly commit: number;
}

export const emptyHardState: HardState = { term: 0, vote: NONE, commit: 0 };

export function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

export enum StateRole {
  Follower = 'Follower',
  PreCandidate = 'PreCandidate',
  Candidate = 'Candidate',
  Leader = 'Leader',
}

export interface SoftState {
  readonly lead: number;
  readonly role: StateRole;
}

/** A linearizable read point: once applied >= index, the host may serve the read tagged `requestCtx`. */
export interface ReadState {
  readonly index: number;
  readonly requestCtx: number;
}

export enum ConfChangeType {
  AddVoter = 0,
  AddLearner = 1,
  RemoveNode = 2,
}

export interface ConfChange {
  readonly type: ConfChangeType;
  readonly nodeId: number;
  /** Opaque to the core; hosts carry the new member's address here. */
  readonly context?: string;
}

/**
 * What the host must do, in this order: persist `hardState`, `entries` and `snapshot` (one fsync),
 * send `messages`, apply `snapshot` then `committedEntries` to the state machine, serve `readStates`
 * once applied, then call `advance(ready)`. When `sendBeforePersist` is true the messages may be sent
 * in parallel with the fsync (a leader replicating its own new entries).
 */
export interface Ready {
  readonly softState: SoftState | null;
  readonly hardState: HardState | null;
  readonly entries: readonly Entry[];
  readonly snapshot: Snapshot | null;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly readStates: readonly ReadState[];
  readonly mustSync: boolean;
  readonly sendBeforePersist: boolean;
}

export function entryBytes(entry: Entry): number {
  return entry.data.byteLength + 24;
}

export function entriesBytes(entries: readonly Entry[]): number {
  let total = 0;
  for (const e of entries) total += entryBytes(e);
  return total;
}

/** Limit a run of entries to `maxBytes`, always keeping at least the first. */
export function limitEntriesBytes<T extends Entry>(entries: T[], maxBytes: number): T[] {
  if (entries.length === 0) return entries;
  let size = entryBytes(entries[0] as T);
  let n = 1;
  for (; n < entries.length; n++) {
    size += entryBytes(entries[n] as T);
    if (size > maxBytes) break;
  }
  return n === entries.length ? entries : entries.slice(0, n);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeConfChange(cc: ConfChange): Uint8Array {
  return encoder.encode(JSON.stringify({ type: cc.type, nodeId: cc.nodeId, context: cc.context ?? '' }));
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  const parsed: unknown = JSON.parse(decoder.decode(data));
  if (typeof parsed !== 'object' || parsed === null) throw new Error('conf change: not an object');
  const { type, nodeId, context } = parsed as { type?: unknown; nodeId?: unknown; context?: unknown };
  if (typeof type !== 'number' || !(type in ConfChangeType)) throw new Error(`conf change: bad type ${String(type)}`);
  if (typeof nodeId !== 'number' || !Number.isSafeInteger(nodeId) || nodeId <= 0) {
    throw new Error(`conf change: bad node id ${String(nodeId)}`);
  }
  return { type: type as ConfChangeType, nodeId, context: typeof context === 'string' ? context : '' };
}
