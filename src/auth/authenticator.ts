import { createHash } from 'node:crypto';
import { ROOT_USER } from '../rbac/rbac-model.js';
import type { RbacView } from '../rbac/rbac-table.js';
import { CodedError } from '../common/error-codes.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordHasher } from './password-hash.js';

/** The client's credentials are missing, malformed or wrong: answered as gRPC UNAUTHENTICATED, as Milvus does. */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
}

const CACHE_MAX = 10_000;

export { authorizationValue } from '../protocol/headers.js';

/**
 * Checks `authorization` metadata against the stored password hashes. A slow hash per call would cost
 * more than the call, so a verified (user, password) pair is remembered by its SHA-256 together with the
 * hash it matched (as Milvus's proxies cache `sha256(password + username)`): a changed password or a
 * deleted user no longer matches. Failed logins back off (LoginThrottle): a connection that keeps
 * failing for a user name is refused for that name without hashing, before the cache is consulted (so
 * it cannot test guesses against the cache at no cost); a user name's checks take a bounded share of
 * the hashing pool.
 */
export class Authenticator {
  private readonly verified = new Map<string, string>();

  constructor(
    private readonly rbac: RbacView,
    private readonly passwords: PasswordHasher,
    private readonly throttle: LoginThrottle,
  ) {}

  /**
   * The authenticated user name; throws AuthenticationError, or CodedError QueueFull (retriable) when
   * the password cannot be checked now. `peer` names the client connection (gRPC getPeer());
   * `refresh`, if given, brings the catalog up to date before a password is hashed (a follower
   * checking a call it forwards).
   */
  async authenticate(header: string | undefined, peer = '', refresh?: () => Promise<void>): Promise<string> {
    if (header === undefined || header === '') throw new AuthenticationError('missing authorization in header');
    const decoded = Buffer.from(header.replace(/^Bearer\s+/i, ''), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new AuthenticationError('invalid authorization in header: want base64 of user:password');
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    // Backoff is per connection and user name: a gateway's other users, on the same connection, are
    // not held back by one of them guessing.
    const client = `${peer}\0${user}`;
    const waitMs = this.throttle.peerWaitMs(client);
    if (waitMs > 0) throw new AuthenticationError(`too many failed logins on this connection: retry in ${waitMs} ms`);
    const digest = createHash('sha256').update(user).update('\0').update(password).digest('base64');
    const cached = (): boolean => {
      const hash = this.rbac.credentials.get(user)?.passwordHash;
      return hash !== undefined && this.verified.get(digest) === hash;
    };
    if (cached()) return user;
    // The user's share is taken before a refresh (a read barrier): a refused attempt costs no round.
    if (!this.throttle.enterUser(user)) throw new CodedError('QueueFull', 'too many password checks for this user at once; retry later');
    let matched: boolean | null = null;
    let hash: string | undefined;
    try {
      if (refresh !== undefined) {
        await refresh();
        if (cached()) return user;
      }
      hash = this.rbac.credentials.get(user)?.passwordHash;
      // An unknown user is checked against root's hash (the answer ignored), as slowly as a wrong
      // password, so that the time of a refusal does not tell which user names exist.
      const against = hash ?? this.rbac.credentials.get(ROOT_USER)?.passwordHash;
      if (against !== undefined) matched = (await this.passwords.verify(password, against)) && hash !== undefined;
    } finally {
      this.throttle.leaveUser(user, matched);
    }
    if (matched !== true || hash === undefined) {
      this.throttle.peerFailed(client);
      throw new AuthenticationError('auth check failure, please check username and password are correct');
    }
    this.throttle.peerSucceeded(client);
    if (this.verified.size >= CACHE_MAX) this.verified.clear();
    this.verified.set(digest, hash);
    return user;
  }
}
