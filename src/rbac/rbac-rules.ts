import { CodedError } from '../common/error-codes.js';
import type { ErrorName } from '../common/error-codes.js';
import { ANY, RBAC_NAME } from './rbac-model.js';
import type { Limits } from '../ddl/limits.js';
import type { TaskContext } from '../ddl/task.js';
import { nameRuleBroken } from '../ddl/validation.js';

/** Milvus's legacy codes for RBAC failures (its `ErrorCode` enum), stamped beside the numeric code. */
export const RbacLegacy = {
  CreateCredential: 29,
  UpdateCredential: 30,
  DeleteCredential: 31,
  GetCredential: 32,
  CreateRole: 35,
  DropRole: 36,
  OperateUserRole: 37,
  SelectRole: 38,
  SelectUser: 39,
  OperatePrivilege: 41,
  SelectGrant: 42,
  ListPolicy: 44,
  CreatePrivilegeGroup: 58,
  DropPrivilegeGroup: 59,
  ListPrivilegeGroups: 60,
  OperatePrivilegeGroup: 61,
} as const;

/** The task's wall clock in Unix milliseconds (users' created and modified times). */
export function wallMs(ctx: TaskContext): bigint {
  return ctx.wallClockNs() / 1_000_000n;
}

/** A failure of an RBAC call: the numeric code of its kind, the call's legacy code. */
export function rbacError(legacy: number, message: string, name: ErrorName = 'Unexpected'): CodedError {
  return new CodedError(name, message, legacy);
}

/** Usernames: a letter, then letters, digits, `_`, `-` or `.`; at most maxUsernameLength. */
export function validateUsername(name: string, limits: Limits, legacy: number): void {
  if (name === '') throw rbacError(legacy, 'username should not be empty', 'ParameterInvalid');
  if (name.length > limits.maxUsernameLength) throw rbacError(legacy, `invalid username ${name} with length ${name.length}, the length of username must be less than ${limits.maxUsernameLength}`, 'ParameterInvalid');
  if (!/^[A-Za-z]/.test(name)) throw rbacError(legacy, `invalid user name ${name}, the first character must be a letter`, 'ParameterInvalid');
  if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(name)) throw rbacError(legacy, `invalid user name ${name}, only letters, numbers, "_", "-" and "." are allowed`, 'ParameterInvalid');
}

/** A base64 password from the client, decoded and checked for length. */
export function decodePassword(encoded: string, limits: Limits, legacy: number): string {
  const password = Buffer.from(encoded, 'base64').toString('utf8');
  if (encoded === '' || Buffer.from(password, 'utf8').toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) throw rbacError(legacy, 'decode password fail', 'ParameterInvalid');
  if (password.length < limits.minPasswordLength || password.length > limits.maxPasswordLength) {
    throw rbacError(legacy, `invalid password length, the length of password must be between ${limits.minPasswordLength} and ${limits.maxPasswordLength}`, 'ParameterInvalid');
  }
  return password;
}

/** Role names and RBAC object names: `_` or a letter, then letters, digits, `_` or `$`; objects may be `*`. */
export function validateRbacName(kind: string, name: string, limits: Limits, legacy: number, allowAny = false): void {
  if (allowAny && name === ANY) return;
  if (name === '') throw rbacError(legacy, `the ${kind} name should not be empty`, 'ParameterInvalid');
  if (name.length > limits.maxNameLength) throw rbacError(legacy, `the length of a ${kind} name must be less than ${limits.maxNameLength} characters`, 'ParameterInvalid');
  if (!RBAC_NAME.test(name)) throw rbacError(legacy, `invalid ${kind} name ${name}: the first character must be an underscore or letter, the rest letters, digits, "_" or "$"`, 'ParameterInvalid');
}

/**
 * The database name of a grant: `*` (every database), or a name Milvus's ValidateDatabaseName accepts
 * (`_` or a letter, then letters, digits or `_`), else DatabaseInvalidName (802). Empty means default.
 */
export function validateGrantDatabaseName(name: string, limits: Limits, legacy: number): void {
  if (name === '' || name === ANY) return;
  const broken = nameRuleBroken('database', name, limits);
  if (broken !== null) throw rbacError(legacy, `invalid database name ${name}: ${broken}`, 'DatabaseInvalidName');
}
