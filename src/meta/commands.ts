import { parse, stringify } from '../common/bigint-json.js';
import type { AliasModel, CollectionModel, DatabaseModel, PartitionModel } from './model.js';

/**
 * The replicated commands: catalog mutations that every replica applies deterministically, in log
 * order. The leader decides (IDs, timestamps, validation under the scheduler's locks); the commands
 * only record the decision. `ts` is the hybrid timestamp the change is versioned at.
 */
export type MetaCommand =
  | { readonly kind: 'putDatabase'; readonly ts: bigint; readonly database: DatabaseModel }
  | { readonly kind: 'deleteDatabase'; readonly ts: bigint; readonly dbID: bigint }
  | { readonly kind: 'putCollection'; readonly ts: bigint; readonly collection: CollectionModel }
  | { readonly kind: 'deleteCollection'; readonly ts: bigint; readonly collectionID: bigint }
  /** Insert or replace one partition of a collection (by partition ID). */
  | { readonly kind: 'putPartition'; readonly ts: bigint; readonly collectionID: bigint; readonly partition: PartitionModel }
  | { readonly kind: 'deletePartition'; readonly ts: bigint; readonly collectionID: bigint; readonly partitionID: bigint }
  | { readonly kind: 'putAlias'; readonly ts: bigint; readonly alias: AliasModel }
  | { readonly kind: 'deleteAlias'; readonly ts: bigint; readonly dbID: bigint; readonly name: string }
  /** The TSO may issue physical times strictly below this bound (ms). */
  | { readonly kind: 'tsoWindow'; readonly windowMs: bigint }
  /** The ID allocator may issue IDs strictly below this bound. */
  | { readonly kind: 'idWindow'; readonly upTo: bigint }
  /**
   * Garbage-collect catalog versions: drop versions older than `versionsBeforeTs` (keeping the latest
   * version of every key) and remove keys deleted before `tombstonesBeforeTs` entirely.
   */
  | { readonly kind: 'gcVersions'; readonly versionsBeforeTs: bigint; readonly tombstonesBeforeTs: bigint }
  /** Several commands applied atomically. */
  | { readonly kind: 'batch'; readonly commands: readonly MetaCommand[] };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCommand(command: MetaCommand): Uint8Array {
  return encoder.encode(stringify(command));
}

export function decodeCommand(data: Uint8Array): MetaCommand {
  return parse<MetaCommand>(decoder.decode(data));
}
