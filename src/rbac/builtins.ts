import type { PasswordHasher } from '../auth/password-hash.js';
import { ANY, BUILTIN_ROLES, builtinRoleGrants, grantKey, PUBLIC_DEFAULT_GRANTS, PUBLIC_ROLE, ROOT_USER } from './rbac-model.js';
import type { BuiltinRolesConfig } from './rbac-model.js';
import type { RbacChange, RbacView } from './rbac-table.js';

/** What the built-in users and roles are made of (the node's security configuration). */
export interface BuiltinsConfig {
  readonly rootPassword: string;
  readonly enablePublicPrivilege: boolean;
  readonly builtinRoles: BuiltinRolesConfig;
}

/**
 * The changes that create whichever built-ins are missing: user root, the roles admin and public, public's
 * default privileges (spec 3.5, only when public itself is missing), then the configured builtin roles
 * and their grants. Empty when nothing is missing.
 */
export async function missingBuiltins(rbac: RbacView, config: BuiltinsConfig, passwords: PasswordHasher, hashCost: number, nowMs: bigint): Promise<RbacChange[]> {
  const changes: RbacChange[] = [];
  if (!rbac.credentials.has(ROOT_USER)) {
    const passwordHash = await passwords.hash(config.rootPassword, hashCost);
    changes.push({ op: 'putCredential', credential: { username: ROOT_USER, passwordHash, createdUtcMs: nowMs, modifiedUtcMs: nowMs } });
  }
  for (const role of BUILTIN_ROLES) if (!rbac.roles.has(role)) changes.push({ op: 'putRole', role });
  if (!rbac.roles.has(PUBLIC_ROLE) && config.enablePublicPrivilege) {
    for (const g of PUBLIC_DEFAULT_GRANTS) changes.push({ op: 'putGrant', grant: { ...g, role: PUBLIC_ROLE, dbName: ANY, objectName: ANY, grantor: ROOT_USER } });
  }
  for (const role of Object.keys(config.builtinRoles)) if (!rbac.roles.has(role)) changes.push({ op: 'putRole', role });
  for (const grant of builtinRoleGrants(config.builtinRoles)) if (!rbac.grants.has(grantKey(grant))) changes.push({ op: 'putGrant', grant });
  return changes;
}
