/** How failed logins are slowed down: per client connection (peer) and per user name. */
export interface LoginThrottleOptions {
  /** Failed logins a peer may make before it must wait. */
  readonly freeFailures: number;
  /** The wait after the first failure beyond the free ones; it doubles with each further failure... */
  readonly backoffBaseMs: number;
  /** ...up to this. */
  readonly backoffMaxMs: number;
  /** Password checks of one user name running or waiting at once (one at a time while it keeps failing). */
  readonly userConcurrency: number;
  /** Peers and user names tracked at most; the least recently failing are forgotten first. */
  readonly trackedMax: number;
  readonly now?: () => number;
}

interface PeerState {
  failures: number;
  lastFailureMs: number;
  untilMs: number;
}

interface UserState {
  checking: number;
  failures: number;
}

/**
 * Backoff for failed logins, so that guessing costs the guesser time and not the node hashes.
 *
 * - Per peer (the Authenticator's key: one client connection, as gRPC's `getPeer()` names it, and the
 *   user name it tries): after `freeFailures` failures in a row, the peer's further attempts are refused
 *   without hashing for a wait that doubles with every failure (capped); a verified password resets it,
 *   and so does a quiet spell of ten maximum waits. This is the limit that bites a flood: each flooding
 *   connection soon waits seconds between guesses. (A grpc-js process shares one connection per server
 *   among its channels, so a legitimate client in the flooding process is held back with it.)
 * - Per user name: at most `userConcurrency` of its checks hash at once, and only one while its last
 *   `freeFailures` checks all failed; excess attempts are refused as QueueFull (retriable) without
 *   hashing. A user is never locked out: a flood against `root` from many connections takes at most a
 *   slot of the pool, and root's own client, retrying, gets the slot as soon as it is free. (Refusing
 *   the user for a growing wait, as the per-peer limit does, would let anyone lock root out.)
 *
 * Memory is bounded: at most `trackedMax` peers and user names are remembered.
 */
export class LoginThrottle {
  private readonly peers = new Map<string, PeerState>();
  private readonly users = new Map<string, UserState>();
  private readonly now: () => number;

  constructor(private readonly options: LoginThrottleOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds before `peer` may try a password again; 0: now. */
  peerWaitMs(peer: string): number {
    const state = this.peers.get(peer);
    if (state === undefined) return 0;
    const now = this.now();
    if (now - state.lastFailureMs > 10 * this.options.backoffMaxMs) {
      this.peers.delete(peer);
      return 0;
    }
    return Math.max(0, state.untilMs - now);
  }

  peerFailed(peer: string): void {
    const now = this.now();
    const state = this.peers.get(peer) ?? { failures: 0, lastFailureMs: now, untilMs: 0 };
    state.failures++;
    state.lastFailureMs = now;
    const beyond = state.failures - this.options.freeFailures;
    if (beyond >= 0) state.untilMs = now + Math.min(this.options.backoffBaseMs * 2 ** Math.min(beyond, 30), this.options.backoffMaxMs);
    // Most recently failing last: the first entry is the one to forget.
    this.peers.delete(peer);
    forgetOldest(this.peers, this.options.trackedMax - 1, () => true);
    this.peers.set(peer, state);
  }

  peerSucceeded(peer: string): void {
    this.peers.delete(peer);
  }

  /** Takes a slot to check a password of `user`; false when the user's share is taken. */
  enterUser(user: string): boolean {
    let state = this.users.get(user);
    if (state === undefined) {
      forgetOldest(this.users, this.options.trackedMax - 1, (s) => s.checking === 0);
      state = { checking: 0, failures: 0 };
      this.users.set(user, state);
    }
    const share = state.failures >= this.options.freeFailures ? 1 : this.options.userConcurrency;
    if (state.checking >= share) return false;
    state.checking++;
    return true;
  }

  /** Gives the slot back: `matched` true or false as the check came out, null if it did not run. */
  leaveUser(user: string, matched: boolean | null): void {
    const state = this.users.get(user);
    if (state === undefined) return;
    state.checking--;
    if (matched === true) state.failures = 0;
    else if (matched === false) {
      state.failures++;
      this.users.delete(user);
      this.users.set(user, state);
    }
    if (state.checking === 0 && state.failures === 0) this.users.delete(user);
  }

  /** Tracked peers and user names (for tests and metrics). */
  tracked(): { peers: number; users: number } {
    return { peers: this.peers.size, users: this.users.size };
  }
}

/** Deletes the oldest entries that `may` allows until at most `max` remain. */
function forgetOldest<V>(map: Map<string, V>, max: number, may: (value: V) => boolean): void {
  for (const [key, value] of map) {
    if (map.size <= max) return;
    if (may(value)) map.delete(key);
  }
}
