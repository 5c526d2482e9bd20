/**
 * The baseline for bench/gateway: a Node https server with okmsd's gateway TLS settings (requestCert, TLS 1.2+)
 * that reads the JSON body and answers a fixed JSON body of the size of okmsd's encrypt reply. Prints its port.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { TLSSocket } from 'node:tls';

const [keyFile, certFile] = process.argv.slice(2) as [string, string];
const body = JSON.stringify({ ciphertext: 'x'.repeat(400) });

const server = createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile), requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' }, (req, res) => {
  let data = '';
  req.on('data', (chunk: Buffer) => (data += chunk));
  req.on('end', () => {
    if (data) JSON.parse(data);
    const peer = (req.socket as TLSSocket).getPeerX509Certificate();
    res.writeHead(peer ? 200 : 401, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${(server.address() as import('node:net').AddressInfo).port}\n`));
