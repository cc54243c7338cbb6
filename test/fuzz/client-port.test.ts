/**
 * Fuzzer for the gRPC client port (src/api/api-server.ts) of a real 3-node cluster: every RPC of every
 * service in the protobufjs root (src/api/proto.ts) gets requests built from random field values per
 * type (odd unicode and separators in every string, edge integers, huge and nested values), mutated
 * encodings of those and plain random bytes, sent raw (identity serializers) through a grpc.Client,
 * with random metadata (request ids, read mode, authorization). Server streams are opened and
 * cancelled. Every run ends with every process alive, every node ready, a leader serving a DDL and
 * equal digests. The fuzzer itself is in fixtures/grpc-fuzz.ts (shared with milvus-port.test.ts).
 *
 * Not sent: AddMember and RemoveMember (a random but valid membership change is the service working,
 * not a fault, and would change what "every node alive" means).
 *
 * Twice: authorization off, and on (`--auth`, most calls signed in as root, the others with missing,
 * wrong or malformed credentials).
 *
 * Seeded: FUZZ_SEED=N (default 1); FUZZ_ITERATIONS=N calls without the default time cap (FUZZ_SECONDS
 * caps it). Default: at most 2500 calls or 25 s, and 800 calls or 10 s with --auth.
 */
import { apiRoot, milvusRoot } from '../../src/api/proto.js';
import { fuzzGrpcPort, serviceMethods } from './fixtures/grpc-fuzz.js';

// Milvus's own RootCoord protocol is served on the client port too.
const methods = serviceMethods([[apiRoot, 'rootcoord.RootCoord'], [apiRoot, 'rootcoord.RootCoordAdmin'], [apiRoot, 'grpc.health.v1.Health'], [milvusRoot, 'milvus.proto.rootcoord.RootCoord']], new Set(['AddMember', 'RemoveMember']));

function fuzzClientPort(title: string, auth: boolean, defaultCalls: number, defaultSeconds: number): void {
  fuzzGrpcPort(title, {
    auth,
    defaultCalls,
    defaultSeconds,
    methods,
    address: (n) => n.client,
    // Snapshots and leader transfers are slow and disruptive: after the first round, 1 in 5 is sent.
    skip: (rng, method, first) => (method.name === 'Snapshot' || method.name === 'TransferLeader') && !first && rng.chance(0.8),
    label: 'client',
  });
}

fuzzClientPort('fuzz: gRPC client port', false, 2500, 25);
// Authorization on: credentials parsed and checked on every call, privileges, forwarded authorization.
fuzzClientPort('fuzz: gRPC client port with --auth', true, 800, 10);
