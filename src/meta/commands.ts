import { parse, stringify } from '../common/bigint-json.js';
import type { RbacChange } from '../rbac/rbac-table.js';
import type { AliasModel, CollectionModel, CollectionState, DatabaseModel, FieldModel, PartitionModel, PartitionState } from './model.js';

/**
 * The replicated commands: catalog mutations that every replica applies deterministically, in log
 * order. The leader decides (IDs, timestamps, validation under the scheduler's locks); the commands
 * only record the decision. `ts` is the hybrid timestamp the change is versioned at.
 */
export type MetaCommand =
  | { readonly kind: 'putDatabase'; readonly ts: bigint; readonly database: DatabaseModel }
  | { readonly kind: 'deleteDatabase'; readonly ts: bigint; readonly dbID: bigint }
  | { readonly kind: 'putCollection'; readonly ts: bigint; readonly collection: CollectionModel }
  /**
   * A collection's state changes, nothing else (its other properties, updateTs included, stay): what
   * putCollection of the collection with that state does, in an entry that does not carry the whole
   * collection again. Refused if the collection does not exist.
   */
  | { readonly kind: 'setCollectionState'; readonly ts: bigint; readonly collectionID: bigint; readonly state: CollectionState }
  /** Remove a collection; with `ifState`, only while it is still in that state (an undo that must not race a commit). */
  | { readonly kind: 'deleteCollection'; readonly ts: bigint; readonly collectionID: bigint; readonly ifState?: CollectionState }
  /** Insert or replace one partition of a collection (by partition ID). */
  | { readonly kind: 'putPartition'; readonly ts: bigint; readonly collectionID: bigint; readonly partition: PartitionModel }
  /** Remove one partition; with `ifState`, only while it is still in that state (a rollback that must not race a commit). */
  | { readonly kind: 'deletePartition'; readonly ts: bigint; readonly collectionID: bigint; readonly partitionID: bigint; readonly ifState?: PartitionState }
  | { readonly kind: 'putAlias'; readonly ts: bigint; readonly alias: AliasModel }
  | { readonly kind: 'deleteAlias'; readonly ts: bigint; readonly dbID: bigint; readonly name: string }
  /** Users, roles, grants and privilege groups (unversioned; `ts` only orders the request). */
  | { readonly kind: 'rbac'; readonly ts: bigint; readonly change: RbacChange }
  /** The TSO may issue physical times strictly below this bound (ms). */
  | { readonly kind: 'tsoWindow'; readonly windowMs: bigint }
  /** The ID allocator may issue IDs strictly below this bound. */
  | { readonly kind: 'idWindow'; readonly upTo: bigint }
  /**
   * Garbage-collect catalog versions: drop versions older than `versionsBeforeTs` (keeping the latest
   * version of every key) and remove keys deleted before `tombstonesBeforeTs` entirely.
   */
  | { readonly kind: 'gcVersions'; readonly versionsBeforeTs: bigint; readonly tombstonesBeforeTs: bigint }
  /**
   * A client request taking effect: apply `command` and, in the same batch, remember `requestId`, so
   * that a retry of the same request (after a lost answer or a leader change) is answered, not run twice.
   */
  | { readonly kind: 'request'; readonly requestId: string; readonly ts: bigint; readonly command: MetaCommand }
  /** Forget the request IDs recorded before `beforeTs` (their clients have long stopped retrying). */
  | { readonly kind: 'expireRequests'; readonly beforeTs: bigint }
  /**
   * A membership change applied by Raft, recorded with its member's addresses (the conf change's
   * context, JSON `{peer, client}`) so that they travel in snapshots; never proposed as a command.
   */
  | { readonly kind: 'putMember'; readonly id: number; readonly context: string }
  | { readonly kind: 'deleteMember'; readonly id: number }
  /** Several commands applied atomically. */
  | { readonly kind: 'batch'; readonly commands: readonly MetaCommand[] }
  /**
   * A replica check's mark (replica-checks.ts): every replica takes its catalog digest at this entry's
   * index, after applying it and before the next. `id` names the check (the leader's, to find its index).
   * Never inside a request or a batch.
   */
  | { readonly kind: 'digestMark'; readonly id: string }
  /** The leader's digest at the mark at `index`: every replica compares its own with it. */
  | { readonly kind: 'digestCompare'; readonly index: number; readonly digest: string; readonly leader: number };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A command as its log entry: bigint-JSON, except that the fields of a putCollection go as their
 * stored texts (strings in the array, FieldInterner's `textOf`). A replica applying it finds each
 * shared field by its text (`fromText`): nothing to parse, and no stringify to find it (parsing the
 * fields and stringifying them again to intern them cost every replica about 20 us per
 * CreateCollection). Entries written before hold the fields as objects; both are read.
 */
export function encodeCommand(command: MetaCommand, fieldText: (field: FieldModel) => string = stringify): Uint8Array {
  return encoder.encode(stringify(withFieldTexts(command, fieldText)));
}

/**
 * The command of a log entry. An entry this build cannot apply (a kind it does not know: written by a
 * newer build) stops the replica with an error that says so: skipping it would leave this replica's
 * catalog behind the others'.
 */
export function decodeCommand(data: Uint8Array, fromText: (text: string) => FieldModel = parse): MetaCommand {
  const command = parse<MetaCommand>(decoder.decode(data));
  prepareDecoded(command, fromText);
  return command;
}

/** Every kind this build applies (a kind added to MetaCommand and not here does not compile). */
const KINDS: Readonly<Record<MetaCommand['kind'], true>> = {
  putDatabase: true, deleteDatabase: true, putCollection: true, setCollectionState: true, deleteCollection: true, putPartition: true, deletePartition: true,
  putAlias: true, deleteAlias: true, rbac: true, tsoWindow: true, idWindow: true, gcVersions: true, request: true, expireRequests: true, putMember: true,
  deleteMember: true, batch: true, digestMark: true, digestCompare: true,
};

function withFieldTexts(command: MetaCommand, fieldText: (field: FieldModel) => string): unknown {
  switch (command.kind) {
    case 'putCollection':
      return { ...command, collection: { ...command.collection, fields: command.collection.fields.map(fieldText) } };
    case 'request':
      return { ...command, command: withFieldTexts(command.command, fieldText) };
    case 'batch':
      return { ...command, commands: command.commands.map((c) => withFieldTexts(c, fieldText)) };
    default:
      return command;
  }
}

/**
 * A decoded command, in place (it is fresh from parse), at any depth of a request or batch: its kind
 * checked, a putCollection's field texts made the shared field objects.
 */
function prepareDecoded(command: MetaCommand, fromText: (text: string) => FieldModel): void {
  const kind = (command as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !Object.hasOwn(KINDS, kind)) {
    throw new Error(`a log entry holds a command of kind ${JSON.stringify(kind)}, which this build does not know: it was written by a newer build. Upgrade this member (see the README, "Upgrades")`);
  }
  if (command.kind === 'request') prepareDecoded(command.command, fromText);
  else if (command.kind === 'batch') for (const member of command.commands) prepareDecoded(member, fromText);
  else if (command.kind === 'putCollection') {
    const fields = command.collection.fields as ReadonlyArray<FieldModel | string>;
    if (fields.some((f) => typeof f === 'string')) (command.collection as { fields: readonly FieldModel[] }).fields = fields.map((f) => (typeof f === 'string' ? fromText(f) : f));
  }
}
