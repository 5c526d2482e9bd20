import { normaliseNamePolicy } from '../../ca/name-policy';
import { OkmsError } from '../../domain/errors';
import type { ServerCaRecord } from '../../domain/records';
import { pageHeaders, pageRequest } from '../pagination';
import type { UndialectedRoute } from '../pipeline/route';
import { bodyValidator } from '../validation';
import { uuidParam } from '../params';
import { domainView } from './presenters';
import type { ControlPlaneServices } from './services';

const validateCreate = bodyValidator('domain-create');
const validatePolicy = bodyValidator('name-policy');
const validateSwitch = bodyValidator('ca-switch');
const validateServerRevoke = bodyValidator('server-certificate-revoke');
const SERIAL = { pattern: '^[0-9a-f]{2,40}$', maxLength: 40 };

const policyView = (record: ServerCaRecord) => ({ namePolicy: record.namePolicy, serverCA: record.certificatePEM, serverCANotAfter: record.notAfter, version: record.version });

export function domainRoutes(s: ControlPlaneServices): UndialectedRoute[] {
  const view = (domain: Parameters<typeof domainView>[0]) => domainView(domain, s.endpoints(), s.urnRegion, s.clock());
  return [
    {
      method: 'post',
      path: '/okms/resource',
      summary: 'Create a domain (OKMS resource) with its own issuing CA',
      auth: 'admin',
      consumes: ['application/json'],
      schemas: { body: 'domain-create' },
      async handle({ req, account }) {
        const domain = await s.domains.create(account, validateCreate(req.body));
        await s.crls.build(domain.id); // a new CA's first CRL (empty, one signature): relying parties find one from the start
        return { status: 201, body: view(domain) };
      },
    },
    {
      method: 'get',
      path: '/okms/resource',
      summary: "List the caller account's domains",
      auth: 'admin',
      schemas: { query: 'list-query' },
      async handle({ req, account }) {
        const page = await s.domains.list(account, pageRequest(req));
        return { status: 200, body: page.items.map(view), headers: pageHeaders(page) };
      },
    },
    {
      method: 'get',
      path: '/okms/resource/{okmsId}',
      summary: 'Get a domain, with its CA certificate (publicCA)',
      auth: 'admin',
      async handle({ account, params }) {
        return { status: 200, body: view(await s.domains.getForAccount(account, uuidParam(params, 'okmsId'))) };
      },
    },
    {
      method: 'post',
      path: '/okms/resource/{okmsId}/ca/rotate',
      summary: 'Stage a successor CA: trusted beside the current one (publicCA lists both) before it issues anything',
      auth: 'admin',
      async handle({ account, params }) {
        const domain = await s.domains.getForAccount(account, uuidParam(params, 'okmsId'));
        return { status: 201, body: view(await s.caRotation.stage(domain)), audit: { objectId: domain.id } };
      },
    },
    {
      method: 'post',
      path: '/okms/resource/{okmsId}/ca/switch',
      summary: 'Switch to the staged CA: it issues from now on; the old one stays trusted for overlapSeconds (default 30 days)',
      auth: 'admin',
      success: 200,
      consumes: ['application/json'],
      bodyOptional: true,
      schemas: { body: 'ca-switch' },
      async handle({ req, account, params }) {
        const domain = await s.domains.getForAccount(account, uuidParam(params, 'okmsId'));
        const input = req.body === undefined ? {} : validateSwitch(req.body);
        const switched = await s.caRotation.switchOver(domain, input.overlapSeconds);
        await s.crls.build(switched.id); // the new issuing CA's first CRL
        return { status: 200, body: view(switched), audit: { objectId: domain.id } };
      },
    },
    {
      method: 'put',
      path: '/okms/resource/{okmsId}/name-policy',
      summary: "Set the names the domain's TLS server certificates may carry; makes its server CA, constrained to them",
      auth: 'admin',
      success: 200,
      consumes: ['application/json'],
      schemas: { body: 'name-policy' },
      async handle({ req, account, params }) {
        const domain = await s.domains.getForAccount(account, uuidParam(params, 'okmsId'));
        const record = await s.serverCas.setPolicy(domain, normaliseNamePolicy(validatePolicy(req.body)));
        await s.crls.build(domain.id); // the new server CA's first CRL
        return { status: 200, body: policyView(record), audit: { objectId: domain.id } };
      },
    },
    {
      method: 'get',
      path: '/okms/resource/{okmsId}/name-policy',
      summary: "The domain's name policy and its server CA",
      auth: 'admin',
      async handle({ account, params }) {
        const domain = await s.domains.getForAccount(account, uuidParam(params, 'okmsId'));
        const record = await s.serverCas.get(domain.id);
        if (!record) throw new OkmsError('ERR_NOT_FOUND', 'okmsId: the domain has no name policy yet (PUT one)', { field: 'okmsId' });
        return { status: 200, body: policyView(record) };
      },
    },
    {
      method: 'post',
      path: '/okms/resource/{okmsId}/server-certificate/{serial}/revoke',
      summary: "Revoke a TLS server certificate of the domain (a Barbican order's): its server CA's CRL and OCSP say so from then on",
      auth: 'admin',
      success: 200,
      consumes: ['application/json'],
      bodyOptional: true,
      schemas: { body: 'server-certificate-revoke' },
      paramPatterns: { serial: SERIAL },
      async handle({ req, account, params }) {
        const domain = await s.domains.getForAccount(account, uuidParam(params, 'okmsId'));
        const serial = (params.serial ?? '').toLowerCase();
        if (!new RegExp(SERIAL.pattern).test(serial)) throw new OkmsError('ERR_VALIDATION', 'serial: must be the certificate serial in hex', { field: 'serial' });
        const input = req.body === undefined ? {} : validateServerRevoke(req.body);
        const revocation = await s.revokeServerCertificate(domain.id, serial, input.reason ?? 'cessationOfOperation');
        return { status: 200, body: { serial: revocation.serial, revokedAt: revocation.revokedAt, reason: revocation.reason }, audit: { objectId: domain.id, serial } };
      },
    },
  ];
}
