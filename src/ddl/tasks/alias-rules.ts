import { CodedError } from '../../common/error-codes.js';
import type { MetaTable } from '../../meta/meta-table.js';
import { CollectionState } from '../../meta/model.js';
import type { CollectionModel, DatabaseModel } from '../../meta/model.js';

/** Alias and collection names share no names: an alias may not equal a live collection's name (1601). */
export function checkAliasIsNotCollection(meta: MetaTable, db: DatabaseModel, alias: string): void {
  const owner = meta.collectionNameOwner(db.id, alias);
  if (owner !== undefined && (owner.state === CollectionState.Created || owner.state === CollectionState.Creating)) {
    throw new CodedError('AliasCollectionNameConflict', `alias and collection name conflict[database=${db.name}][alias=${alias}]`);
  }
}

/** An alias points at a real (not alias) Created collection; otherwise 100. */
export function aliasTarget(meta: MetaTable, db: DatabaseModel, collectionName: string): CollectionModel {
  const target = meta.collectionNameOwner(db.id, collectionName);
  if (meta.alias(db.id, collectionName) !== undefined || target === undefined || target.state !== CollectionState.Created) {
    throw new CodedError('CollectionNotFound', `collection not found[database=${db.name}][collection=${collectionName}]`);
  }
  return target;
}
