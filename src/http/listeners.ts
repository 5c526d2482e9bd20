import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { Logger } from 'pino';
import { applyServerLimits, type ServerLimits } from './server-limits';

/** TLS 1.2: forward-secret AEAD suites only (no CBC, no RSA key exchange). Session resumption stays on. */
export const GATEWAY_TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

// Timeouts are checked every second (Node's default is 30 s, which would stretch a 10 s header timeout to 40).
const checkingInterval = (limits: ServerLimits) => Math.min(1000, limits.headersTimeoutMs);

/** The control plane's plain HTTP listener (admin API, console, CRLs and OCSP later). */
export function createControlServer(listener: RequestListener, limits: ServerLimits, logger: Logger, nowMs: () => number): Server {
  const server = createServer({ connectionsCheckingInterval: checkingInterval(limits) }, listener);
  server.keepAliveTimeout = 5_000;
  applyServerLimits(server, limits, logger, nowMs);
  return server;
}

/**
 * The gateway's TLS listener. requestCert without rejectUnauthorized: the handshake still proves the client holds
 * its key, and the chain is judged per request against the CA of the domain in the path (unknown during the handshake).
 */
export function createGatewayServer(tls: { readonly privateKeyPEM: string; readonly certificatePEM: string }, listener: RequestListener, limits: ServerLimits, logger: Logger, nowMs: () => number): Server {
  const gateway = createHttpsServer(
    {
      key: tls.privateKeyPEM,
      cert: tls.certificatePEM,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      ciphers: GATEWAY_TLS12_CIPHERS, // TLS 1.3 suites are all AEAD and stay at Node's defaults
      honorCipherOrder: true,
      handshakeTimeout: limits.tlsHandshakeTimeoutMs,
      connectionsCheckingInterval: checkingInterval(limits),
    },
    listener,
  );
  gateway.keepAliveTimeout = 30_000;
  applyServerLimits(gateway, limits, logger, nowMs);
  return gateway;
}

/** Listens on `port` (0: any free one) and resolves with the port it got. */
export function listen(target: NetServer, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    target.once('error', reject);
    target.listen(port, host, () => resolve((target.address() as AddressInfo).port));
  });
}

/** Stops accepting, closes idle keep-alive connections at once and resolves when the last request has ended. */
export function stopListening(target: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    target.close(() => resolve());
    target.closeIdleConnections();
  });
}
