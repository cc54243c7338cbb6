import { MemoryStorage } from '../../raft/memory-storage.js';
import { Prng } from '../../raft/prng.js';
import { RawNode } from '../../raft/raw-node.js';
import type { RaftConfig } from '../../raft/config.js';
import { EntryType, MessageType } from '../../raft/types.js';
import type { Entry, Message, ReadState } from '../../raft/types.js';

export interface HarnessNode {
  readonly id: number;
  raw: RawNode;
  readonly storage: MemoryStorage;
  readonly applied: Entry[];
  readonly readStates: ReadState[];
  up: boolean;
}

/**
 * A synchronous in-memory cluster for claim-by-claim tests: every Ready is persisted, sent and
 * applied at once; messages wait in one FIFO queue until `deliver()` or `stabilize()`.
 */
export class ClusterHarness {
  readonly nodes = new Map<number, HarnessNode>();
  queue: Message[] = [];
  /** Messages for which this returns true are dropped. */
  drop: (m: Message) => boolean = () => false;
  readonly sent: Message[] = [];

  constructor(
    ids: readonly number[],
    private readonly overrides: Partial<Omit<RaftConfig, 'id'>> = {},
    voters: readonly number[] = ids,
  ) {
    for (const id of ids) {
      const storage = voters.includes(id) ? MemoryStorage.bootstrapped(voters) : new MemoryStorage();
      this.nodes.set(id, { id, raw: this.makeRaw(id, storage, 0), storage, applied: [], readStates: [], up: true });
    }
    for (const id of ids) this.process(id);
  }

  private makeRaw(id: number, storage: MemoryStorage, applied: number): RawNode {
    return new RawNode(
      { electionTicks: 10, heartbeatTicks: 1, random: new Prng(id), applied, ...this.overrides, id },
      storage,
    );
  }

  node(id: number): HarnessNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  /** Drain every Ready of one node: persist, queue messages, apply, advance. */
  process(id: number): void {
    const node = this.node(id);
    while (node.up && node.raw.hasReady()) {
      const rd = node.raw.ready();
      if (rd.hardState !== null) node.storage.setHardState(rd.hardState);
      if (rd.snapshot !== null) node.storage.applySnapshot(rd.snapshot);
      node.storage.append(rd.entries);
      for (const m of rd.messages) {
        this.sent.push(m);
        this.queue.push(m);
      }
      for (const entry of rd.committedEntries) node.applied.push(entry);
      node.readStates.push(...rd.readStates);
      node.raw.advance(rd);
    }
  }

  processAll(): void {
    for (const id of this.nodes.keys()) this.process(id);
  }

  /** Deliver the queued messages once (new ones produced meanwhile stay queued). */
  deliver(): number {
    const batch = this.queue;
    this.queue = [];
    let delivered = 0;
    for (const m of batch) {
      const to = this.nodes.get(m.to);
      if (to === undefined || !to.up || this.drop(m)) continue;
      to.raw.step(m);
      delivered++;
      this.process(m.to);
    }
    return delivered;
  }

  stabilize(roundsMax = 1000): void {
    this.processAll();
    for (let round = 0; round < roundsMax && this.queue.length > 0; round++) this.deliver();
  }

  tick(id: number, ticks = 1): void {
    for (let i = 0; i < ticks; i++) this.node(id).raw.tick();
    this.process(id);
  }

  /** Tick every node, delivering all traffic after each round of ticks. */
  tickAll(ticks = 1): void {
    for (let i = 0; i < ticks; i++) {
      for (const node of this.nodes.values()) if (node.up) this.tick(node.id);
      this.stabilize();
    }
  }

  campaign(id: number): void {
    this.node(id).raw.campaign();
    this.stabilize();
  }

  propose(id: number, text: string): void {
    this.node(id).raw.propose(new TextEncoder().encode(text));
    this.stabilize();
  }

  /** Crash a node and restart it from its storage (which survives, as a disk would). */
  restart(id: number): void {
    const node = this.node(id);
    node.raw = this.makeRaw(id, node.storage, node.storage.snapshot().metadata.index);
    node.applied.length = 0;
    node.up = true;
    this.process(id);
  }

  appliedData(id: number): string[] {
    return this.node(id)
      .applied.filter((e) => e.type === EntryType.Normal && e.data.byteLength > 0)
      .map((e) => new TextDecoder().decode(e.data));
  }

  sentOfType(type: MessageType): Message[] {
    return this.sent.filter((m) => m.type === type);
  }

  /** Sever all traffic between `a` and the rest (both ways). */
  isolate(a: number): void {
    const previous = this.drop;
    this.drop = (m) => m.from === a || m.to === a || previous(m);
  }

  healAll(): void {
    this.drop = () => false;
  }
}
