import type { Prng } from '../../raft/prng.js';
import type { MetaInput, MetaOpKind } from './metadata-model.js';

/** The checked collection property that alterCollection sets and describeCollection reads back. */
export const CHECKED_PROPERTY = 'chaos.checked';
const PARTITIONS = ['p0', 'p1', 'p2'];
const WEIGHTS: ReadonlyArray<readonly [MetaOpKind, number]> = [
  ['createCollection', 12],
  ['dropCollection', 5],
  ['hasCollection', 14],
  ['createPartition', 14],
  ['dropPartition', 7],
  ['showPartitions', 14],
  ['renameCollection', 3],
  ['alterCollection', 4],
  ['describeCollection', 5],
  ['createAlias', 4],
  ['dropAlias', 3],
  ['alterAlias', 3],
  ['describeAlias', 4],
  ['createDatabase', 2],
  ['dropDatabase', 2],
  ['listDatabases', 2],
];
const READ_KINDS: ReadonlySet<MetaOpKind> = new Set(['hasCollection', 'showPartitions', 'describeCollection', 'describeAlias', 'listDatabases']);
const READ_WEIGHTS = WEIGHTS.filter(([kind]) => READ_KINDS.has(kind));

function pickKind(random: Prng, weights: ReadonlyArray<readonly [MetaOpKind, number]>): MetaOpKind {
  let pick = Math.floor(random.nextFloat() * weights.reduce((sum, [, w]) => sum + w, 0));
  for (const [kind, weight] of weights) {
    pick -= weight;
    if (pick < 0) return kind;
  }
  return 'hasCollection';
}

/** One random catalog read on group `group` (see randomMetaInput), in the workload's proportions. */
export function randomMetaRead(random: Prng, group: string): MetaInput {
  return metaInput(random, group, pickKind(random, READ_WEIGHTS));
}

/**
 * One random catalog operation on group `group`: its collections `${group}_c0` and `${group}_c1`, its
 * alias `${group}_a` and its database `${group}_db`. Renames, aliases and reads stay inside the group,
 * so a history is checked one group at a time. Writes to partitions and properties name collections,
 * never aliases (an alias may move while such a write is in flight); reads may name the alias.
 */
export function randomMetaInput(random: Prng, group: string): MetaInput {
  return metaInput(random, group, pickKind(random, WEIGHTS));
}

function metaInput(random: Prng, group: string, op: MetaOpKind): MetaInput {
  const names = [`${group}_c0`, `${group}_c1`];
  const choose = <T>(list: readonly T[]): T => list[Math.floor(random.nextFloat() * list.length)] as T;
  const collection = choose(names);
  const alias = `${group}_a`;
  const readable = choose([...names, alias]);
  switch (op) {
    case 'createPartition':
    case 'dropPartition':
      return { op, group, collection, partition: choose(PARTITIONS) };
    case 'hasCollection':
    case 'showPartitions':
    case 'describeCollection':
      return { op, group, collection: readable };
    case 'renameCollection':
      return { op, group, collection, newName: collection === names[0] ? (names[1] as string) : (names[0] as string) };
    case 'alterCollection':
      return { op, group, collection, value: `v${Math.floor(random.nextFloat() * 4)}` };
    case 'createAlias':
    case 'alterAlias':
      return { op, group, collection, alias };
    case 'dropAlias':
    case 'describeAlias':
      return { op, group, collection: alias, alias };
    case 'createDatabase':
    case 'dropDatabase':
    case 'listDatabases':
      return { op, group, collection: '', database: `${group}_db` };
    default:
      return { op, group, collection };
  }
}

const RBAC_WEIGHTS: ReadonlyArray<readonly [MetaOpKind, number]> = [
  ['createUser', 4],
  ['deleteUser', 2],
  ['createRole', 4],
  ['dropRole', 2],
  ['bindRole', 5],
  ['unbindRole', 2],
  ['selectUser', 6],
  ['selectRole', 4],
];

/**
 * One random user or role call on group `group`: its users `${group}_u0`, `${group}_u1` and roles
 * `${group}_r0`, `${group}_r1` (checked with the group's catalog). Not in randomMetaInput: creating a
 * user hashes a password with a salt, which the deterministic simulator cannot replay.
 */
export function randomRbacInput(random: Prng, group: string): MetaInput {
  const op = pickKind(random, RBAC_WEIGHTS);
  const pick = (): string => String(Math.floor(random.nextFloat() * 2));
  return { op, group, collection: '', user: `${group}_u${pick()}`, role: `${group}_r${pick()}` };
}
