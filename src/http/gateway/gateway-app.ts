import type { RequestListener } from 'node:http';
import type { BlockList } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { addressInList } from '../../domain/cidr';
import type { IamService } from '../../iam/iam-service';
import type { Authenticators, Pipeline } from '../pipeline/pipeline';
import { writeRendered } from '../pipeline/render';
import { readRawBody } from '../pipeline/request-body';
import type { CertificateCaller, HttpRequest, Route } from '../pipeline/route';
import type { ClientAuthenticator } from './authenticate-client';
import { presentedToken, type TokenAuthenticator } from './authenticate-token';
import type { CredentialRecord } from '../../domain/types';
import { barbicanCertificateAuthenticator } from './gateway-barbican';
import { GatewayError } from '../pipeline/okms-error';
import { PathRouter } from '../path-router';

/** Off unless configured: a TLS-terminating proxy at a trusted address forwards the client certificate in a header. */
export interface ProxyMode {
  readonly trusted: BlockList;
  /** Lower-case header name; its value is a URL-encoded PEM (nginx $ssl_client_escaped_cert) or plain PEM. */
  readonly header: string;
}

export interface GatewayApp {
  /** The https server's request listener. */
  readonly listener: RequestListener;
  /** `METHOD /path` for every route it serves (the OpenAPI document lists the same). */
  readonly routes: readonly string[];
}

/** The forwarded certificate of a trusted proxy; the header from anyone else is refused, never ignored. */
export function forwardedCertificate(req: HttpRequest, proxy: ProxyMode | undefined): string | undefined {
  const value = req.headers[proxy?.header ?? 'x-client-cert'];
  if (value === undefined) return undefined;
  const source = req.remoteAddress;
  if (!proxy || !addressInList(proxy.trusted, source)) {
    throw new GatewayError('untrusted_proxy', `a forwarded client certificate is accepted only from a trusted proxy, not from ${source}`);
  }
  const raw = Array.isArray(value) ? value[0] ?? '' : value;
  try {
    return raw.includes('%') ? decodeURIComponent(raw) : raw;
  } catch {
    throw new GatewayError('cert_untrusted', 'the forwarded client certificate header is not URL-encoded PEM');
  }
}

/** How the gateway knows its callers: the access certificate, for the OKMS data plane and for Barbican alike. */
export function gatewayAuthenticators(deps: { authenticator: ClientAuthenticator; tokens: TokenAuthenticator; iam: IamService; proxy?: ProxyMode }): Authenticators {
  const forwarded = (req: HttpRequest) => forwardedCertificate(req, deps.proxy);
  /** The certificate judged against domain `okmsId`, and the identities its credential speaks for now. */
  const certificateCaller = async (req: HttpRequest, okmsId: string, forwardedPEM: string | undefined): Promise<CertificateCaller & { credential: CredentialRecord }> => {
    const { domain, credential } = await deps.authenticator.authenticate(req.socket as TLSSocket, okmsId, forwardedPEM);
    const identities = (await deps.iam.resolveIdentities(domain.accountId, credential.identityURNs, credential.identityBindings)).effective;
    return { domain, credential, identities };
  };
  return {
    // A token, when the call presents one (on the same TLS port, with or without a client certificate); else the certificate.
    certificate: (req) => {
      const token = presentedToken(req);
      return token === undefined ? certificateCaller(req, req.params.okmsId!, forwarded(req)) : deps.tokens.authenticate(token, req.params.okmsId!);
    },
    barbican: barbicanCertificateAuthenticator({ certificateCaller, iam: deps.iam, forwardedCertificate: forwarded }),
  };
}

/**
 * The gateway on Node's own https server, without a framework: Express costs more than the rest of a data-plane
 * request together (bench/gateway). The listener matches the path and hands the call to the pipeline; the data
 * plane and the Barbican API on the gateway are routes of the same table.
 */
export function buildGatewayApp(pipeline: Pipeline, routes: readonly Route[], logger: Logger): GatewayApp {
  const router = new PathRouter(routes);
  const listener: RequestListener = (req, res) => {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const method = req.method ?? '';
    const match = router.match(method, path);
    if (!match) {
      req.resume();
      writeRendered(res, pipeline.unmatched({ method, path, headers: req.headers }, router.allowedMethods(path)));
      return;
    }
    readRawBody(req)
      .then((raw) => pipeline.run(match.route, { method, path, search: queryAt === -1 ? '' : url.slice(queryAt), params: match.params, headers: req.headers, socket: req.socket, raw }))
      .then(({ rendered, close }) => writeRendered(res, rendered, close))
      .catch((error: unknown) => {
        // Only a client that went away mid-body lands here.
        logger.warn({ err: error instanceof Error ? error.message : String(error), path: path.slice(0, 256) }, 'gateway request abandoned');
        if (!res.headersSent) res.destroy();
      });
  };
  return { listener, routes: routes.map((r) => `${r.method.toUpperCase()} ${r.path}`) };
}
