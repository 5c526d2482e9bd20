import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when it is safe to echo, else a fresh one. */
export function requestIdFrom(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The one line each finished request logs: never headers or bodies. */
export interface RequestLine {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly ms: number;
  readonly account?: string;
  readonly code?: string;
}

export function logRequest(logger: Logger, line: RequestLine, level: 'info' | 'debug' = 'info'): void {
  logger[level](line, 'request');
}
