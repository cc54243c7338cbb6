import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { localMessageTypes, MessageType } from './types.js';
import type { Entry, EntryType, Message, SnapshotMetadata } from './types.js';

const protoPath = fileURLToPath(new URL('../../proto/raft.proto', import.meta.url));
const root = protobuf.loadSync(protoPath);
export const FrameType = root.lookupType('rootcoord.raft.Frame');

export interface WireSnapshotChunk {
  readonly message: Message;
  readonly offset: number;
  readonly totalBytes: number;
  readonly data: Uint8Array;
}

export interface WireFrame {
  readonly from: number;
  readonly messages: Message[];
  readonly snapshotChunk: WireSnapshotChunk | null;
}

export class MalformedMessageError extends Error {
  override name = 'MalformedMessageError';
}

function toWireMessage(m: Message): Record<string, unknown> {
  return {
    type: m.type,
    to: m.to,
    from: m.from,
    term: m.term,
    logTerm: m.logTerm,
    index: m.index,
    entries: m.entries,
    commit: m.commit,
    reject: m.reject,
    rejectHint: m.rejectHint,
    context: m.context,
    snapshot: m.snapshot === null ? null : m.snapshot.metadata,
  };
}

export function encodeFrame(from: number, messages: readonly Message[], chunk: WireSnapshotChunk | null): Uint8Array {
  const frame: Record<string, unknown> = { from, messages: messages.map(toWireMessage) };
  if (chunk !== null) frame['snapshotChunk'] = { ...chunk, message: toWireMessage(chunk.message) };
  return FrameType.encode(FrameType.fromObject(frame)).finish();
}

/**
 * The largest number a peer may send (2^52). Terms and indexes are counted up from what peers send
 * (a higher term is adopted, then incremented by the next election), so a value near 2^53 would push
 * the node past what it can store: one frame with term 2^53 - 1 stopped every node of a cluster (the
 * peer-port fuzzer found it). 2^52 leaves room and is never reached honestly.
 */
export const WIRE_NUMBER_MAX = 2 ** 52;

function wholeNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > WIRE_NUMBER_MAX) throw new MalformedMessageError(`${field} is not a whole number up to 2^52: ${String(value)}`);
  return value;
}

/** The messages whose log term describes their sender's log (so is at most their term). */
const LOG_TERM_TYPES: ReadonlySet<number> = new Set([MessageType.App, MessageType.AppResp, MessageType.Vote, MessageType.PreVote]);

/**
 * An append is a piece of the leader's log: its entries follow `index` one by one, and their terms
 * never fall along the log (from `logTerm`, the term at `index`) nor pass the leader's own term. The
 * core takes an append's entries as they come: entries with a gap, out of order, or of a later term
 * than the leader's were written to the log as they were, and one whose first entry skipped ahead was
 * acknowledged up to an index this member did not hold. No correct peer sends one.
 */
function checkAppendShape(term: number, index: number, logTerm: number, entries: readonly Entry[]): void {
  let previousTerm = logTerm;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Entry;
    if (entry.index !== index + 1 + i) throw new MalformedMessageError(`an append after index ${index} holds entry ${entry.index} at position ${i}`);
    if (entry.term < previousTerm || entry.term > term) throw new MalformedMessageError(`an append of term ${term} holds entry ${entry.index} of term ${entry.term} after one of term ${previousTerm}`);
    previousTerm = entry.term;
  }
}

interface DecodedWireMessage {
  type: number;
  to: unknown;
  from: unknown;
  term: unknown;
  logTerm: unknown;
  index: unknown;
  entries: Array<{ term: unknown; index: unknown; type: number; data: Uint8Array | undefined }>;
  commit: unknown;
  reject: boolean;
  rejectHint: unknown;
  context: unknown;
  snapshot: { index: unknown; term: unknown; confState: { voters: unknown[]; learners: unknown[] } | null } | null;
}

