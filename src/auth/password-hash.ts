import bcrypt from 'bcryptjs';
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/** scrypt's cost as log2(N): 2^15 takes about 0.1 s on this kind of machine; tests use less. */
export const DEFAULT_HASH_COST = 15;
/** The highest bcrypt cost checked (Milvus hashes with bcrypt's default, 10; each step doubles the time). */
export const BCRYPT_COST_MAX = 12;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, cost: number, r: number, p: number): Buffer {
  const N = 2 ** cost;
  return scryptSync(password, salt, KEY_LENGTH, { N, r, p, maxmem: 256 * N * r });
}

/**
 * A salted scrypt hash of a password, as `scrypt$<log2 N>$<r>$<p>$<salt>$<key>` (base64). The password
 * itself is never stored or logged. Synchronous and slow (0.1 s at the default cost): call it on a
 * worker thread (PasswordHashPool), never on the event loop.
 */
export function hashPasswordSync(password: string, cost = DEFAULT_HASH_COST): string {
  const salt = randomBytes(16);
  const key = derive(password, salt, cost, BLOCK_SIZE, PARALLELISM);
  return ['scrypt', cost, BLOCK_SIZE, PARALLELISM, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * Whether `password` matches a hash made by hashPasswordSync, or a bcrypt hash as Milvus stores them
 * (users restored from a Milvus RBAC backup keep their passwords). False for a malformed hash.
 * Synchronous and slow, like hashPasswordSync.
 */
export function verifyPasswordSync(password: string, encoded: string): boolean {
  // bcrypt's cost is log2 of its rounds: Milvus stores cost 10; a crafted 31 (RestoreRBAC takes hashes)
  // would hold a hashing thread for days, so above BCRYPT_COST_MAX the hash matches nothing.
  if (/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(encoded)) {
    // bcryptjs throws below 4 (an error, not a refusal).
    const cost = Number(encoded.slice(4, 6));
    return cost >= 4 && cost <= BCRYPT_COST_MAX && bcrypt.compareSync(password, encoded);
  }
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [cost, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  // Bounded (at most 256 MiB: 128 * N * r bytes), so that a crafted hash (RestoreRBAC takes hashes)
  // cannot ask for gigabytes or minutes.
  const within = (n: number, max: number): boolean => Number.isInteger(n) && n >= 1 && n <= max;
  if (!within(cost, 20) || !within(r, 32) || !within(p, 16) || 2 ** cost * r > 2 ** 21) return false;
  const expected = Buffer.from(parts[5] as string, 'base64');
  const key = derive(password, Buffer.from(parts[4] as string, 'base64'), cost, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * How passwords are hashed and checked: scrypt (and bcrypt, checked) on a bounded pool of worker
 * threads for real (PasswordHashPool); injectable for the simulator.
 */
export interface PasswordHasher {
  hash(password: string, cost: number): Promise<string>;
  verify(password: string, encoded: string): Promise<boolean>;
  /** Stops whatever threads the hasher runs. */
  close?(): Promise<void>;
  /** Jobs running and waiting, for metrics. */
  load?(): { running: number; waiting: number };
}
