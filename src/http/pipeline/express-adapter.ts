import type { Express, Request, Response, Router } from 'express';
import type { Pipeline } from './pipeline';
import { writeRendered } from './render';
import { readRawBody } from './request-body';
import type { Route } from './route';
import { PathRouter } from '../path-router';

/**
 * Express as the control plane's server, and nothing more: one handler after the pages matches the route table
 * segment by segment (PathRouter, as on the gateway) and hands the request to the pipeline (no body parser runs
 * before authentication); anything unmatched is the pipeline's 404 or 405. Express's own router walked every
 * route declared before the one called, testing each one's pattern: ~10 % of the event loop's time per request.
 * A HEAD is served by the GET route of its path, as Express does.
 */
/** Returns `METHOD /path` of each route it serves. */
export function mountPipeline(app: Express | Router, routes: readonly Route[], pipeline: Pipeline): string[] {
  const router = new PathRouter(routes);
  app.use((req: Request, res: Response) => {
    const { method, path } = req;
    const match = router.match(method, path) ?? (method === 'HEAD' ? router.match('GET', path) : undefined);
    if (!match) {
      req.resume();
      writeRendered(res, pipeline.unmatched({ method, path, headers: req.headers }, router.allowedMethods(path)));
      return;
    }
    const queryAt = req.originalUrl.indexOf('?');
    readRawBody(req)
      .then((raw) =>
        pipeline.run(match.route, {
          method, path, search: queryAt === -1 ? '' : req.originalUrl.slice(queryAt), params: match.params, headers: req.headers, socket: req.socket, raw,
        }),
      )
      .then(({ rendered, close }) => writeRendered(res, rendered, close))
      .catch(() => {
        // Only a client that went away mid-body lands here.
        if (!res.headersSent) res.destroy();
      });
  });
  return routes.map((route) => `${route.method.toUpperCase()} ${route.path}`);
}
