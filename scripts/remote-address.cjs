// Preloaded into the console's server process (node --require). Next.js keeps a client-sent
// X-Forwarded-For as it is, so the socket's address would be lost and a client could claim any
// address. This stamps every request with the address the connection really came from, in a
// header that no client can set (an incoming one is overwritten).
const http = require('node:http');

const HEADER = 'x-tale-remote-addr';
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, req, ...rest) {
  if (event === 'request' && req && req.headers) req.headers[HEADER] = req.socket?.remoteAddress ?? '';
  return emit.call(this, event, req, ...rest);
};
