import { CodedError } from '../../common/error-codes.js';
import type { CatalogView } from '../../meta/catalog-view.js';
import { CollectionState } from '../../meta/model.js';
import type { AliasModel, CollectionModel, DatabaseModel } from '../../meta/model.js';
import { lockChains } from '../lock-manager.js';
import type { LockRequest } from '../lock-manager.js';
import { requireDatabase } from '../lookups.js';
import type { DdlTask, TaskContext } from '../task.js';

/** Alias and collection names share no names: an alias may not equal a live collection's name (1601). */
export function checkAliasIsNotCollection(meta: CatalogView, db: DatabaseModel, alias: string): void {
  const owner = meta.collectionNameOwner(db.id, alias);
  if (owner !== undefined && (owner.state === CollectionState.Created || owner.state === CollectionState.Creating)) {
    throw new CodedError('AliasCollectionNameConflict', `alias and collection name conflict[database=${db.name}][alias=${alias}]`);
  }
}

/** An alias points at a real (not alias) Created collection; otherwise 100. */
export function aliasTarget(meta: CatalogView, db: DatabaseModel, collectionName: string): CollectionModel {
  const target = meta.collectionNameOwner(db.id, collectionName);
  if (meta.alias(db.id, collectionName) !== undefined || target === undefined || target.state !== CollectionState.Created) {
    throw new CodedError('CollectionNotFound', `collection not found[database=${db.name}][collection=${collectionName}]`);
  }
  return target;
}

/** What CreateAlias and AlterAlias share: their names, their lock chain, and the checks before either. */
export abstract class AliasToCollectionTask implements DdlTask {
  abstract readonly name: string;

  constructor(
    protected readonly dbName: string,
    protected readonly collectionName: string,
    protected readonly aliasName: string,
  ) {}

  lockChain(): LockRequest[] {
    // The alias and its target: two creates of one alias for different collections must serialise.
    return lockChains.collections(this.dbName || 'default', [this.aliasName, this.collectionName], 'write');
  }

  abstract prepare(ctx: TaskContext): void;
  abstract execute(ctx: TaskContext): Promise<void>;

  /** The database, the collection the alias is to point at (checked), and the alias as it is now. */
  protected resolve(ctx: TaskContext): { db: DatabaseModel; target: CollectionModel; existing: AliasModel | undefined } {
    const db = requireDatabase(ctx.meta, this.dbName);
    checkAliasIsNotCollection(ctx.meta, db, this.aliasName);
    const target = aliasTarget(ctx.meta, db, this.collectionName);
    return { db, target, existing: ctx.meta.alias(db.id, this.aliasName) };
  }
}
