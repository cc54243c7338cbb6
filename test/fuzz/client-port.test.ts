/**
 * Fuzzer for the gRPC client port (src/api/api-server.ts) of a real 3-node cluster: every RPC of every
 * service in the protobufjs root (src/api/proto.ts) gets requests built from random field values per
 * type (odd unicode and separators in every string, edge integers, huge and nested values), mutated
 * encodings of those and plain random bytes, sent raw (identity serializers) through a grpc.Client,
 * with random metadata (request ids, read mode, authorization). Server streams are opened and
 * cancelled. Every run ends with every process alive, every node ready, a leader serving a DDL and
 * equal digests.
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
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import protobuf from 'protobufjs';
import { apiRoot, milvusRoot } from '../../src/api/proto.js';
import { encodeSchemaFile } from '../../src/client/schema-file.js';
import { Prng } from '../../raft/prng.js';
import { simpleSchema } from '../rootcoord/fixtures/in-process-cluster.js';
import { fuzzSettings, mutate, randomBuffer, useFuzzCluster } from './fixtures/fuzz-cluster.js';

const SKIPPED = new Set(['AddMember', 'RemoveMember']);
const MAX_MESSAGE_BYTES = 60 * 1024 * 1024; // the server takes 64 MiB

interface FuzzMethod {
  readonly path: string;
  readonly name: string;
  readonly requestType: protobuf.Type;
  readonly responseType: protobuf.Type;
  readonly responseStream: boolean;
}

function methods(): FuzzMethod[] {
  const out: FuzzMethod[] = [];
  // Milvus's own RootCoord protocol is served on the client port too.
  const services: Array<[protobuf.Root, string]> = [[apiRoot, 'rootcoord.RootCoord'], [apiRoot, 'rootcoord.RootCoordAdmin'], [apiRoot, 'grpc.health.v1.Health'], [milvusRoot, 'milvus.proto.rootcoord.RootCoord']];
  for (const [root, serviceName] of services) {
    const service = root.lookupService(serviceName);
    for (const m of service.methodsArray) {
      if (SKIPPED.has(m.name)) continue;
      m.resolve();
      out.push({ path: `/${service.fullName.slice(1)}/${m.name}`, name: m.name, requestType: m.resolvedRequestType as protobuf.Type, responseType: m.resolvedResponseType as protobuf.Type, responseStream: m.responseStream === true });
    }
  }
  return out;
}

/** Names that stress every place a name goes: separators, NUL, escapes, emoji, direction marks, lengths. */
const oddNames = [
  '', ' ', 'a', 'fz_a', 'fz_b', 'fz_c', 'default', '_default', '*', '.', '..', '../../etc/passwd', 'a/b', 'a.b', 'a\0b', '\0', '%', '%00', '%s%n',
  'a b', '\t\n', '\u{1F600}', 'caf\u00E9', 'e\u0301', '\u202Eabc', '\u200F\u05D0\u05D1', '\uFEFF', '\uD800', '\uFFFF', 'root-coord/x', 'snapshots/a\0 1',
  'x'.repeat(255), 'x'.repeat(256), 'x'.repeat(4096), '\u{1F600}'.repeat(300), '\\', '"', "'", '{}', '<script>', 'NaN', '-1', '1e309',
];

/** How many large values one request may still get (so a repeated field does not multiply them). */
let largeBudget = 0;

function randomString(rng: Prng): string {
  const k = rng.intBelow(10);
  if (k < 6 || (k === 9 && largeBudget <= 0)) return rng.pick(oddNames);
  if (k < 8) return Array.from({ length: rng.intBelow(40) }, () => String.fromCodePoint(rng.pick([rng.intBelow(128), rng.intBelow(0xd7ff), 0x10000 + rng.intBelow(0xfffff)]))).join('');
  if (k < 9) return rng.pick(oddNames) + rng.pick(oddNames);
  largeBudget--;
  return rng.chance(0.9) ? 'y'.repeat(rng.intBelow(70_000)) : 'z'.repeat(1_000_000 + rng.intBelow(3_000_000)); // huge
}

