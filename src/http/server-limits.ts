import type { Server } from 'node:http';
import type { Logger } from 'pino';

export interface ServerLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly tlsHandshakeTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerSource: number;
}

/**
 * Bounds what a client can hold open: headers and whole requests within seconds, a cap on open connections in
 * total (the server refuses beyond it) and per source address (closed at once, logged at most once a second).
 */
export function applyServerLimits(server: Server, limits: ServerLimits, logger: Logger, nowMs: () => number): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.maxConnections = limits.maxConnections;
  const open = new Map<string, number>();
  let lastLog = 0;
  let dropped = 0;
  server.on('connection', (socket) => {
    const source = socket.remoteAddress ?? '';
    const count = (open.get(source) ?? 0) + 1;
    if (count > limits.maxConnectionsPerSource) {
      dropped += 1;
      const now = nowMs();
      if (now - lastLog >= 1000) {
        logger.warn({ source, dropped, limit: limits.maxConnectionsPerSource }, 'connections refused: too many open from one address');
        lastLog = now;
        dropped = 0;
      }
      socket.destroy();
      return;
    }
    open.set(source, count);
    socket.once('close', () => {
      const left = (open.get(source) ?? 1) - 1;
      if (left <= 0) open.delete(source);
      else open.set(source, left);
    });
  });
}
