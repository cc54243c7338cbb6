import { expect } from 'chai';
import { stringify } from '../../src/common/bigint-json.js';
import { decodeCommand, encodeCommand } from '../../src/meta/commands.js';
import type { MetaCommand } from '../../src/meta/commands.js';
import { FieldInterner } from '../../src/meta/field-interner.js';
import { CollectionState, ConsistencyLevel, DataType, PartitionState } from '../../src/meta/model.js';
import type { CollectionModel, FieldModel } from '../../src/meta/model.js';

const field = (id: bigint, name: string, dataType: DataType): FieldModel => ({
  fieldID: id, name, is_primary_key: id === 100n, description: 'ünï "q"', data_type: dataType, type_params: dataType === DataType.FloatVector ? [{ key: 'dim', value: '8' }] : [], index_params: [],
  autoID: false, element_type: DataType.None, default_value: null, is_dynamic: false, is_partition_key: false, is_clustering_key: false, nullable: false, is_function_output: false,
});
const collection: CollectionModel = {
  collectionID: 470840858022248455n, dbID: 1n, name: 'c', description: '', autoID: false,
  fields: [field(100n, 'id', DataType.Int64), field(101n, 'v', DataType.FloatVector)],
  partitions: [{ partitionID: 7n, partitionName: '_default', createdTs: 5n, collectionID: 470840858022248455n, state: PartitionState.Created }],
  virtualChannelNames: ['v0'], physicalChannelNames: ['p0'], shardsNum: 1, consistencyLevel: ConsistencyLevel.Bounded, createTs: 5n, properties: [],
  enableDynamicField: false, state: CollectionState.Creating, updateTs: 5n, numPartitionsHint: 0n,
};
const put: MetaCommand = { kind: 'putCollection', ts: 5n, collection };
const commands: MetaCommand[] = [put, { kind: 'request', requestId: 'r1', ts: 5n, command: put }, { kind: 'batch', commands: [{ kind: 'idWindow', upTo: 9n }, put] }];

/** The putCollection inside a command. */
function inner(command: MetaCommand): CollectionModel {
  if (command.kind === 'putCollection') return command.collection;
  if (command.kind === 'request') return inner(command.command);
  if (command.kind === 'batch') return inner(command.commands[1] as MetaCommand);
  throw new Error(command.kind);
}

describe('replicated commands as log entries', () => {
  it('carry a collection\'s fields as their stored texts, found as the shared fields when applied; everything else as it was', () => {
    const interner = new FieldInterner();
    for (const command of commands) {
      const data = encodeCommand(command, (f) => interner.textOf(f));
      const text = new TextDecoder().decode(data);
      expect(text).to.contain(JSON.stringify(stringify(collection.fields[0])));
      const decoded = decodeCommand(data, (t) => interner.fromText(t));
      expect(decoded).to.deep.equal(command);
      const fields = inner(decoded).fields;
      // The interner's objects: one per distinct field, whichever command carried it.
      expect(fields[0]).to.equal(interner.fromText(stringify(collection.fields[0])));
      expect(Object.isFrozen(fields[1])).to.equal(true);
    }
    // Without an interner, plain objects.
    expect(decodeCommand(encodeCommand(put))).to.deep.equal(put);
  });

  it('read entries written before, whose fields are objects', () => {
    const interner = new FieldInterner();
    for (const command of commands) {
      const before = new TextEncoder().encode(stringify(command));
      expect(decodeCommand(before, (t) => interner.fromText(t))).to.deep.equal(command);
    }
  });

  it('stop at an entry of a kind this build does not know (a newer build wrote it), at any depth, naming it', () => {
    const future = { kind: 'putWidget', ts: 5n };
    for (const command of [future, { kind: 'request', requestId: 'r', ts: 5n, command: future }, { kind: 'batch', commands: [{ kind: 'idWindow', upTo: 9n }, future] }, { nokind: 1 }]) {
      expect(() => decodeCommand(new TextEncoder().encode(stringify(command)))).to.throw(/which this build does not know: it was written by a newer build/);
    }
  });
});
