/**
 * Members added at runtime are part of the replicated catalog: a membership change applied by Raft is
 * recorded with its addresses, travels in snapshots, and is forgotten when the member is removed.
 */
import { expect } from 'chai';
import { MemoryLevel } from 'memory-level';
import { ConfChangeType } from '../../raft/types.js';
import { MetaStateMachine } from '../../src/meta/meta-state-machine.js';
import { MetaTable } from '../../src/meta/meta-table.js';
import { VersionedStore } from '../../src/meta/versioned-store.js';

async function table(): Promise<MetaTable> {
  return MetaTable.over(VersionedStore.over(new MemoryLevel<string, string>({ keyEncoding: 'utf8', valueEncoding: 'utf8' })));
}

describe('MetaTable members', () => {
  it('records added members with their addresses, keeps them in snapshots, drops removed ones', async () => {
    const source = await table();
    const machine = new MetaStateMachine(source);
    const address = JSON.stringify({ peer: '127.0.0.1:7004', client: '127.0.0.1:6004' });
    await machine.apply([
      { index: 1, term: 1, data: null, confChange: { type: ConfChangeType.AddVoter, nodeId: 1 } },
      { index: 2, term: 2, data: null, confChange: { type: ConfChangeType.AddLearner, nodeId: 4, context: address } },
      { index: 3, term: 2, data: null, confChange: { type: ConfChangeType.AddLearner, nodeId: 5, context: address } },
      { index: 4, term: 2, data: null, confChange: { type: ConfChangeType.RemoveNode, nodeId: 5 } },
    ]);
    expect([...source.members]).to.deep.equal([[4, address]]);
    const copy = await table();
    await copy.restore(await source.snapshot(), 4);
    expect([...copy.members]).to.deep.equal([[4, address]]);
    expect(await copy.digest()).to.equal(await source.digest());
  });
});
