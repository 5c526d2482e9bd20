import { readAccessCertificate } from '../../ca/read-access-certificate';
import { OkmsError } from '../../domain/errors';
import { okmsResourceUrn } from '../../domain/urn';
import { KNOWN_ACTIONS } from '../../iam/actions';
import { GROUP, POLICY, SERVICE_ACCOUNT, USER, type IamKindSpec } from '../../iam/iam-entities';
import { pageHeaders, pageRequest } from '../pagination';
import type { UndialectedRoute } from '../pipeline/route';
import { bodyValidator } from '../validation';
import { uuidParam } from '../params';
import type { ControlPlaneServices } from './services';

/** The same five routes for every IAM entity kind: POST/GET on the collection, GET/PUT/DELETE on one. */
function crudRoutes(s: ControlPlaneServices, base: string, spec: IamKindSpec): UndialectedRoute[] {
  const validateCreate = bodyValidator<Record<string, unknown>>(spec.createSchema);
  const validateUpdate = bodyValidator<Record<string, unknown>>(spec.updateSchema);
  const view = (record: Parameters<IamKindSpec['view']>[0]) => spec.view(record, s.urnRegion);
  const one = `${base}/{${spec.idField}}`;
  const idOf = (params: Readonly<Record<string, string>>) => params[spec.idField] ?? '';
  return [
    {
      method: 'post', path: base, summary: `Create a ${spec.kind}`, auth: 'admin', consumes: ['application/json'], schemas: { body: spec.createSchema },
      async handle({ req, account }) {
        return { status: 201, body: view(await s.iam.create(account, spec, validateCreate(req.body))) };
      },
    },
    {
      method: 'get', path: base, summary: `List the account's ${spec.kind}s`, auth: 'admin', schemas: { query: 'list-query' },
      async handle({ req, account }) {
        const page = await s.iam.list(account, spec, pageRequest(req));
        return { status: 200, body: page.items.map(view), headers: pageHeaders(page) };
      },
    },
    {
      method: 'get', path: one, summary: `Get a ${spec.kind}`, auth: 'admin',
      async handle({ account, params }) {
        return { status: 200, body: view(await s.iam.get(account, spec, idOf(params))) };
      },
    },
    {
      method: 'put', path: one, summary: `Update a ${spec.kind}`, auth: 'admin', consumes: ['application/json'], schemas: { body: spec.updateSchema },
      async handle({ req, account, params }) {
        return { status: 200, body: view(await s.iam.update(account, spec, idOf(params), validateUpdate(req.body))) };
      },
    },
    {
      method: 'delete', path: one, summary: `Delete a ${spec.kind} (takes effect on the next call)`, auth: 'admin',
      async handle({ account, params }) {
        await s.iam.delete(account, spec, idOf(params));
        return { status: 204 };
      },
    },
  ];
}

interface ExplainInput {
  okmsId: string;
  credentialId?: string;
  certificatePEM?: string;
  action: string;
  resource?: string;
  sourceIp?: string;
}
const validateExplain = bodyValidator<ExplainInput>('iam-explain');

export function iamRoutes(s: ControlPlaneServices): UndialectedRoute[] {
  return [
    ...crudRoutes(s, '/iam/user', USER),
    ...crudRoutes(s, '/iam/group', GROUP),
    ...crudRoutes(s, '/iam/serviceAccount', SERVICE_ACCOUNT),
    ...crudRoutes(s, '/iam/policy', POLICY),
    {
      method: 'post',
      path: '/iam/explain',
      success: 200,
      summary: 'Would this credential (or certificate) be allowed this action on this resource, and why?',
      auth: 'admin',
      consumes: ['application/json'],
      schemas: { body: 'iam-explain' },
      async handle({ req, account }) {
        const input = validateExplain(req.body);
        if ((input.credentialId === undefined) === (input.certificatePEM === undefined)) {
          throw new OkmsError('ERR_VALIDATION', 'credentialId: give exactly one of credentialId and certificatePEM', { field: 'credentialId' });
        }
        if (!KNOWN_ACTIONS.has(input.action)) {
          throw new OkmsError('ERR_VALIDATION', `action: "${input.action.slice(0, 80)}" is not in the action catalogue`, { field: 'action' });
        }
        const domain = await s.domains.getForAccount(account, uuidParam({ okmsId: input.okmsId }, 'okmsId'));
        const domainUrn = okmsResourceUrn(s.urnRegion, domain.id);
        const resource = input.resource ?? domainUrn;
        let certificateUrns: readonly string[];
        let bindings: Readonly<Record<string, string>> | undefined;
        let wrongDomain = false;
        if (input.credentialId !== undefined) {
          const credential = await s.credentials.get(domain, uuidParam({ credentialId: input.credentialId }, 'credentialId'));
          certificateUrns = credential.identityURNs;
          bindings = credential.identityBindings;
        } else {
          const claims = readAccessCertificate(input.certificatePEM!, domain.caCertificatePEM);
          certificateUrns = claims.identityURNs;
          wrongDomain = claims.okmsId !== domain.id || claims.issuedBy !== true;
          if (claims.serial) bindings = (await s.store.credentials.getBySerial(domain.id, claims.serial))?.identityBindings;
        }
        const identities = await s.iam.resolveIdentities(account.id, certificateUrns, bindings);
        const decision = wrongDomain
          ? { allowed: false, reason: 'wrong_domain', policies: [] }
          : resource === domainUrn || resource.startsWith(`${domainUrn}/`)
            ? await s.iam.decide({ accountId: account.id, identities: identities.effective, action: input.action, resource, ...(input.sourceIp ? { sourceIp: input.sourceIp } : {}) })
            : { allowed: false, reason: 'wrong_domain', policies: [] };
        return {
          status: 200,
          body: {
            allowed: decision.allowed,
            reason: decision.reason,
            action: input.action,
            resource,
            identities: { certificate: certificateUrns, effective: identities.effective, ignored: identities.ignored },
            policies: decision.policies,
          },
        };
      },
    },
  ];
}
