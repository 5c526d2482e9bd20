import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
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

/**
 * Gives every request an id (the caller's X-Request-Id when it is safe to echo) and logs one line
 * when the response ends: method, path, status, duration, account, error code. Never headers or bodies.
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logRequest(logger, {
        requestId,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
        account: res.locals.accountId,
        code: res.locals.errorCode,
      });
    });
    next();
  };
}

/**
 * The reason an audit record gives for a finished request: the error code when it failed, `forced` for a delete
 * that overrode the consumer guard (`?force=true`), else `ok`.
 */
export function auditReason(req: Request, res: Response): string {
  return String(res.locals.errorCode ?? (req.method === 'DELETE' && req.query.force === 'true' ? 'forced' : 'ok'));
}