function randomInt(rng: Prng, type: string): number | string {
  const edges: Array<number | string> = [0, 1, -1, 2, 7, 16, 17, 1024, 65535, 65536, 2 ** 31 - 1, -(2 ** 31), 2 ** 32 - 1, '9007199254740993', '9223372036854775807', '-9223372036854775808', '18446744073709551615'];
  const v = rng.chance(0.7) ? rng.pick(edges) : rng.intBelow(2 ** 31) - (rng.chance(0.2) ? 2 ** 30 : 0);
  if (type === 'int32' || type === 'sint32' || type === 'sfixed32') return typeof v === 'string' ? -1 : Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, v));
  if (type === 'uint32' || type === 'fixed32') return typeof v === 'string' ? 0 : Math.abs(v) % 2 ** 32;
  if ((type === 'uint64' || type === 'fixed64') && (typeof v === 'string' ? v.startsWith('-') : v < 0)) return 0;
  if ((type === 'int64' || type === 'sint64' || type === 'sfixed64') && v === '18446744073709551615') return '-1';
  return v;
}

function randomValue(rng: Prng, field: protobuf.Field, depth: number): unknown {
  field.resolve();
  if (field.resolvedType instanceof protobuf.Type) return randomMessage(rng, field.resolvedType, depth + 1);
  if (field.resolvedType instanceof protobuf.Enum) {
    const values = Object.values(field.resolvedType.values);
    return rng.chance(0.8) ? rng.pick(values) : rng.pick([-1, 999, 2 ** 31 - 1]);
  }
  switch (field.type) {
    case 'string':
      // Names from a small pool often enough that calls meet what earlier calls created.
      if (/name|user|role|group|alias/i.test(field.name) && rng.chance(0.4)) return rng.pick(['fz_a', 'fz_b', 'fz_c', 'default', '', 'root', 'admin', 'public']);
      return randomString(rng);
    case 'bool':
      return rng.chance(0.5);
    case 'double':
    case 'float':
      return rng.pick([0, -0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -1e308, 3.4e38]);
    case 'bytes': {
      if (field.name === 'schema') {
        const k = rng.intBelow(3);
        if (k === 0) return encodeSchemaFile(simpleSchema(), rng.pick(oddNames));
        const type = apiRoot.lookupType(rng.chance(0.7) ? 'rootcoord.CollectionSchema' : 'rootcoord.FieldSchema');
        const encoded = type.encode(type.fromObject(randomMessage(rng, type, depth + 1))).finish();
        return k === 1 ? encoded : mutate(rng, encoded);
      }
      const large = largeBudget > 0 && rng.chance(0.05);
      if (large) largeBudget--;
      return randomBuffer(rng, rng.intBelow(large ? 100_000 : 64));
    }
    default:
      return randomInt(rng, field.type);
  }
}

function randomMessage(rng: Prng, type: protobuf.Type, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth > 4) return out;
  for (const field of type.fieldsArray) {
    if (rng.chance(0.25)) continue;
    if (field.repeated) {
      const many = largeBudget > 0 && rng.chance(0.03);
      if (many) largeBudget--;
      const n = many ? 200 + rng.intBelow(2000) : rng.intBelow(5);
      out[field.name] = Array.from({ length: n }, () => randomValue(rng, field, depth));
    } else if (field.map) {
      out[field.name] = Object.fromEntries(Array.from({ length: rng.intBelow(4) }, () => [randomString(rng).slice(0, 100), randomValue(rng, field, depth)]));
    } else {
      out[field.name] = randomValue(rng, field, depth);
    }
  }
  return out;
}

function encodeRequest(rng: Prng, method: FuzzMethod): Buffer {
  const k = rng.intBelow(10);
  if (k === 0) return randomBuffer(rng, rng.intBelow(512));
  let bytes: Uint8Array;
  largeBudget = 2;
  try {
    bytes = method.requestType.encode(method.requestType.fromObject(randomMessage(rng, method.requestType))).finish();
  } catch {
    bytes = randomBuffer(rng, 64);
  }
  const buffer = k <= 2 ? mutate(rng, bytes) : Buffer.from(bytes);
  return buffer.byteLength > MAX_MESSAGE_BYTES ? buffer.subarray(0, MAX_MESSAGE_BYTES) : buffer;
}

const ROOT = Buffer.from('root:Milvus').toString('base64');

function randomMetadata(rng: Prng, auth: boolean): grpc.Metadata {
  const md = new grpc.Metadata();
  // With authorization on, most calls sign in as root, so they reach the handlers.
  if (auth && rng.chance(0.8)) md.set('authorization', ROOT);
  if (rng.chance(0.6)) md.set('x-rootcoord-request-id', rng.pick(['', 'r', 'x'.repeat(64), 'x'.repeat(65), 'fz-same-id', `fz-${rng.nextUint32()}`, '\u00E9t\u00E9'.normalize('NFC').replace(/[^\x20-\x7e]/g, '?')]));
  if (rng.chance(0.2)) md.set('x-rootcoord-read', rng.pick(['stale', 'linearizable', '', 'STALE', 'x']));
  if (rng.chance(0.15)) md.set('authorization', rng.pick(['', 'garbage', ROOT, Buffer.from('root:').toString('base64'), Buffer.from('root:Milvus\0').toString('base64'), Buffer.from('\u{1F600}:x').toString('base64'), `Basic ${ROOT}`, Buffer.from(':').toString('base64'), Buffer.from('\0:\0').toString('base64'), 'x'.repeat(7000)]));
  if (rng.chance(0.05)) md.set('x-fuzz-bin', Buffer.from(randomBuffer(rng, 32)));
  return md;
}

