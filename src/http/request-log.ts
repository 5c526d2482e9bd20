import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id (the caller's X-Request-Id when it is safe to echo) and logs one line
 * when the response ends: method, path, status, duration, account, error code. Never headers or bodies.
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info(
        {
          requestId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
          account: res.locals.accountId,
          code: res.locals.errorCode,
        },
        'request',
      );
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
