/**
 * A name as one component of a key: `%`, `/` and control characters (and, where a key joins names with a dot, `.`) are
 * written as `%XX`, so a key always splits back into the names it was made of. Names that pass
 * Milvus's validation contain none of them, so their keys are exactly Milvus's.
 */
export function keyPart(name: string, dotToo = false): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(dotToo ? /[%/.\x00-\x1f]/g : /[%/\x00-\x1f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The name a key component was made from (the inverse of keyPart). */
export function fromKeyPart(part: string): string {
  // Most names have nothing escaped (a restart reads 200,000 request IDs through here).
  if (!part.includes('%')) return part;
  return part.replace(/%([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Catalog key layout, after Milvus's `rootcoord_constant.go` (values are bigint-JSON, collection and partition records JSON arrays (record-codec.ts), not protobuf); names escaped by keyPart. */
export const keys = {
  database: (dbID: bigint): string => `root-coord/database/db-info/${dbID}`,
  databasePrefix: 'root-coord/database/db-info/',
  collection: (dbID: bigint, collectionID: bigint): string => `root-coord/database/collection-info/${dbID}/${collectionID}`,
  collectionPrefix: (dbID?: bigint): string => (dbID === undefined ? 'root-coord/database/collection-info/' : `root-coord/database/collection-info/${dbID}/`),
  /** Milvus's field records, which catalogs before format 4 hold (the upgrade reads and deletes them). */
  fieldPrefix: (collectionID?: bigint): string => (collectionID === undefined ? 'root-coord/fields/' : `root-coord/fields/${collectionID}/`),
  function: (collectionID: bigint, functionID: bigint): string => `root-coord/functions/${collectionID}/${functionID}`,
  functionPrefix: (collectionID?: bigint): string => (collectionID === undefined ? 'root-coord/functions/' : `root-coord/functions/${collectionID}/`),
  structArrayField: (collectionID: bigint, fieldID: bigint): string => `root-coord/struct-array-fields/${collectionID}/${fieldID}`,
  structArrayFieldPrefix: (collectionID?: bigint): string => (collectionID === undefined ? 'root-coord/struct-array-fields/' : `root-coord/struct-array-fields/${collectionID}/`),
  partition: (collectionID: bigint, partitionID: bigint): string => `root-coord/partitions/${collectionID}/${partitionID}`,
  partitionPrefix: (collectionID?: bigint): string => (collectionID === undefined ? 'root-coord/partitions/' : `root-coord/partitions/${collectionID}/`),
  alias: (dbID: bigint, name: string): string => `root-coord/database/aliases/${dbID}/${keyPart(name)}`,
  aliasPrefix: (dbID?: bigint): string => (dbID === undefined ? 'root-coord/database/aliases/' : `root-coord/database/aliases/${dbID}/`),
  credential: (user: string): string => `root-coord/credential/users/${keyPart(user)}`,
  credentialPrefix: 'root-coord/credential/users/',
  role: (role: string): string => `root-coord/credential/roles/${keyPart(role)}`,
  rolePrefix: 'root-coord/credential/roles/',
  userRole: (user: string, role: string): string => `root-coord/credential/user-role-mapping/${keyPart(user)}/${keyPart(role)}`,
  userRolePrefix: 'root-coord/credential/user-role-mapping/',
  /** A role's grants on one object (Milvus's layout): the value is the grantee ID (MD5 of this key). */
  grantee: (role: string, objectType: string, dbName: string, objectName: string): string =>
    `root-coord/credential/grantee-privileges/${keyPart(role)}/${keyPart(objectType)}/${keyPart(dbName, true)}.${keyPart(objectName, true)}`,
  granteePrefix: 'root-coord/credential/grantee-privileges/',
  /** One privilege of a grantee (metastore name, e.g. PrivilegeLoad or PrivilegeGroupX): the value is the grantor. */
  granteePrivilege: (granteeId: string, privilege: string): string => `root-coord/credential/grantee-id/${granteeId}/${keyPart(privilege)}`,
  granteeIdPrefix: 'root-coord/credential/grantee-id/',
  privilegeGroup: (name: string): string => `root-coord/privilege-group/${keyPart(name)}`,
  privilegeGroupPrefix: 'root-coord/privilege-group/',
  request: (requestId: string): string => `rootcoord/requests/${keyPart(requestId)}`,
  requestPrefix: 'rootcoord/requests/',
  /**
   * Which field list (below) a collection's fields are, by the list's key, versioned like every
   * collection key: a read at a past timestamp finds the list the collection had then. The fields have
   * no records of their own (Milvus keeps one per field, `root-coord/fields/{id}/{fieldID}`, which
   * catalogs before format 4 hold, `fieldPrefix` above): a
   * restart reads one small record per collection instead of five field records, and a snapshot at
   * 200,000 collections carries 1.2 million records instead of 3.2 million.
   */
  collectionFieldList: (collectionID: bigint): string => `rootcoord/collection-fields/${collectionID}`,
  collectionFieldListPrefix: 'rootcoord/collection-fields/',
  /** A distinct list of fields (a JSON array of the fields' texts), stored once, kept while a record above (a version included) names it. */
  fieldList: (listKey: string): string => `rootcoord/field-lists/${listKey}`,
  fieldListPrefix: 'rootcoord/field-lists/',
  member: (id: number): string => `rootcoord/members/${id}`,
  memberPrefix: 'rootcoord/members/',
  tsoWindow: 'gid/timestamp',
  idWindow: 'gid/idTimestamp',
  appliedIndex: 'raft/applied-index',
  /** Never stored: its delete is the synchronous write that puts every earlier one on disk (MetaTable.persist). */
  syncPoint: 'raft/sync-point',
  /** The marks of the last BATCH_MARKS batches written, by their number modulo BATCH_MARKS (catalog-integrity.ts). */
  batchMark: (slot: number): string => `raft/batch-mark/${slot}`,
  batchMarkPrefix: 'raft/batch-mark/',
  /** Present while a snapshot's restore replaces the catalog: the entry it is restored as of (catalog-integrity.ts). */
  restoring: 'raft/restoring',
  /** The layout of the catalog (CATALOG_FORMAT); absent in catalogs written before it existed (format 1). */
  catalogFormat: 'rootcoord/catalog-format',
  /** Present while the upgrade to format 5 rewrites records (catalog-load.ts rewriteRecords). */
  recordRewrite: 'rootcoord/catalog-rewrite-pending',
} as const;

/**
 * The keys under `raft/` describe this replica's copy (the applied index, its batches' marks, a restore
 * under way), not the catalog: they differ between replicas that hold the same catalog, so snapshots
 * and digests leave them out.
 */
export function isReplicaLocal(key: string): boolean {
  return key.startsWith('raft/');
}

export const SNAPSHOT_PREFIX = 'snapshots/';

/**
 * The catalog layout this build writes. 1: versions at `snapshots/{key}_ts{ts}`, where the versions of
 * key `al` and those of a key `al_ts<20 digits>` could fall into one scan; 2: versions at
 * `snapshots/{key}\0{ts}`, NUL occurring in no key (keyPart escapes it in names); 3: besides, every
 * collection names its field list (`keys.collectionFieldList`, `keys.fieldList`), which a build that
 * does not know them would leave stale (so it must refuse the catalog); 4: the field lists are versioned
 * and the field records (`root-coord/fields/...`) are gone; 5: collection and partition records (and
 * their versions) are JSON arrays in a fixed order (record-codec.ts), which a build before it cannot
 * read. Older formats are upgraded on open.
 */
export const CATALOG_FORMAT = 5;
const VERSION_SEPARATOR = '\u0000';

/** The versioned copy of `key` at hybrid timestamp `ts` (zero-padded so keys sort by ts). */
export function versionKey(key: string, ts: bigint): string {
  return `${versionPrefix(key)}${ts.toString().padStart(20, '0')}`;
}

/** What every version of `key`, and no other key's, starts with. */
export function versionPrefix(key: string): string {
  return `${SNAPSHOT_PREFIX}${key}${VERSION_SEPARATOR}`;
}

// eslint-disable-next-line no-control-regex
const VERSION_KEY = /^snapshots\/([^\x00]*)\x00(\d{20})$/;
const FORMAT_1_VERSION_KEY = /^snapshots\/(.*)_ts(\d{20})$/;

/** The key and timestamp of a version key (null: not one); `format` 1 reads the old layout (its timestamp is the last `_ts` and 20 digits). */
export function parseVersionKey(versionKey: string, format: 1 | typeof CATALOG_FORMAT = CATALOG_FORMAT): { key: string; ts: bigint } | null {
  const match = (format === 1 ? FORMAT_1_VERSION_KEY : VERSION_KEY).exec(versionKey);
  return match === null ? null : { key: match[1] as string, ts: BigInt(match[2] as string) };
}

/** A deleted key's value: reads as "not found" (Milvus uses the bytes E2 9B BC). */
export const TOMBSTONE = '\u26fc';
