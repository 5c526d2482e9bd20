import type { CreateCredentialInput } from '../../ca/credential-service';
import { verifyCertificate } from '../../ca/verify-certificate';
import { OkmsError } from '../../domain/errors';
import { pageHeaders, pageRequest } from '../pagination';
import type { AuditNotes, UndialectedRoute } from '../pipeline/route';
import type { CredentialRecord } from '../../domain/types';
import { bodyValidator, queryValidator } from '../validation';
import { uuidParam } from '../params';
import { credentialView } from './presenters';
import type { ControlPlaneServices } from './services';

/** A raw CSR may be the whole body; the other fields then travel as query parameters. */
export const RAW_CSR_TYPES = ['application/pkcs10', 'application/x-pem-file'] as const;

const validateBody = bodyValidator('credential-create');
const validateQuery = queryValidator('credential-create-query');
const validateRenew = bodyValidator('credential-renew');
const validateVerify = bodyValidator('certificate-verify');

/** What an issuance's audit record names: the credential, its serial and the identities it speaks for. */
const issued = (credential: CredentialRecord): AuditNotes => ({ objectId: credential.id, serial: credential.serial, identityURNs: credential.identityURNs });

export function credentialRoutes(s: ControlPlaneServices): UndialectedRoute[] {
  const base = '/okms/resource/{okmsId}/credential';
  return [
    {
      method: 'post',
      path: base,
      summary: 'Create an access credential: server-generated key (privateKeyPEM returned once) or CSR',
      auth: 'admin',
      consumes: ['application/json', ...RAW_CSR_TYPES],
      schemas: { body: 'credential-create', rawQuery: 'credential-create-query' },
      async handle({ req, account, params }) {
        const domain = await s.domains.getForAccount(account, uuidParam(params, 'okmsId'));
        const input: CreateCredentialInput = req.is([...RAW_CSR_TYPES])
          ? { ...validateQuery(req.query), csr: req.body as Buffer }
          : validateBody(req.body);
        const created = await s.credentials.create(account, domain, input);
        return { status: 201, body: credentialView(created.credential, s.clock(), created.privateKeyPEM), audit: issued(created.credential) };
      },
    },
    {
      method: 'get',
      path: base,
      summary: "List a domain's credentials (stable order, keyset cursor)",
      auth: 'admin',
      schemas: { query: 'list-query' },
      async handle({ req, account, params }) {
        const domain = await s.domains.getForAccount(account, uuidParam(params, 'okmsId'));
        const page = await s.credentials.list(domain, pageRequest(req));
        const now = s.clock();
        return { status: 200, body: page.items.map((c) => credentialView(c, now)), headers: pageHeaders(page) };
      },
    },
    {
      method: 'get',
      path: `${base}/{credentialId}`,
      summary: 'Get a credential with its certificate',
      auth: 'admin',
      async handle({ account, params }) {
        const domain = await s.domains.getForAccount(account, uuidParam(params, 'okmsId'));
        const credential = await s.credentials.get(domain, uuidParam(params, 'credentialId'));
        return { status: 200, body: credentialView(credential, s.clock()) };
      },
    },
    {
      method: 'post',
      path: '/okms/verify',
      summary: "Check a certificate as an operator would with openssl: subject, SANs, days to expiry, key match (any key type), chain to a CA",
      auth: 'admin',
      consumes: ['application/json'],
      schemas: { body: 'certificate-verify' },
      async handle({ req, account }) {
        const input = validateVerify(req.body);
        if (!input.certificate && !input.containerRef) throw new OkmsError('ERR_VALIDATION', 'certificate: a certificate or a containerRef is required', { field: 'certificate' });
        const fromContainer = input.containerRef ? await s.barbican.openCertificateContainer(account.id, input.containerRef) : undefined;
        const okmsId = input.okmsId ?? fromContainer?.domainId;
        // The domain's CAs: the client-auth CA, and the server CA that signs its TLS server certificates.
        const anchorDomain = okmsId ? await s.domains.getForAccount(account, okmsId) : undefined;
        const trustAnchor = anchorDomain ? `${anchorDomain.caCertificatePEM}${(await s.serverCas.get(anchorDomain.id))?.certificatePEM ?? ''}` : undefined;
        const merged = { ...fromContainer, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
        const report = verifyCertificate({ ...merged, certificate: merged.certificate!, ...(trustAnchor ? { trustAnchor } : {}) }, s.clock());
        return { status: 200, body: report };
      },
    },
    {
      method: 'post',
      path: `${base}/{credentialId}/renew`,
      summary: 'Renew: a successor with the same identities (new key or new CSR); the old one is revoked after the overlap',
      auth: 'admin',
      consumes: ['application/json'],
      schemas: { body: 'credential-renew' },
      bodyOptional: true,
      async handle({ req, account, params }) {
        const domain = await s.domains.getForAccount(account, uuidParam(params, 'okmsId'));
        const { successor, revokeAt } = await s.credentials.renew(account, domain, uuidParam(params, 'credentialId'), validateRenew(req.body ?? {}));
        return { status: 201, body: { ...credentialView(successor.credential, s.clock(), successor.privateKeyPEM), predecessorRevokeAt: revokeAt }, audit: issued(successor.credential) };
      },
    },
    {
      method: 'delete',
      path: `${base}/{credentialId}`,
      summary: 'Revoke a credential at once and remove it',
      auth: 'admin',
      async handle({ account, params }) {
        const domain = await s.domains.getForAccount(account, uuidParam(params, 'okmsId'));
        const credentialId = uuidParam(params, 'credentialId');
        const serial = await s.credentials.revoke(domain, credentialId);
        return { status: 204, audit: { objectId: credentialId, serial } };
      },
    },
  ];
}
