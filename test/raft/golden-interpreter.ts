import { MemoryStorage } from '../../raft/memory-storage.js';
import { Prng } from '../../raft/prng.js';
import { RawNode } from '../../raft/raw-node.js';
import { ConfChangeType, decodeConfChange, EntryType, MessageType } from '../../raft/types.js';
import type { Entry, Message, Ready } from '../../raft/types.js';

interface GoldenNode {
  raw: RawNode;
  storage: MemoryStorage;
  applied: number;
}

const decoder = new TextDecoder();

function formatEntry(e: Entry): string {
  if (e.type === EntryType.ConfChange) {
    const cc = decodeConfChange(e.data);
    return `${e.term}/${e.index} ConfChange ${ConfChangeType[cc.type]} ${cc.nodeId}`;
  }
  return `${e.term}/${e.index} ${JSON.stringify(decoder.decode(e.data))}`;
}

export function formatMessage(m: Message): string {
  const parts = [`${m.from}->${m.to} ${MessageType[m.type]} Term:${m.term}`];
  if (m.type === MessageType.App || m.type === MessageType.Vote || m.type === MessageType.PreVote) parts.push(`Log:${m.logTerm}/${m.index}`);
  if (m.type === MessageType.AppResp || m.type === MessageType.ReadIndexResp) parts.push(`Index:${m.index}`);
  if (m.type === MessageType.App || m.type === MessageType.Heartbeat) parts.push(`Commit:${m.commit}`);
  if (m.reject) parts.push(`Rejected (Hint: ${m.rejectHint}/${m.logTerm})`);
  if (m.context !== 0) parts.push(`Context:${m.context}`);
  if (m.entries.length > 0) parts.push(`Entries:[${m.entries.map(formatEntry).join(', ')}]`);
  if (m.snapshot !== null) parts.push(`Snapshot:${m.snapshot.metadata.term}/${m.snapshot.metadata.index} voters=${m.snapshot.metadata.confState.voters.join(',') || '-'} learners=${m.snapshot.metadata.confState.learners.join(',') || '-'}`);
  return parts.join(' ');
}

/**
 * Interprets golden scripts in the style of etcd-io/raft's testdata: each command drives in-memory
 * nodes and prints exactly what happened (Readies, messages, state), to be compared with the file.
 */
export class GoldenInterpreter {
  private readonly nodes = new Map<number, GoldenNode>();
  private queue: Message[] = [];
  private readonly isolated = new Set<number>();
  private config: { electionTicks: number; heartbeatTicks: number; preVote: boolean; checkQuorum: boolean; maxInflightMsgs: number; maxUncommittedBytes: number; maxMsgBytes: number } = {
    electionTicks: 10,
    heartbeatTicks: 1,
    preVote: true,
    checkQuorum: true,
    maxInflightMsgs: 256,
    maxUncommittedBytes: 64 * 1024 * 1024,
    maxMsgBytes: 1024 * 1024,
  };

  run(command: string, args: Map<string, string>, positional: string[]): string {
    const out: string[] = [];
    const id = (i = 0): number => Number(positional[i]);
    switch (command) {
      case 'add-nodes':
        this.addNodes(Number(positional[0]), args, out);
        break;
      case 'campaign':
        this.node(id()).raw.campaign();
        break;
      case 'propose':
        this.guarded(out, () => this.node(id()).raw.propose(new TextEncoder().encode(positional[1] ?? '')));
        break;
      case 'propose-conf-change': {
        const type = { 'add-voter': ConfChangeType.AddVoter, 'add-learner': ConfChangeType.AddLearner, remove: ConfChangeType.RemoveNode }[positional[1] ?? ''];
        if (type === undefined) throw new Error(`unknown conf change ${String(positional[1])}`);
        this.guarded(out, () => this.node(id()).raw.proposeConfChange({ type, nodeId: Number(positional[2]) }));
        break;
      }
      case 'tick-heartbeat':
        for (let i = 0; i < this.config.heartbeatTicks; i++) this.node(id()).raw.tick();
        break;
      case 'tick':
        for (let i = 0; i < Number(positional[1]); i++) this.node(id()).raw.tick();
        break;
      case 'tick-election':
        for (let i = 0; i < 2 * this.config.electionTicks; i++) this.node(id()).raw.tick();
        break;
      case 'read-index':
        this.guarded(out, () => this.node(id()).raw.readIndex(Number(positional[1])));
        break;
      case 'transfer-leader':
        this.node(id()).raw.transferLeader(Number(positional[1]));
        break;
      case 'report-unreachable':
        this.node(id()).raw.reportUnreachable(Number(positional[1]));
        break;
      case 'report-peer-down':
        this.node(id()).raw.reportPeerDown(Number(positional[1]));
        break;
      case 'isolate':
        this.isolated.add(id());
        break;
      case 'heal':
        this.isolated.clear();
        break;
      case 'process-ready':
        this.processReady(id(), out);
        break;
      case 'deliver-msgs':
        this.deliver(out);
        break;
      case 'stabilize':
        this.stabilize(out);
        break;
      case 'compact':
        this.compact(id(), out);
        break;
      case 'status':
        this.status(id(), out);
        break;
      case 'raft-log':
        this.raftLog(id(), out);
        break;
      default:
        throw new Error(`unknown command ${command}`);
    }
    return out.length === 0 ? 'ok' : out.join('\n');
  }

  private guarded(out: string[], action: () => void): void {
    try {
      action();
    } catch (error) {
      out.push(`error: ${(error as Error).message}`);
    }
  }

