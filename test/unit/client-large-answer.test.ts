/**
 * An answer larger than grpc-js's default receive limit (4 MiB) reaches the client: ShowCollections of
 * 200,000 names is 6.7 MB. A stand-in server answers with 5.5 MB of names, taken as a plain message and
 * as columns (showCollectionColumns).
 */
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { RootCoordClient } from '../../src/client/root-coord-client.js';
import { rootCoordService } from '../../src/protocol/proto.js';
import type { PlainMessage } from '../../src/protocol/proto.js';

describe('client: a large answer', () => {
  let server: grpc.Server | null = null;
  afterEach(() => server?.forceShutdown());

  it('ShowCollections of 5.5 MB arrives whole', async () => {
    const names = Array.from({ length: 150_000 }, (_v, i) => `collection_with_a_longish_name_${i}`);
    server = new grpc.Server();
    const handler = (_call: unknown, callback: (error: null, response: PlainMessage) => void): void =>
      callback(null, { status: { code: 0 }, collection_names: names, collection_ids: names.map((_n, i) => BigInt(i) + 470840674334015495n) });
    server.addService(rootCoordService.definition, { ShowCollections: handler } as unknown as grpc.UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) => server?.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e === null ? resolve(p) : reject(e))));
    const client = new RootCoordClient({ endpoints: [`127.0.0.1:${port}`], attemptDeadlineMs: 30_000 });
    try {
      const answer = await client.showCollections('');
      expect((answer['collection_names'] as string[]).length).to.equal(150_000);
      expect((answer['collection_names'] as string[])[149_999]).to.equal('collection_with_a_longish_name_149999');
      expect((answer['collection_ids'] as string[])[1]).to.equal('470840674334015496');
      // The same answer as columns: the IDs and timestamps as typed arrays, index for index with the names.
      const columns = await client.showCollectionColumns('');
      expect(columns.names).to.have.length(150_000);
      expect(columns.names[149_999]).to.equal('collection_with_a_longish_name_149999');
      expect(columns.ids).to.be.instanceOf(BigInt64Array).with.length(150_000);
      expect(columns.ids[149_999]).to.equal(470840674334015495n + 149_999n);
      expect(columns.createdTimestamps).to.be.instanceOf(BigUint64Array).with.length(0);
    } finally {
      client.close();
    }
  });
});
