/**
 * Hardening (session 34, reading what the core takes from an append): an append's entries follow its
 * index one by one, with terms that never fall along the log and never pass the sender's term. The
 * core trusts that and took any others as they came: entries with a gap or out of order were written
 * to the log as they were (entry 9 at position 5), entries of a later term than the leader's too (this
 * member then looked more up to date than it is in elections), and an append whose first entry
 * skipped ahead was acknowledged up to an index this member did not hold. No correct peer sends one;
 * the codec refuses them, so a frame carrying one is dropped with its connection, as malformed data
 * is, before the core sees it. So are the other messages that describe their sender's log with a term
 * past their own (a vote's, an answer's), and a snapshot of a later term than the message carrying it:
 * a log holds no entry of a term later than its holder's. The peer-port fuzzer now sends such frames
 * too (they decode to an error, so they are among those it may send: `harmless` in peer-port.test.ts).
 */
import { expect } from 'chai';
import { decodeFrame, encodeFrame, MalformedMessageError } from '../../raft/message-codec.js';
import { message, MessageType } from '../../raft/types.js';
import type { Entry } from '../../raft/types.js';
import { ClusterHarness } from '../raft/cluster-harness.js';

const entry = (index: number, term: number): Entry => ({ index, term, type: 0, data: new Uint8Array([1]) });

/** Each misshapen append: after index 3 (of term 1), sent in term 2. */
const MISSHAPEN: ReadonlyArray<[string, number, Entry[]]> = [
  ['a gap between entries', 1, [entry(4, 2), entry(9, 2)]],
  ['the same index twice', 1, [entry(4, 2), entry(4, 2)]],
  ['entries out of order', 1, [entry(4, 2), entry(3, 2)]],
  ['a first entry that skips ahead', 1, [entry(7, 2)]],
  ['a term falling along the log', 1, [entry(4, 2), entry(5, 1)]],
  ['an entry of a term below the one it follows', 2, [entry(4, 1)]],
  ['an entry of a later term than the sender\'s', 1, [entry(4, 5)]],
  ['a previous entry of a later term than the sender\'s', 3, []],
];

describe('message codec: the shape of an append', () => {
  it('what the core does with such an append (why the codec refuses it)', () => {
    const c = new ClusterHarness([1, 2, 3]);
    c.campaign(1);
    const follower = c.node(2).raw.raft;
    const last = follower.log.lastIndex();
    const term = follower.term;
    // A first entry that skips ahead: nothing is appended, yet the answer acknowledges last + 1.
    follower.step(message({ type: MessageType.App, from: 1, to: 2, term, index: last, logTerm: follower.log.lastTerm(), entries: [entry(last + 5, term)] }));
    const answer = follower.msgs.find((m) => m.type === MessageType.AppResp);
    expect(answer?.reject).to.equal(false);
    expect(answer?.index).to.equal(last + 1);
    expect(follower.log.lastIndex()).to.equal(last);
  });

  for (const [what, logTerm, entries] of MISSHAPEN) {
    it(`refuses an append with ${what}`, () => {
      const bytes = encodeFrame(1, [message({ type: MessageType.App, from: 1, to: 2, term: 2, index: 3, logTerm, entries })], null);
      expect(() => decodeFrame(bytes)).to.throw(MalformedMessageError, /an append|names a log entry/);
    });
  }

  it('accepts what leaders send: empty appends, and entries in order whose terms rise to the sender\'s', () => {
    const appends: Array<[number, number, number, Entry[]]> = [
      [2, 3, 1, []],
      [2, 0, 0, [entry(1, 1), entry(2, 1), entry(3, 2)]],
      [5, 3, 1, [entry(4, 1), entry(5, 3), entry(6, 5), entry(7, 5)]],
    ];
    for (const [term, index, logTerm, list] of appends) {
      const decoded = decodeFrame(encodeFrame(1, [message({ type: MessageType.App, from: 1, to: 2, term, index, logTerm, entries: list })], null));
      expect(decoded.messages[0]?.entries.map((e) => [e.index, e.term])).to.deep.equal(list.map((e) => [e.index, e.term]));
    }
  });

  for (const type of [MessageType.AppResp, MessageType.Vote, MessageType.PreVote]) {
    it(`refuses ${MessageType[type]} naming a log entry of a later term than its own`, () => {
      expect(() => decodeFrame(encodeFrame(1, [message({ type, from: 1, to: 2, term: 2, index: 3, logTerm: 3 })], null))).to.throw(MalformedMessageError, /names a log entry of term 3/);
      expect(decodeFrame(encodeFrame(1, [message({ type, from: 1, to: 2, term: 2, index: 3, logTerm: 2 })], null)).messages[0]?.logTerm).to.equal(2);
    });
  }

  it('refuses a snapshot of a later term than the message carrying it', () => {
    const snap = (term: number): Uint8Array =>
      encodeFrame(1, [], { message: message({ type: MessageType.Snap, from: 1, to: 2, term: 2, snapshot: { metadata: { index: 10, term, confState: { voters: [1, 2, 3], learners: [] } }, data: new Uint8Array(0) } }), offset: 0, totalBytes: 1, data: new Uint8Array([1]) });
    expect(() => decodeFrame(snap(3))).to.throw(MalformedMessageError, /a snapshot of term 3 sent in term 2/);
    expect(decodeFrame(snap(2)).snapshotChunk?.message.snapshot?.metadata.term).to.equal(2);
  });

  it('leaves other messages\' entries alone (a forwarded proposal\'s entries have no index yet)', () => {
    const decoded = decodeFrame(encodeFrame(2, [message({ type: MessageType.Prop, from: 2, to: 1, term: 0, entries: [entry(0, 0), entry(0, 0)] })], null));
    expect(decoded.messages[0]?.entries).to.have.length(2);
  });
});
