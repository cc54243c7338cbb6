/**
 * A name as one component of a key: `%` and `/` (and, where a key joins names with a dot, `.`) are
 * written as `%XX`, so a key always splits back into the names it was made of. Names that pass
 * Milvus's validation contain none of them, so their keys are exactly Milvus's.
 */
export function keyPart(name: string, dotToo = false): string {
  return name.replace(dotToo ? /[%/.]/g : /[%/]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The name a key component was made from (the inverse of keyPart). */
export function fromKeyPart(part: string): string {
  return part.replace(/%([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Catalog key layout, after Milvus's `rootcoord_constant.go` (values are bigint-JSON, not protobuf); names escaped by keyPart. */
export const keys = {
  database: (dbID: bigint): string => `root-coord/database/db-info/${dbID}`,
  databasePrefix: 'root-coord/database/db-info/',
  collection: (dbID: bigint, collectionID: bigint): string => `root-coord/database/collection-info/${dbID}/${collectionID}`,
  collectionPrefix: (dbID?: bigint): string => (dbID === undefined ? 'root-coord/database/collection-info/' : `root-coord/database/collection-info/${dbID}/`),
  field: (collectionID: bigint, fieldID: bigint): string => `root-coord/fields/${collectionID}/${fieldID}`,
  fieldPrefix: (collectionID: bigint): string => `root-coord/fields/${collectionID}/`,
  partition: (collectionID: bigint, partitionID: bigint): string => `root-coord/partitions/${collectionID}/${partitionID}`,
  partitionPrefix: (collectionID: bigint): string => `root-coord/partitions/${collectionID}/`,
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
  member: (id: number): string => `rootcoord/members/${id}`,
  memberPrefix: 'rootcoord/members/',
  tsoWindow: 'gid/timestamp',
  idWindow: 'gid/idTimestamp',
  appliedIndex: 'raft/applied-index',
} as const;

export const SNAPSHOT_PREFIX = 'snapshots/';

/** The versioned copy of `key` at hybrid timestamp `ts` (zero-padded so keys sort by ts). */
export function versionKey(key: string, ts: bigint): string {
  return `${SNAPSHOT_PREFIX}${key}_ts${ts.toString().padStart(20, '0')}`;
}

export function versionPrefix(key: string): string {
  return `${SNAPSHOT_PREFIX}${key}_ts`;
}

/** A deleted key's value: reads as "not found" (Milvus uses the bytes E2 9B BC). */
export const TOMBSTONE = '\u26fc';
