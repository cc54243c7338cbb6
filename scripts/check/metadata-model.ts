import { ErrorCodes } from '../../src/protocol/error-codes.js';
import type { Model, Operation } from './linearizability.js';

export type MetaOpKind =
  | 'createCollection'
  | 'dropCollection'
  | 'hasCollection'
  | 'createPartition'
  | 'dropPartition'
  | 'showPartitions'
  | 'renameCollection'
  | 'alterCollection'
  | 'describeCollection'
  | 'createAlias'
  | 'dropAlias'
  | 'alterAlias'
  | 'describeAlias'
  | 'createDatabase'
  | 'dropDatabase'
  | 'listDatabases'
  | 'createUser'
  | 'deleteUser'
  | 'createRole'
  | 'dropRole'
  | 'bindRole'
  | 'unbindRole'
  | 'selectUser'
  | 'selectRole';

export interface MetaInput {
  readonly op: MetaOpKind;
  /** The collection (or, for reads, a collection or alias name) the call names. */
  readonly collection: string;
  readonly partition?: string;
  /** renameCollection: the new name. */
  readonly newName?: string;
  /** create/drop/alter/describeAlias: the alias. */
  readonly alias?: string;
  /** alterCollection: the value set for the checked property. */
  readonly value?: string;
  /** create/drop/listDatabases: the database. */
  readonly database?: string;
  /** Users and roles (createUser ... selectRole): the user and the role named. */
  readonly user?: string;
  readonly role?: string;
  /**
   * The names an operation may touch (collections, aliases, database) belong to one group; histories
   * are checked per group. Without a group, per collection name.
   */
  readonly group?: string;
}

/** A completed call: its status code and what it returned; null for an unknown outcome. */
export type MetaOutput = {
  readonly code: number;
  readonly exists?: boolean;
  readonly partitions?: readonly string[];
  /** describeCollection: the checked property's value (null: unset); describeAlias: the target. */
  readonly value?: string | null;
  /** selectUser: the user's roles (absent when the user does not exist). */
  readonly roles?: readonly string[];
} | null;

interface CollectionEntry {
  /** Sorted partition names, with _default. */
  readonly partitions: readonly string[];
  /** The one property the clients alter and read back (null: unset). */
  readonly property: string | null;
}

/** The catalog of one group as clients observe it. */
export interface GroupState {
  readonly collections: ReadonlyMap<string, CollectionEntry>;
  /** alias -> collection name */
  readonly aliases: ReadonlyMap<string, string>;
  readonly databases: ReadonlySet<string>;
  readonly users: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
  /** `user/role` */
  readonly bindings: ReadonlySet<string>;
}

const COLLECTION_NOT_FOUND = ErrorCodes.CollectionNotFound.code;
const ALIAS_NOT_FOUND = ErrorCodes.AliasNotFound.code;
const empty: GroupState = { collections: new Map(), aliases: new Map(), databases: new Set(), users: new Set(), roles: new Set(), bindings: new Set() };

/** Whether sorted `a` holds the same names as `b` (in any order). */
function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sorted = [...b].sort();
  return a.length === sorted.length && a.every((p, i) => p === sorted[i]);
}

function withCollection(state: GroupState, name: string, entry: CollectionEntry | null): GroupState {
  const collections = new Map(state.collections);
  if (entry === null) collections.delete(name);
  else collections.set(name, entry);
  return { ...state, collections };
}

function withAlias(state: GroupState, alias: string, target: string | null): GroupState {
  const aliases = new Map(state.aliases);
  if (target === null) aliases.delete(alias);
  else aliases.set(alias, target);
  return { ...state, aliases };
}

/** The collection a name refers to (an alias's target, or the collection of that name), with its entry. */
function resolve(state: GroupState, name: string): { readonly name: string; readonly entry: CollectionEntry } | null {
  const target = state.aliases.get(name) ?? name;
  const entry = state.collections.get(target);
  return entry === undefined ? null : { name: target, entry };
}

type Step = { ok: boolean; state: GroupState };

function without<T>(set: ReadonlySet<T>, value: T): Set<T> {
  const out = new Set(set);
  out.delete(value);
  return out;
}

/**
 * Users and roles, as Milvus defines their calls: creating an existing user or role and dropping a
 * missing role are errors (not idempotent), so a success must find the state it needs; binding needs
 * both; deleting a user or dropping a role removes its bindings; unbinding and deleting a missing user
 * succeed. Errors are all 65535 here, so a definite error only says nothing changed.
 */
