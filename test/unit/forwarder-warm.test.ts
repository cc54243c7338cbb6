/**
 * A node keeps its channels to the other voters' client ports connected (Forwarder.warm), so that a
 * follower forwards to a new leader at once; a channel to an address no longer warmed (a removed
 * member) is closed instead of being tried again every second for the life of the process.
 */
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { Forwarder } from '../../src/api/forwarder.js';
import { until } from '../rootcoord/until.js';

describe('Forwarder.warm', () => {
  let server: grpc.Server;
  let address: string;
  before(async () => {
    server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e === null ? resolve(p) : reject(e))));
    address = `127.0.0.1:${port}`;
  });
  after(() => server.forceShutdown());

  it('connects a channel before any call, and closes it once its address is no longer warmed', async () => {
    const forwarder = new Forwarder(grpc.credentials.createInsecure(), 'token');
    const clients = (forwarder as unknown as { clients: Map<string, grpc.Client> }).clients;
    try {
      forwarder.warm([address]);
      const client = clients.get(`api@${address}`);
      expect(client, 'a channel to the warmed address').to.not.equal(undefined);
      await until('the channel is connected with no call made', () => client?.getChannel().getConnectivityState(false) === grpc.connectivityState.READY);
      forwarder.warm([]);
      expect(clients.size).to.equal(0);
      expect(client?.getChannel().getConnectivityState(false)).to.equal(grpc.connectivityState.SHUTDOWN);
    } finally {
      forwarder.close();
    }
  });
});
