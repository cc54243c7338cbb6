// Comparisons settle in the order their digests finish, not in log order: an older mark's mismatch
// that settles after a newer mark's match leaves the replica flagged (and REPLICA_DIVERGED written)
// though the newest check matched; the reverse clears a newer difference.
import { ReplicaChecks } from '../dist/src/meta/replica-checks.js';
const checks = new ReplicaChecks(2, (l, m) => console.log(l, m.slice(0, 60)));
const later = (ms, digest, appliedIndex) => new Promise((r) => setTimeout(() => r({ digest, appliedIndex }), ms));
checks.taken('old', 10, later(100, 'damaged', 10)); // the older mark's scan finishes last
checks.taken('new', 20, later(10, 'good', 20));
const a = checks.compare(10, 'leader-at-10', 1);
const b = checks.compare(20, 'good', 1);
console.log(await b, await a, 'diverged =', checks.diverged);