function rbacStep(state: GroupState, input: MetaInput, output: MetaOutput): Step {
  const unknown = output === null;
  if (!unknown && output.code !== 0) return { ok: true, state };
  const user = input.user as string;
  const role = input.role as string;
  const binding = `${user}/${role}`;
  const dropBindings = (keep: (b: string) => boolean): Set<string> => new Set([...state.bindings].filter(keep));
  switch (input.op) {
    case 'createUser':
      if (state.users.has(user)) return { ok: unknown, state };
      return { ok: true, state: { ...state, users: new Set([...state.users, user]) } };
    case 'deleteUser':
      return { ok: true, state: { ...state, users: without(state.users, user), bindings: dropBindings((b) => !b.startsWith(`${user}/`)) } };
    case 'createRole':
      if (state.roles.has(role)) return { ok: unknown, state };
      return { ok: true, state: { ...state, roles: new Set([...state.roles, role]) } };
    case 'dropRole':
      if (!state.roles.has(role)) return { ok: unknown, state };
      return { ok: true, state: { ...state, roles: without(state.roles, role), bindings: dropBindings((b) => !b.endsWith(`/${role}`)) } };
    case 'bindRole':
      if (!state.users.has(user) || !state.roles.has(role)) return { ok: unknown, state };
      return { ok: true, state: { ...state, bindings: new Set([...state.bindings, binding]) } };
    case 'unbindRole':
      return { ok: true, state: { ...state, bindings: without(state.bindings, binding) } };
    case 'selectUser': {
      if (unknown) return { ok: true, state };
      if (!state.users.has(user)) return { ok: output.roles === undefined, state };
      const roles = [...state.bindings].filter((b) => b.startsWith(`${user}/`)).map((b) => b.slice(user.length + 1)).sort();
      return { ok: output.roles !== undefined && sameSet(roles, output.roles), state };
    }
    case 'selectRole':
      return { ok: unknown || output.exists === state.roles.has(role), state };
    default:
      return { ok: false, state };
  }
}

/**
 * A write to the collection `input.collection` names: "collection not found" must match the state;
 * another definite error changes nothing; success (or an unknown outcome) applies `change`.
 */
function writeCollection(state: GroupState, input: MetaInput, output: MetaOutput, change: (entry: CollectionEntry) => CollectionEntry): Step {
  const unknown = output === null;
  const target = resolve(state, input.collection);
  if (!unknown && output.code === COLLECTION_NOT_FOUND) return { ok: target === null, state };
  if (!unknown && output.code !== 0) return { ok: true, state };
  if (target === null) return { ok: unknown, state };
  return { ok: true, state: withCollection(state, target.name, change(target.entry)) };
}

/** A read of the collection `input.collection` names: its answer (or "not found") must match. */
function readCollection(state: GroupState, input: MetaInput, output: MetaOutput, matches: (entry: CollectionEntry, output: NonNullable<MetaOutput>) => boolean): Step {
  if (output === null) return { ok: true, state };
  const target = resolve(state, input.collection);
  if (output.code === COLLECTION_NOT_FOUND) return { ok: target === null, state };
  if (output.code !== 0) return { ok: true, state };
  return { ok: target !== null && matches(target.entry, output), state };
}

/**
 * Successful writes change the state as Milvus defines them (creates and drops idempotent; renames
 * carry aliases along, since aliases point at collection IDs); a definite error changes nothing; an
 * unknown outcome may or may not have taken effect. Reads must match exactly, and so must the errors
 * that only a state explains (collection not found, alias not found).
 */
