/**
 * The baseline for bench/gateway: a bare Node https server with okmsd's gateway TLS settings (requestCert,
 * TLS 1.2+, the same server certificate) answering a fixed JSON body. Prints its port, runs until killed.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [keyFile, certFile] = process.argv.slice(2) as [string, string];
const body = JSON.stringify({ ciphertext: 'x'.repeat(400) });
const server = createServer(
  { key: readFileSync(keyFile), cert: readFileSync(certFile), requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
  (req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      const peer = (req.socket as import('node:tls').TLSSocket).getPeerX509Certificate();
      res.writeHead(peer ? 200 : 401, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  },
);
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${(server.address() as import('node:net').AddressInfo).port}\n`));
