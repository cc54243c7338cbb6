/**
 * The other process of `scripts/bench --floor`: a gRPC server (grpc-js, as rootcoord's) whose one
 * method answers with its request's bytes, and a TCP server that writes back whatever it reads (Nagle
 * off, as the Raft transport's sockets). No rootcoord code. Prints `{"grpc":PORT,"tcp":PORT}` once
 * both listen on 127.0.0.1, and exits when its parent closes its stdin.
 */
import * as grpc from '@grpc/grpc-js';
import { realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The one method: bytes in, the same bytes out (no protobuf: serialisation is rootcoord's own work). */
export const ECHO_SERVICE = {
  Echo: {
    path: '/floor.Floor/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer): Buffer => b,
    requestDeserialize: (b: Buffer): Buffer => b,
    responseSerialize: (b: Buffer): Buffer => b,
    responseDeserialize: (b: Buffer): Buffer => b,
  },
} satisfies grpc.ServiceDefinition;

async function main(): Promise<void> {
  const server = new grpc.Server();
  server.addService(ECHO_SERVICE, {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, call.request),
  });
  const grpcPort = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error === null ? resolve(port) : reject(error))));
  const tcp = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({ grpc: grpcPort, tcp: (tcp.address() as AddressInfo).port })}\n`);
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
}

// Run as a program (the benchmark imports ECHO_SERVICE from here too).
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