  private node(id: number): GoldenNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  private addNodes(count: number, args: Map<string, string>, out: string[]): void {
    const flag = (name: string, fallback: number): number => Number(args.get(name) ?? fallback);
    this.config = {
      electionTicks: flag('election', 10),
      heartbeatTicks: flag('heartbeat', 1),
      preVote: (args.get('prevote') ?? 'true') === 'true',
      checkQuorum: (args.get('checkquorum') ?? 'true') === 'true',
      maxInflightMsgs: flag('max-inflight', 256),
      maxUncommittedBytes: flag('max-uncommitted', 64 * 1024 * 1024),
      maxMsgBytes: flag('max-msg-bytes', 1024 * 1024),
    };
    const voters = (args.get('voters') ?? Array.from({ length: count }, (_, i) => i + 1).join(',')).split(',').map(Number);
    const first = this.nodes.size + 1;
    for (let id = first; id < first + count; id++) {
      const storage = voters.includes(id) ? MemoryStorage.bootstrapped(voters) : new MemoryStorage();
      const raw = new RawNode({ id, random: new Prng(id), ...this.config }, storage);
      this.nodes.set(id, { raw, storage, applied: 0 });
      this.processReady(id, out, true);
    }
  }

  /** Persist, collect messages, apply and advance one Ready; print it unless quiet. */
  private processReady(id: number, out: string[], quiet = false): boolean {
    const node = this.node(id);
    if (!node.raw.hasReady()) return false;
    const rd = node.raw.ready();
    if (!quiet) out.push(...this.formatReady(id, rd));
    if (rd.hardState !== null) node.storage.setHardState(rd.hardState);
    if (rd.snapshot !== null) {
      node.storage.applySnapshot(rd.snapshot);
      node.applied = rd.snapshot.metadata.index;
    }
    node.storage.append(rd.entries);
    this.queue.push(...rd.messages);
    for (const e of rd.committedEntries) node.applied = e.index;
    node.raw.advance(rd);
    return true;
  }

  private formatReady(id: number, rd: Ready): string[] {
    const lines = [`> ${id} handling Ready`];
    if (rd.softState !== null) lines.push(`  Lead:${rd.softState.lead} State:${rd.softState.role}`);
    if (rd.hardState !== null) lines.push(`  HardState Term:${rd.hardState.term} Vote:${rd.hardState.vote} Commit:${rd.hardState.commit}`);
    if (rd.snapshot !== null) lines.push(`  Snapshot ${rd.snapshot.metadata.term}/${rd.snapshot.metadata.index}`);
    if (rd.entries.length > 0) lines.push('  Entries:', ...rd.entries.map((e) => `  ${formatEntry(e)}`));
    if (rd.committedEntries.length > 0) lines.push('  CommittedEntries:', ...rd.committedEntries.map((e) => `  ${formatEntry(e)}`));
    if (rd.messages.length > 0) lines.push('  Messages:', ...rd.messages.map((m) => `  ${formatMessage(m)}`));
    if (rd.readStates.length > 0) lines.push('  ReadStates:', ...rd.readStates.map((r) => `  ctx ${r.requestCtx} index ${r.index}`));
    return lines;
  }

  private deliver(out: string[]): boolean {
    const batch = this.queue;
    this.queue = [];
    const byTarget = new Map<number, Message[]>();
    for (const m of batch) {
      if (this.isolated.has(m.from) || this.isolated.has(m.to)) {
        out.push(`  dropped: ${formatMessage(m)}`);
        continue;
      }
      const list = byTarget.get(m.to) ?? [];
      list.push(m);
      byTarget.set(m.to, list);
    }
    for (const [to, messages] of [...byTarget].sort((a, b) => a[0] - b[0])) {
      if (!this.nodes.has(to)) continue;
      out.push(`> ${to} receiving messages`);
      for (const m of messages) {
        out.push(`  ${formatMessage(m)}`);
        this.guarded(out, () => this.node(to).raw.step(m));
      }
    }
    return batch.length > 0;
  }

  private stabilize(out: string[]): void {
    for (let round = 0; round < 100; round++) {
      let progressed = false;
      for (const id of [...this.nodes.keys()].sort((a, b) => a - b)) progressed = this.processReady(id, out) || progressed;
      progressed = this.deliver(out) || progressed;
      if (!progressed) return;
    }
    out.push('stabilize: gave up after 100 rounds');
  }

  private compact(id: number, out: string[]): void {
    const node = this.node(id);
    node.storage.createSnapshot(node.applied, node.raw.confState(), new TextEncoder().encode(`state@${node.applied}`));
    node.storage.compact(node.applied);
    out.push(`compacted ${id} to ${node.applied}`);
  }

  private status(id: number, out: string[]): void {
    const st = this.node(id).raw.status();
    out.push(`${id}: ${st.role} term ${st.term} lead ${st.lead} commit ${st.commit} applied ${st.applied} last ${st.lastIndex} voters ${st.confState.voters.join(',') || '-'} learners ${st.confState.learners.join(',') || '-'}`);
    for (const [peer, p] of [...st.progress].sort((a, b) => a[0] - b[0])) {
      out.push(`  ${peer}: ${p.state} match=${p.match} next=${p.next}${p.isLearner ? ' learner' : ''}`);
    }
  }

  private raftLog(id: number, out: string[]): void {
    const log = this.node(id).raw.raft.log;
    const entries = log.slice(log.firstIndex(), log.lastIndex() + 1, Number.MAX_SAFE_INTEGER);
    out.push(entries.length === 0 ? 'log is empty' : entries.map(formatEntry).join('\n'));
  }
}