function fromWireMessage(w: DecodedWireMessage): Message {
  if (!(w.type in MessageType) || localMessageTypes.has(w.type)) throw new MalformedMessageError(`message type ${w.type} is not a peer message`);
  const entries: Entry[] = w.entries.map((e) => ({
    term: wholeNumber(e.term, 'entry.term'),
    index: wholeNumber(e.index, 'entry.index'),
    type: (e.type === 1 ? 1 : 0) as EntryType,
    data: e.data instanceof Uint8Array ? e.data : new Uint8Array(0),
  }));
  let snapshotMetadata: SnapshotMetadata | null = null;
  if (w.snapshot !== null) {
    const cs = w.snapshot.confState;
    snapshotMetadata = {
      index: wholeNumber(w.snapshot.index, 'snapshot.index'),
      term: wholeNumber(w.snapshot.term, 'snapshot.term'),
      confState: {
        voters: (cs?.voters ?? []).map((v) => wholeNumber(v, 'voter')),
        learners: (cs?.learners ?? []).map((v) => wholeNumber(v, 'learner')),
      },
    };
  }
  const term = wholeNumber(w.term, 'term');
  // Only these leave without their sender's term (Raft.send); any other message of term 0 would be
  // taken for one of the receiver's current term (a VoteResp of term 0 then failed an assertion).
  if (term === 0 && w.type !== MessageType.Prop && w.type !== MessageType.ReadIndex && w.type !== MessageType.TransferLeader) {
    throw new MalformedMessageError(`${MessageType[w.type] ?? w.type} without a term`);
  }
  const index = wholeNumber(w.index, 'index');
  const logTerm = wholeNumber(w.logTerm, 'logTerm');
  // A log's terms never pass the term of the member that holds it: what a vote, an append or its answer
  // says of its sender's log, and a snapshot's last entry, are of a term no later than the message's.
  if (logTerm > term && LOG_TERM_TYPES.has(w.type)) throw new MalformedMessageError(`${MessageType[w.type]} of term ${term} names a log entry of term ${logTerm}`);
  if (snapshotMetadata !== null && snapshotMetadata.term > term) throw new MalformedMessageError(`a snapshot of term ${snapshotMetadata.term} sent in term ${term}`);
  if (w.type === MessageType.App) checkAppendShape(term, index, logTerm, entries);
  return {
    type: w.type as MessageType,
    to: wholeNumber(w.to, 'to'),
    from: wholeNumber(w.from, 'from'),
    term,
    logTerm,
    index,
    entries,
    commit: wholeNumber(w.commit, 'commit'),
    snapshot: snapshotMetadata === null ? null : { metadata: snapshotMetadata, data: new Uint8Array(0) },
    reject: w.reject,
    rejectHint: wholeNumber(w.rejectHint, 'rejectHint'),
    context: wholeNumber(w.context, 'context'),
  };
}

/** Decode and validate a frame; throws MalformedMessageError on anything a peer should never send. */
export function decodeFrame(bytes: Uint8Array): WireFrame {
  let decoded: { from: unknown; messages: DecodedWireMessage[]; snapshotChunk: (Omit<WireSnapshotChunk, 'message'> & { message: DecodedWireMessage | null }) | null };
  try {
    decoded = FrameType.decode(bytes) as unknown as typeof decoded;
  } catch (error) {
    throw new MalformedMessageError(`undecodable frame: ${(error as Error).message}`);
  }
  const chunk = decoded.snapshotChunk;
  let snapshotChunk: WireSnapshotChunk | null = null;
  if (chunk !== null && chunk !== undefined) {
    if (chunk.message === null) throw new MalformedMessageError('snapshot chunk without its message');
    snapshotChunk = {
      message: fromWireMessage(chunk.message),
      offset: wholeNumber(chunk.offset, 'chunk.offset'),
      totalBytes: wholeNumber(chunk.totalBytes, 'chunk.totalBytes'),
      data: chunk.data instanceof Uint8Array ? chunk.data : new Uint8Array(0),
    };
  }
  const messages = decoded.messages.map(fromWireMessage);
  // A snapshot travels only in chunks (its data is there); a snapshot message among the messages would
  // be restored with no data at all.
  if (messages.some((m) => m.type === MessageType.Snap || m.snapshot !== null)) throw new MalformedMessageError('a snapshot message outside a snapshot chunk');
  if (snapshotChunk !== null && (snapshotChunk.message.type !== MessageType.Snap || snapshotChunk.message.snapshot === null)) throw new MalformedMessageError('a snapshot chunk whose message is not a snapshot');
  return { from: wholeNumber(decoded.from, 'frame.from'), messages, snapshotChunk };
}
