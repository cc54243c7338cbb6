import http2 from 'node:http2';
const server = http2.createServer();
server.on('stream', (stream, headers) => {
  for (const k of ['x-request-id', 'grpc-timeout', 'content-type', ':path', 'user-agent', 'authorization']) { console.log(k); %DebugPrint(headers[k]); }
  stream.respond({ ':status': 200 }); stream.end();
});
server.listen(0, '127.0.0.1', () => {
  const c = http2.connect(`http://127.0.0.1:${server.address().port}`);
  const r = c.request({ ':method': 'POST', ':path': '/rootcoord.RootCoord/CreateCollection', 'content-type': 'application/grpc', 'x-request-id': 'req-0123456789abcdef0123456789abcdef', 'grpc-timeout': '5000m', 'user-agent': 'grpc-node-js/1.10', authorization: 'Basic cm9vdDpNaWx2dXM=' });
  r.on('response', () => {}); r.resume(); r.on('end', () => { c.close(); server.close(); });
  r.end();
});
