import type { Express, Request, Response, Router } from 'express';
import type { Pipeline } from './pipeline';
import { writeRendered } from './render';
import { readRawBody } from './request-body';
import type { Route } from './route';

const toExpressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');
const toMatcher = (path: string): RegExp => new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}/?$`);

/**
 * Express as the control plane's server and router, and nothing more: each route's handler hands the request to
 * the pipeline (no body parser runs before authentication), and anything unmatched is the pipeline's 404 or 405.
 */
export function mountPipeline(app: Express | Router, routes: readonly Route[], pipeline: Pipeline): void {
  for (const route of routes) {
    (app as Router)[route.method](toExpressPath(route.path), (req: Request, res: Response) => {
      const queryAt = req.originalUrl.indexOf('?');
      readRawBody(req)
        .then((raw) =>
          pipeline.run(route, {
            method: req.method, path: req.path, search: queryAt === -1 ? '' : req.originalUrl.slice(queryAt),
            params: req.params as Record<string, string>, headers: req.headers, socket: req.socket, raw,
          }),
        )
        .then(({ rendered, close }) => writeRendered(res, rendered, close))
        .catch(() => {
          // Only a client that went away mid-body lands here.
          if (!res.headersSent) res.destroy();
        });
    });
  }
  const matchers = routes.map((route) => ({ method: route.method.toUpperCase(), matcher: toMatcher(route.path) }));
  app.use((req: Request, res: Response) => {
    req.resume();
    const allowed = [...new Set(matchers.filter((m) => m.matcher.test(req.path)).map((m) => m.method))];
    writeRendered(res, pipeline.unmatched({ method: req.method, path: req.path, headers: req.headers }, allowed));
  });
}