/** The Milvus status code in a response (0: success), or 'undecodable'. */
function businessCode(method: FuzzMethod, response: Buffer | undefined): string {
  try {
    const decoded = method.responseType.toObject(method.responseType.decode(response ?? Buffer.alloc(0)), { defaults: true }) as Record<string, unknown>;
    const status = ('code' in decoded && !('status' in decoded) ? decoded : decoded['status']) as Record<string, unknown> | undefined;
    return String(status?.['code'] ?? 0);
  } catch {
    return 'undecodable';
  }
}

function fuzzClientPort(title: string, auth: boolean, defaultCalls: number, defaultSeconds: number): void {
describe(title, function () {
  this.timeout(300_000);
  const running = useFuzzCluster({ auth });

  it('survives random and mutated requests to every RPC of every service', async () => {
    const cluster = running();
    const { seed, iterations, deadlineMs } = fuzzSettings(defaultCalls, defaultSeconds);
    const all = methods();
    expect(all.length).to.be.above(50);
    const clients = cluster.nodes.map((n) => new grpc.Client(n.client, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024, 'grpc.max_receive_message_length': 64 * 1024 * 1024 }));
    const identity = (b: Buffer): Buffer => b;
    const outcomes = new Map<string, number>();
    const count = (k: string): void => void outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    const called = new Set<string>();
    const details = new Set<string>();
    let done = 0;
    const one = async (rng: Prng, index: number): Promise<void> => {
      // Every method at least once (in order), then random ones.
      const method = index < all.length ? (all[index] as FuzzMethod) : rng.pick(all);
      if ((method.name === 'Snapshot' || method.name === 'TransferLeader') && index >= all.length && rng.chance(0.8)) return;
      called.add(method.path);
      const client = rng.pick(clients);
      const body = encodeRequest(rng, method);
      const md = randomMetadata(rng, auth);
      const deadline = Date.now() + 3000;
      if (method.responseStream) {
        await new Promise<void>((resolve) => {
          const stream = client.makeServerStreamRequest(method.path, identity, identity, body, md, { deadline });
          const timer = setTimeout(() => stream.cancel(), 50 + rng.intBelow(300));
          stream.on('data', () => {});
          stream.on('error', (e: grpc.ServiceError) => count(`stream:${grpc.status[e.code]}`));
          stream.on('status', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        return;
      }
      await new Promise<void>((resolve) => {
        client.makeUnaryRequest(method.path, identity, identity, body, md, { deadline }, (error, response?: Buffer) => {
          count(error === null ? `code ${businessCode(method, response)}` : (grpc.status[error.code] ?? String(error.code)));
          if (error !== null && process.env['FUZZ_VERBOSE'] !== undefined) details.add(`${method.name} ${grpc.status[error.code]}: ${error.details.slice(0, 160)}`);
          resolve();
        });
      });
    };
    const parallel = 6;
    await Promise.all(Array.from({ length: parallel }, (_, w) => (async () => {
      const rng = new Prng(seed * 1000 + w);
      for (let i = w; i < iterations && (Date.now() < deadlineMs || i < all.length); i += parallel) {
        await one(rng, i);
        done++;
        if (i % 100 === 0) cluster.assertAlive();
      }
    })()));
    for (const c of clients) c.close();
    console.log(`      seed ${seed}: ${done} calls over ${called.size} methods (${[...outcomes].map(([k, n]) => `${k} ${n}`).join(', ')})`);
    for (const d of [...details].slice(0, 200)) console.log(`        ${d}`);
    expect(called.size).to.equal(all.length);
    expect(cluster.dead()).to.deep.equal([]);
    await cluster.check('client');
  });
});
}

fuzzClientPort('fuzz: gRPC client port', false, 2500, 25);
// Authorization on: credentials parsed and checked on every call, privileges, forwarded authorization.
fuzzClientPort('fuzz: gRPC client port with --auth', true, 800, 10);
