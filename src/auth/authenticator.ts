import { createHash } from 'node:crypto';
import { ROOT_USER } from '../meta/rbac-model.js';
import type { RbacTable } from '../meta/rbac-table.js';
import type { PasswordHasher } from './password-hash.js';

/** The client's credentials are missing, malformed or wrong: answered as gRPC UNAUTHENTICATED, as Milvus does. */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
}

const CACHE_MAX = 10_000;

/** `authorization` metadata as Milvus clients send it: base64 of `user:password`. */
export function authorizationValue(user: string, password: string): string {
  return Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
}

/**
 * Checks `authorization` metadata against the stored password hashes. A slow hash per call would cost
 * more than the call, so a verified (user, password) pair is remembered by its SHA-256 together with the
 * hash it matched (as Milvus's proxies cache `sha256(password + username)`): a changed password or a
 * deleted user no longer matches.
 */
export class Authenticator {
  private readonly verified = new Map<string, string>();

  constructor(
    private readonly rbac: RbacTable,
    private readonly passwords: PasswordHasher,
  ) {}

  /** The authenticated user name; throws AuthenticationError. */
  async authenticate(header: string | undefined): Promise<string> {
    if (header === undefined || header === '') throw new AuthenticationError('missing authorization in header');
    const decoded = Buffer.from(header.replace(/^Bearer\s+/i, ''), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new AuthenticationError('invalid authorization in header: want base64 of user:password');
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const stored = this.rbac.credentials.get(user)?.passwordHash;
    const fail = new AuthenticationError('auth check failure, please check username and password are correct');
    if (stored === undefined) {
      // As slow as a wrong password (checked against root's hash, the answer ignored), so that the
      // time of a refusal does not tell which user names exist.
      const root = this.rbac.credentials.get(ROOT_USER)?.passwordHash;
      if (root !== undefined) await this.passwords.verify(password, root);
      throw fail;
    }
    const digest = createHash('sha256').update(user).update('\0').update(password).digest('base64');
    if (this.verified.get(digest) === stored) return user;
    if (!(await this.passwords.verify(password, stored))) throw fail;
    if (this.verified.size >= CACHE_MAX) this.verified.clear();
    this.verified.set(digest, stored);
    return user;
  }
}
