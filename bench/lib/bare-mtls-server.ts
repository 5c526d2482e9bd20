/**
 * The baselines for bench/gateway: a Node https server with okmsd's gateway TLS settings (requestCert, TLS 1.2+)
 * answering a fixed JSON body — either bare (`node:https` alone: the limit) or through Express 5 with its JSON
 * body parser and the gateway's route shape (the ceiling of any Express-based gateway). Prints its port.
 */
import { readFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { createServer } from 'node:https';
import express from 'express';

const [keyFile, certFile, mode = 'bare'] = process.argv.slice(2) as [string, string, string?];
const body = JSON.stringify({ ciphertext: 'x'.repeat(400) });

function bare(): RequestListener {
  return (req, res) => {
    let data = '';
    req.on('data', (chunk: Buffer) => (data += chunk));
    req.on('end', () => {
      if (data) JSON.parse(data);
      const peer = (req.socket as import('node:tls').TLSSocket).getPeerX509Certificate();
      res.writeHead(peer ? 200 : 401, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  };
}

function viaExpress(): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.json({ limit: '64kb' }));
  // As many routes as the gateway registers, the measured one last.
  for (let i = 0; i < 14; i += 1) app.post(`/api/:okmsId/v1/servicekey/:keyId/other${i}`, (_req, res) => res.json({}));
  app.post('/api/:okmsId/v1/servicekey/:keyId/encrypt', (_req, res) => res.type('json').send(body));
  return app as unknown as RequestListener;
}

const server = createServer(
  { key: readFileSync(keyFile), cert: readFileSync(certFile), requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
  mode === 'express' ? viaExpress() : bare(),
);
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${(server.address() as import('node:net').AddressInfo).port}\n`));
