import { createHash } from 'node:crypto';
import { pemToDer } from '../../ca/csr-input';
import { OkmsError } from '../../domain/errors';
import type { DomainRecord } from '../../domain/types';
import type { UndialectedRoute } from '../pipeline/route';
import { caBundle } from './presenters';
import type { ControlPlaneServices } from './services';

const OCSP_REQUEST = 'application/ocsp-request';
/** A GET request's path segment: the DER request in base64url or in URL-encoded standard base64 (decoded by then). */
const ENCODED_REQUEST = '^[A-Za-z0-9+/_-]+={0,2}$';
const ENCODED_REQUEST_RE = new RegExp(ENCODED_REQUEST);
const OCSP_RESPONSE = 'application/ocsp-response';
/** A GET request's URL-encoded base64 OCSPRequest (RFC 6960 appendix A); larger ones go by POST. */
const MAX_GET_REQUEST_CHARS = 2048;

async function domainOf(s: ControlPlaneServices, okmsId: string): Promise<DomainRecord> {
  const domain = await s.store.domains.get(okmsId);
  if (!domain) throw new OkmsError('ERR_NOT_FOUND', `okmsId: domain ${okmsId} not found`, { field: 'okmsId' });
  return domain;
}

async function crlReply(s: ControlPlaneServices, domain: DomainRecord, generation?: string) {
  const crl = await s.crls.current(domain, generation);
  if (!crl) throw new OkmsError('ERR_UNAVAILABLE', 'the CRL is being built; retry in a moment', { retryAfterSeconds: 1 });
  const maxAge = Math.max(0, Math.min(300, Math.floor((Date.parse(crl.nextUpdate) - s.clock().getTime()) / 1000)));
  return {
    status: 200,
    text: { contentType: 'application/pkix-crl', body: crl.der },
    headers: { ETag: crl.etag, 'Cache-Control': `max-age=${maxAge}`, 'Last-Modified': new Date(crl.thisUpdate).toUTCString() },
  };
}

async function ocspReply(s: ControlPlaneServices, okmsId: string, request: Buffer) {
  const domain = await domainOf(s, okmsId);
  const body = await s.ocsp.respond(domain, await s.domainCas(domain), request);
  return { status: 200, text: { contentType: OCSP_RESPONSE, body }, headers: { 'Cache-Control': 'no-store' } };
}

/**
 * What relying parties fetch without credentials, over plain HTTP (checking revocation needs no TLS): each domain
 * CA's certificate, its CRL and its OCSP responder — the URLs every access certificate names. Each OCSP answer
 * costs a signature, so it pays the source's unauthenticated bucket; the CRL and the CA certificate are reads.
 */
export function pkiRoutes(s: ControlPlaneServices): UndialectedRoute[] {
  return [
    {
      method: 'get', path: '/pki/{okmsId}/ca.crt', summary: "The domain CA's certificate (DER), as AIA caIssuers names it", auth: 'none', produces: ['application/pkix-cert'],
      async handle({ params }) {
        const domain = await domainOf(s, params.okmsId!);
        return { status: 200, text: { contentType: 'application/pkix-cert', body: pemToDer(domain.caCertificatePEM) }, headers: { 'Cache-Control': 'max-age=3600' } };
      },
    },
    {
      method: 'get', path: '/pki/{okmsId}/server-ca.crt', summary: "The domain's TLS server CA certificate (DER), once it has a name policy", auth: 'none', produces: ['application/pkix-cert'],
      async handle({ params }) {
        const domain = await domainOf(s, params.okmsId!);
        const record = await s.serverCas.get(domain.id);
        if (!record) throw new OkmsError('ERR_NOT_FOUND', 'okmsId: the domain has no server CA (no name policy yet)', { field: 'okmsId' });
        return { status: 200, text: { contentType: 'application/pkix-cert', body: pemToDer(record.certificatePEM) }, headers: { 'Cache-Control': 'max-age=300' } };
      },
    },
    {
      method: 'get', path: '/pki/{okmsId}/crl', summary: "The issuing CA's current CRL (DER)", auth: 'none', produces: ['application/pkix-crl'],
      async handle({ params }) {
        return crlReply(s, await domainOf(s, params.okmsId!));
      },
    },
    {
      method: 'get', path: '/pki/{okmsId}/crl/{ca}', summary: "The current CRL (DER) of one of the domain's CAs (a trusted client-auth CA or its server CA), as its certificates' CRL Distribution Point names it", auth: 'none', produces: ['application/pkix-crl'],
      paramPatterns: { ca: { pattern: '^[0-9a-f]{32}$', maxLength: 32 } },
      async handle({ params }) {
        const domain = await domainOf(s, params.okmsId!);
        const generation = params.ca ?? '';
        if (!(await s.domainCas(domain)).some((ca) => ca.id === generation)) throw new OkmsError('ERR_NOT_FOUND', 'ca: no such CA is trusted by this domain', { field: 'ca' });
        return crlReply(s, domain, generation);
      },
    },
    {
      method: 'get', path: '/pki/{okmsId}/ca-bundle.pem', summary: 'Every CA the domain trusts now (PEM): during a CA rotation both the issuing CA and the other', auth: 'none', produces: ['application/x-pem-file'],
      async handle({ params }) {
        const bundle = caBundle(await domainOf(s, params.okmsId!), s.clock());
        return { status: 200, text: { contentType: 'application/x-pem-file', body: bundle }, headers: { ETag: `"${createHash('sha256').update(bundle).digest('base64url').slice(0, 22)}"`, 'Cache-Control': 'max-age=60' } };
      },
    },
    {
      // application/octet-stream too: what generic HTTP clients send for a binary body.
      method: 'post', path: '/pki/{okmsId}/ocsp', summary: 'OCSP (RFC 6960) for certificates of the domain CAs (client-auth and server)', auth: 'none', consumes: [OCSP_REQUEST, 'application/octet-stream'], produces: [OCSP_RESPONSE], success: 200,
      async handle({ req, params }) {
        return ocspReply(s, params.okmsId!, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
      },
    },
    {
      method: 'get', path: '/pki/{okmsId}/ocsp/{request}', summary: 'OCSP by GET: the DER request base64- then URL-encoded in the path', auth: 'none', produces: [OCSP_RESPONSE], changesState: true,
      paramPatterns: { request: { pattern: ENCODED_REQUEST, maxLength: MAX_GET_REQUEST_CHARS } },
      async handle({ params }) {
        const encoded = params.request ?? '';
        if (encoded.length > MAX_GET_REQUEST_CHARS || !ENCODED_REQUEST_RE.test(encoded)) throw new OkmsError('ERR_VALIDATION', 'request: not a base64 OCSP request', { field: 'request' });
        return ocspReply(s, params.okmsId!, Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
      },
    },
  ];
}
