/**
 * Fuzzer for the Milvus port (src/api/milvus-server.ts, milvus-front.ts) of a real 3-node cluster:
 * every RPC of `milvus.proto.milvus.MilvusService` (from milvusRoot, src/api/proto.ts: the metadata
 * calls served through the ApiServer, Connect, GetVersion and BatchDescribeCollection served by the
 * front, and the refused data-plane calls, the bidirectional CreateReplicateStream among them) gets
 * requests built from random field values per type, mutated encodings and random bytes (the fuzzer of
 * fixtures/grpc-fuzz.ts, shared with client-port.test.ts; `schema` bytes are Milvus's CollectionSchema
 * and FieldSchema), with random metadata: the `dbname` header (odd database names), `identifier`,
 * request ids, read modes, and `authorization` (root's, missing, wrong, malformed, long and huge).
 * Every run ends with every process alive, every node ready, a leader serving a DDL, equal digests,
 * and every node's Milvus port answering Connect and GetVersion.
 *
 * Nothing is left out: MilvusService has no membership call. With --auth, an UpdateCredential of root
 * is sent for user fz_a instead (root signed in may set root's password without the old one: the
 * service working, after which the checks' own calls, signed in as root:Milvus, would be refused).
 *
 * Twice: authorization off, and on (`--auth`, most calls signed in as root).
 *
 * Seeded: FUZZ_SEED=N (default 1); FUZZ_ITERATIONS=N calls without the default time cap (FUZZ_SECONDS
 * caps it). Default: at most 2500 calls or 25 s, and 1500 calls or 25 s with --auth.
 */
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import type { Prng } from '../../raft/prng.js';
import { milvusRoot } from '../../src/api/proto.js';
import { fuzzGrpcPort, oddNames, randomMetadata, ROOT, serviceMethods } from './fixtures/grpc-fuzz.js';
import type { FuzzMethod } from './fixtures/grpc-fuzz.js';
import type { FuzzCluster } from './fixtures/fuzz-cluster.js';

const SERVICE = 'milvus.proto.milvus.MilvusService';
const methods = serviceMethods([[milvusRoot, SERVICE]]);
const schemas = { collection: milvusRoot.lookupType('milvus.proto.schema.CollectionSchema'), field: milvusRoot.lookupType('milvus.proto.schema.FieldSchema') };
const updateCredential = milvusRoot.lookupType('milvus.proto.milvus.UpdateCredentialRequest');

const base64 = (s: string): string => Buffer.from(s).toString('base64');

/** Credentials beyond randomMetadata's: long and huge ones, other schemes, a token without a colon. */
const oddCredentials = [
  base64('root:Milvus '), base64(' root:Milvus'), base64('root:milvus'), base64('root:Milvus:x'), base64('root'), base64(`root:${'p'.repeat(3000)}`), base64(`${'u'.repeat(3000)}:Milvus`),
  base64('\uD800:\uDFFF'), `Bearer ${ROOT}`, `bearer   ${ROOT}`, `${ROOT}==`, `${ROOT} `, '====', '%%%%', 'A'.repeat(20_000), base64('fz_a:Milvus'), base64('admin:Milvus'), base64('root:\0'),
];

/** randomMetadata's, then the Milvus SDK's headers: `dbname` (odd database names), `identifier`, more credentials. */
function milvusMetadata(rng: Prng, auth: boolean): grpc.Metadata {
  const md = randomMetadata(rng, auth);
  if (rng.chance(0.5)) md.set('dbname', rng.chance(0.5) ? rng.pick(['default', 'fz_a', 'fz_b', 'fz_c', '']) : rng.pick(oddNames).replace(/[^\x20-\x7e]/g, (c) => (rng.chance(0.5) ? '?' : [...Buffer.from(c)].map((b) => `%${b.toString(16)}`).join(''))));
  if (rng.chance(0.1)) md.set('identifier', rng.pick(['0', '1', '-1', '9223372036854775807', '18446744073709551616', 'x', '']));
  if (rng.chance(0.1)) md.set('authorization', rng.pick(oddCredentials));
  return md;
}

/** With --auth, an UpdateCredential of root goes to fz_a (see the head comment); any other request as built. */
function spareRoot(method: FuzzMethod, body: Buffer, auth: boolean): Buffer {
  if (!auth || method.name !== 'UpdateCredential') return body;
  try {
    const request = updateCredential.decode(body) as unknown as { username?: string };
    if (request.username !== 'root') return body;
    request.username = 'fz_a';
    return Buffer.from(updateCredential.encode(request).finish());
  } catch {
    return body; // undecodable: no username the server could read either
  }
}

/** Call `name` of MilvusService on `address` with `request`; resolves to the decoded response. */
function callMilvus(address: string, name: string, request: Record<string, unknown>, metadata: grpc.Metadata): Promise<Record<string, unknown>> {
  const method = milvusRoot.lookupService(SERVICE).methods[name];
  if (method === undefined) throw new Error(`no MilvusService call ${name}`);
  method.resolve();
  const req = method.resolvedRequestType as NonNullable<typeof method.resolvedRequestType>;
  const res = method.resolvedResponseType as NonNullable<typeof method.resolvedResponseType>;
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    client.makeUnaryRequest(`/${SERVICE}/${name}`, (r: Record<string, unknown>) => Buffer.from(req.encode(req.fromObject(r)).finish()), (b: Buffer) => res.toObject(res.decode(b), { defaults: true, longs: String }), request, metadata, { deadline: Date.now() + 10_000 }, (error, response) => {
      client.close();
      if (error !== null) reject(error);
      else resolve(response as Record<string, unknown>);
    });
  });
}

/** Every node's Milvus port answers Connect (as root where authorization is on) and GetVersion. */
async function checkMilvusPort(cluster: FuzzCluster): Promise<void> {
  for (const n of cluster.nodes) {
    const md = new grpc.Metadata();
    md.set('authorization', ROOT);
    const connected = await callMilvus(n.milvus, 'Connect', {}, md);
    expect((connected['status'] as Record<string, unknown>)['code'], `node ${n.id}: Connect ${JSON.stringify(connected['status'])}`).to.equal(0);
    expect(connected['identifier']).to.not.equal('0');
    const version = await callMilvus(n.milvus, 'GetVersion', {}, md);
    expect(version['version']).to.equal('v2.6.0');
  }
}

function fuzzMilvusPort(title: string, auth: boolean, defaultCalls: number, defaultSeconds: number): void {
  fuzzGrpcPort(title, {
    auth,
    defaultCalls,
    defaultSeconds,
    methods,
    milvus: true,
    address: (n) => n.milvus,
    metadata: milvusMetadata,
    schemas,
    rewrite: spareRoot,
    label: 'milvus',
    after: checkMilvusPort,
  });
}

fuzzMilvusPort('fuzz: Milvus port (MilvusService)', false, 2500, 25);
// Authorization on: the `authorization` header checked on every call, privileges, forwarded authorization.
fuzzMilvusPort('fuzz: Milvus port (MilvusService) with --auth', true, 1500, 25);
