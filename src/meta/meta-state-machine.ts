import type { SnapshotData, SnapshotSource } from '../../raft/snapshot-data.js';
import { assert } from '../../raft/assert.js';
import type { AppliedEntry, StateMachine } from '../../raft/raft-node.js';
import { ConfChangeType } from '../../raft/types.js';
import { isMemberContext } from '../common/member-address.js';
import { decodeCommand } from './commands.js';
import type { MetaCommand } from './commands.js';
import type { ApplyResult, MetaTable } from './meta-table.js';
import type { FieldModel } from './model.js';
import type { ReplicaChecks } from './replica-checks.js';

/**
 * The replicated state machine: committed Raft entries are MetaCommands applied to the MetaTable;
 * membership changes are recorded there too, with the members' addresses.
 */
export class MetaStateMachine implements StateMachine {
  /** Fields in commands by their texts, shared with the catalog's (commands.ts). */
  private readonly fieldFromText: (text: string) => FieldModel;

  /**
   * `checks`: replica checks' marks and comparisons (none: marks are applied and nothing is taken);
   * `checkMemory`: at each mark, memory is compared with the store too (MetaTable.checkMemory).
   */
  constructor(
    readonly table: MetaTable,
    private readonly checks: ReplicaChecks | null = null,
    private readonly checkMemory = true,
  ) {
    this.fieldFromText = (text) => table.fieldFromText(text);
  }

  appliedIndex(): number {
    return this.table.appliedIndex;
  }

  async apply(entries: readonly AppliedEntry[]): Promise<ApplyResult[]> {
    const commands: Array<MetaCommand | null> = entries.map((e) => {
      if (e.confChange !== null) {
        const cc = e.confChange;
        if (cc.type === ConfChangeType.RemoveNode) return { kind: 'deleteMember', id: cc.nodeId };
        const context = cc.context ?? '';
        return isMemberContext(context) ? { kind: 'putMember', id: cc.nodeId, context } : null;
      }
      return e.data === null || e.data.byteLength === 0 ? null : decodeCommand(e.data, this.fieldFromText);
    });
    const last = entries[entries.length - 1];
    if (last === undefined) return [];
    // Entries come in order, each exactly once: a skipped one would be a silent divergence.
    assert((entries[0] as AppliedEntry).index === this.table.appliedIndex + 1, `apply from ${(entries[0] as AppliedEntry).index} after ${this.table.appliedIndex}`);
    const checks = this.checks;
    if (checks === null) return this.table.apply(commands, last.index);
    // A replica check's mark: apply up to it, take the digest there, then apply the rest; a check of
    // memory against the store follows the digest.
    const results: ApplyResult[] = [];
    let from = 0;
    for (let i = 0; i < commands.length; i++) {
      const command = commands[i];
      // A comparison looks its digest up in log order (later marks of the batch would make it old).
      if (command?.kind === 'digestCompare') void checks.compare(command.index, command.digest, command.leader);
      if (command?.kind !== 'digestMark') continue;
      const index = (entries[i] as AppliedEntry).index;
      results.push(...(await this.table.apply(commands.slice(from, i + 1), index)));
      checks.taken(command.id, index, this.table.digestForMark(() => checks.wanted(index)));
      if (this.checkMemory) void checks.memoryChecked(this.table.checkMemory());
      from = i + 1;
    }
    if (from === 0) return this.table.apply(commands, last.index);
    if (from < commands.length) results.push(...(await this.table.apply(commands.slice(from), last.index)));
    return results;
  }

  snapshot(): Promise<Uint8Array> {
    return this.table.snapshot();
  }

  /** The catalog in pieces made as the Raft worker writes them (never whole in memory). */
  async snapshotLater(): Promise<() => Promise<SnapshotSource>> {
    const produce = await this.table.snapshotLater();
    return async () => produce();
  }

  persist(): Promise<void> {
    return this.table.persist();
  }

  restore(data: SnapshotData, index: number): Promise<void> {
    return this.table.restore(data, index);
  }
}