function step(state: GroupState, input: MetaInput, output: MetaOutput): Step {
  const unknown = output === null;
  const code = output?.code ?? 0;
  const failed = !unknown && code !== 0;
  const name = input.collection;
  switch (input.op) {
    case 'createCollection':
      if (failed) return { ok: true, state };
      if (state.aliases.has(name)) return { ok: unknown, state };
      return { ok: true, state: state.collections.has(name) ? state : withCollection(state, name, { partitions: ['_default'], property: null }) };
    case 'dropCollection': {
      if (failed) return { ok: true, state };
      const aliased = [...state.aliases.values()].includes(name);
      if (state.aliases.has(name) || aliased) return { ok: unknown, state };
      return { ok: true, state: withCollection(state, name, null) };
    }
    case 'hasCollection':
      // A refused read (2001 queue full, 1 not ready) says nothing about the state.
      if (failed) return { ok: true, state };
      return { ok: unknown || output.exists === (resolve(state, name) !== null), state };
    case 'createPartition':
    case 'dropPartition': {
      const partition = input.partition as string;
      return writeCollection(state, input, output, (entry) => {
        const without = entry.partitions.filter((p) => p !== partition);
        return { ...entry, partitions: input.op === 'createPartition' ? [...without, partition].sort() : without };
      });
    }
    case 'showPartitions':
      return readCollection(state, input, output, (entry, out) => sameSet(entry.partitions, out.partitions ?? []));
    case 'renameCollection': {
      const to = input.newName as string;
      if (!unknown && code === COLLECTION_NOT_FOUND) return { ok: !state.collections.has(name) && !state.aliases.has(name), state };
      if (failed) return { ok: true, state };
      const entry = state.collections.get(name);
      if (entry === undefined || state.aliases.has(name) || state.aliases.has(to) || state.collections.has(to)) return { ok: unknown, state };
      const moved = withCollection(withCollection(state, name, null), to, entry);
      const aliases = new Map([...moved.aliases].map(([a, t]) => [a, t === name ? to : t] as const));
      return { ok: true, state: { ...moved, aliases } };
    }
    case 'alterCollection':
      return writeCollection(state, input, output, (entry) => ({ ...entry, property: input.value ?? null }));
    case 'describeCollection':
      return readCollection(state, input, output, (entry, out) => (out.value ?? null) === entry.property);
    case 'createAlias': {
      const alias = input.alias as string;
      if (failed) return { ok: true, state };
      const current = state.aliases.get(alias);
      if (current === name) return { ok: true, state };
      if (current !== undefined || !state.collections.has(name) || state.collections.has(alias)) return { ok: unknown, state };
      return { ok: true, state: withAlias(state, alias, name) };
    }
    case 'dropAlias':
      if (failed) return { ok: true, state };
      return { ok: true, state: withAlias(state, input.alias as string, null) };
    case 'alterAlias': {
      const alias = input.alias as string;
      if (!unknown && code === ALIAS_NOT_FOUND) return { ok: !state.aliases.has(alias), state };
      if (failed) return { ok: true, state };
      if (!state.aliases.has(alias) || !state.collections.has(name)) return { ok: unknown, state };
      return { ok: true, state: withAlias(state, alias, name) };
    }
    case 'describeAlias': {
      if (unknown) return { ok: true, state };
      const alias = input.alias as string;
      if (code === ALIAS_NOT_FOUND) return { ok: !state.aliases.has(alias), state };
      if (code !== 0) return { ok: true, state };
      return { ok: state.aliases.get(alias) === output.value, state };
    }
    case 'createDatabase':
    case 'dropDatabase': {
      if (failed) return { ok: true, state };
      const databases = new Set(state.databases);
      if (input.op === 'createDatabase') databases.add(input.database as string);
      else databases.delete(input.database as string);
      return { ok: true, state: { ...state, databases } };
    }
    case 'listDatabases':
      if (unknown || code !== 0) return { ok: true, state };
      return { ok: output.exists === state.databases.has(input.database as string), state };
    default:
      return rbacStep(state, input, output);
  }
}

function key(state: GroupState): string {
  const collections = [...state.collections].sort(([a], [b]) => a.localeCompare(b)).map(([n, e]) => `${n}[${e.partitions.join(',')}]=${e.property ?? ''}`);
  const aliases = [...state.aliases].sort(([a], [b]) => a.localeCompare(b)).map(([a, t]) => `${a}>${t}`);
  const sorted = (set: ReadonlySet<string>): string => [...set].sort().join(',');
  return `${collections.join(';')}|${aliases.join(';')}|${sorted(state.databases)}|${sorted(state.users)}|${sorted(state.roles)}|${sorted(state.bindings)}`;
}

/**
 * The catalog as clients observe it through the RootCoord API, per group of names: collections with
 * their partitions and one property, aliases, databases. Histories partition by group (by collection
 * name for operations without one), so long histories split into small, independent parts.
 */
export const metadataModel: Model<GroupState, MetaInput, MetaOutput> = {
  init: () => empty,
  step,
  equal: (a, b) => key(a) === key(b),
  stateKey: key,
  partition: (history) => {
    const byGroup = new Map<string, Operation<MetaInput, MetaOutput>[]>();
    for (const op of history) {
      const group = op.input.group ?? op.input.collection;
      const list = byGroup.get(group) ?? [];
      list.push(op);
      byGroup.set(group, list);
    }
    return [...byGroup.values()];
  },
};
