/**
 * Failed logins back off (issue 8): per connection and user name a growing wait without hashing; per
 * user name a bounded share of the hashing, never a lockout; bounded memory.
 */
import { expect } from 'chai';
import { AuthenticationError, Authenticator, authorizationValue } from '../../src/auth/authenticator.js';
import { LoginThrottle } from '../../src/auth/login-throttle.js';
import type { LoginThrottleOptions } from '../../src/auth/login-throttle.js';
import type { PasswordHasher } from '../../src/auth/password-hash.js';
import { CodedError } from '../../src/common/error-codes.js';
import type { RbacTable } from '../../src/rbac/rbac-table.js';

const options = { freeFailures: 3, backoffBaseMs: 100, backoffMaxMs: 1000, userConcurrency: 4, trackedMax: 100 };

function throttle(overrides: Partial<LoginThrottleOptions> = {}): { t: LoginThrottle; clock: { ms: number } } {
  const clock = { ms: 1_000_000 };
  return { t: new LoginThrottle({ ...options, now: () => clock.ms, ...overrides }), clock };
}

/** A hasher whose checks finish when the test says so ("hash:<password>" matches <password>). */
class ManualHasher implements PasswordHasher {
  readonly started: string[] = [];
  private readonly finishers: Array<() => void> = [];
  hash(password: string): Promise<string> {
    return Promise.resolve(`hash:${password}`);
  }
  verify(password: string, encoded: string): Promise<boolean> {
    this.started.push(password);
    return new Promise((resolve) => this.finishers.push(() => resolve(encoded === `hash:${password}`)));
  }
  async finishAll(): Promise<void> {
    for (const finish of this.finishers.splice(0)) finish();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function outcome(promise: Promise<string>): Promise<string> {
  return promise.then(
    (user) => `ok ${user}`,
    (error: unknown) => (error instanceof AuthenticationError ? (/too many failed logins/.test(error.message) ? 'backoff' : 'refused') : error instanceof CodedError ? error.errorName : String(error)),
  );
}

/** Wrong passwords for `user`, one after the other, from `peers` (one attempt each); their outcomes. */
async function guess(auth: Authenticator, hasher: ManualHasher, user: string, peers: string[]): Promise<string[]> {
  const outcomes: string[] = [];
  for (const [i, peer] of peers.entries()) {
    const attempt = outcome(auth.authenticate(authorizationValue(user, `guess-${i}`), peer));
    await hasher.finishAll();
    outcomes.push(await attempt);
  }
  return outcomes;
}

describe('LoginThrottle', () => {
  it('a peer fails freely a few times, then waits a doubling time (capped) between attempts; success resets it', () => {
    const { t, clock } = throttle();
    for (let i = 0; i < 2; i++) t.peerFailed('p');
    expect(t.peerWaitMs('p')).to.equal(0);
    t.peerFailed('p');
    expect(t.peerWaitMs('p')).to.equal(100);
    const waits = [];
    for (let i = 0; i < 6; i++) {
      clock.ms += t.peerWaitMs('p');
      t.peerFailed('p');
      waits.push(t.peerWaitMs('p'));
    }
    expect(waits).to.deep.equal([200, 400, 800, 1000, 1000, 1000]);
    expect(t.peerWaitMs('q'), 'another peer').to.equal(0);
    t.peerSucceeded('p');
    expect(t.peerWaitMs('p')).to.equal(0);
  });

  it('a peer quiet for ten maximum waits starts afresh; at most trackedMax peers are remembered', () => {
    const { t, clock } = throttle({ trackedMax: 10 });
    for (let i = 0; i < 5; i++) t.peerFailed('p');
    clock.ms += 10 * options.backoffMaxMs + 1;
    expect(t.peerWaitMs('p')).to.equal(0);
    t.peerFailed('p');
    expect(t.peerWaitMs('p'), 'one failure after the reset').to.equal(0);
    for (let i = 0; i < 1000; i++) t.peerFailed(`flood-${i}`);
    expect(t.tracked().peers).to.equal(10);
  });

  it('a user name gets at most userConcurrency checks at once, one while its checks keep failing; a match restores it', () => {
    const { t } = throttle();
    for (let i = 0; i < 4; i++) expect(t.enterUser('root')).to.equal(true);
    expect(t.enterUser('root')).to.equal(false);
    expect(t.enterUser('alice'), 'another user').to.equal(true);
    t.leaveUser('alice', true);
    for (let i = 0; i < 4; i++) t.leaveUser('root', false);
    expect(t.enterUser('root')).to.equal(true);
    expect(t.enterUser('root'), 'one at a time while failing').to.equal(false);
    t.leaveUser('root', null);
    expect(t.enterUser('root')).to.equal(true);
    t.leaveUser('root', true);
    for (let i = 0; i < 4; i++) expect(t.enterUser('root')).to.equal(true);
    for (let i = 0; i < 4; i++) t.leaveUser('root', true);
    expect(t.tracked().users, 'nothing left to remember').to.equal(0);
  });
});

describe('Authenticator with backoff', () => {
  const setup = (): { auth: Authenticator; hasher: ManualHasher; clock: { ms: number } } => {
    const hasher = new ManualHasher();
    const credentials = new Map([
      ['root', { username: 'root', passwordHash: 'hash:root-pw', createdUtcMs: 0n, modifiedUtcMs: 0n }],
      ['alice', { username: 'alice', passwordHash: 'hash:alice-pw', createdUtcMs: 0n, modifiedUtcMs: 0n }],
    ]);
    const { t, clock } = throttle();
    return { auth: new Authenticator({ credentials } as unknown as RbacTable, hasher, t), hasher, clock };
  };

  it('a connection flooding wrong passwords for root is refused without hashing; root on another connection signs in', async () => {
    const { auth, hasher } = setup();
    expect(await guess(auth, hasher, 'root', ['attacker:1', 'attacker:1', 'attacker:1'])).to.deep.equal(['refused', 'refused', 'refused']);
    const hashed = hasher.started.length;
    expect(await outcome(auth.authenticate(authorizationValue('root', 'guess-9'), 'attacker:1'))).to.equal('backoff');
    // No free guesses against the verified-credential cache either: even the right password waits.
    expect(await outcome(auth.authenticate(authorizationValue('root', 'root-pw'), 'attacker:1'))).to.equal('backoff');
    expect(hasher.started.length, 'refused without hashing').to.equal(hashed);
    // Other user names on that connection (a gateway's other users) are not held back.
    const alice = outcome(auth.authenticate(authorizationValue('alice', 'alice-pw'), 'attacker:1'));
    await hasher.finishAll();
    expect(await alice).to.equal('ok alice');
    const root = outcome(auth.authenticate(authorizationValue('root', 'root-pw'), 'root-client:1'));
    await hasher.finishAll();
    expect(await root).to.equal('ok root');
    // Verified now: root's next calls cost no hash.
    expect(await outcome(auth.authenticate(authorizationValue('root', 'root-pw'), 'root-client:2'))).to.equal('ok root');
    expect(hasher.started.filter((p) => p === 'root-pw')).to.have.length(1);
  });

  it('many connections guessing one user take one check at a time (QueueFull beyond it, retriable); the user still gets in', async () => {
    const { auth, hasher } = setup();
    // Three failures make root a failing user: one check at a time.
    await guess(auth, hasher, 'root', ['warmup:1', 'warmup:2', 'warmup:3']);
    const flood = Array.from({ length: 20 }, (_, i) => outcome(auth.authenticate(authorizationValue('root', `guess-${i}`), `attacker:${i}`)));
    const answers = await Promise.all(flood.slice(1));
    expect(answers.every((a) => a === 'QueueFull'), answers.join()).to.equal(true);
    expect(hasher.started.length, 'one flood check hashing').to.equal(3 + 1);
    // alice is not affected by root's flood.
    const alice = outcome(auth.authenticate(authorizationValue('alice', 'alice-pw'), 'alice:1'));
    await hasher.finishAll();
    expect(await alice).to.equal('ok alice');
    expect(await flood[0]).to.equal('refused');
    // root's own client, retrying as the client library does on QueueFull, gets the free slot.
    const root = outcome(auth.authenticate(authorizationValue('root', 'root-pw'), 'root-client:1'));
    await hasher.finishAll();
    expect(await root).to.equal('ok root');
  });

  it('an unknown user is refused like a wrong password, hashing against root, and backs off the same way', async () => {
    const { auth, hasher } = setup();
    expect(await guess(auth, hasher, 'nobody', ['scanner:1', 'scanner:1', 'scanner:1'])).to.deep.equal(['refused', 'refused', 'refused']);
    expect(hasher.started).to.have.length(3);
    expect(await outcome(auth.authenticate(authorizationValue('nobody', 'x'), 'scanner:1'))).to.equal('backoff');
  });
});
