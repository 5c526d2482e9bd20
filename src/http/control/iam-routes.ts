import { readAccessCertificate } from '../../ca/read-access-certificate';
import { OkmsError } from '../../domain/errors';
import { okmsResourceUrn } from '../../domain/urn';
import { KNOWN_ACTIONS } from '../../iam/actions';
import { GROUP, POLICY, SERVICE_ACCOUNT, USER, type IamKindSpec } from '../../iam/iam-entities';
import { pageHeaders, pageRequest } from '../pagination';
import type { UndialectedRoute } from '../pipeline/route';
import type { IamKind, IamRecordOf } from '../../domain/records';
import type { SchemaTypes } from '../schema-types';
import { bodyValidator, type SchemaId, type Validator } from '../validation';
import { uuidParam } from '../params';
import type { ControlPlaneServices } from './services';

/** The same five routes for every IAM entity kind: POST/GET on the collection, GET/PUT/DELETE on one. */
/** A request schema and its validator, whose type is the one generated from that schema. */
interface TypedSchema<T> {
  readonly id: SchemaId;
  readonly validate: Validator<T>;
}
const typedSchema = <Id extends SchemaId>(id: Id): TypedSchema<SchemaTypes[Id]> => ({ id, validate: bodyValidator(id) });

/**
 * The same five routes for every IAM entity kind: POST/GET on the collection, GET/PUT/DELETE on one. The schemas'
 * generated types must be assignable to what the entity spec accepts (C, U): a schema that drifts fails the build.
 */
function crudRoutes<K extends IamKind, C, U>(s: ControlPlaneServices, base: string, spec: IamKindSpec<K, C, U>, create: TypedSchema<C>, update: TypedSchema<U>): UndialectedRoute[] {
  const validateCreate = create.validate;
  const validateUpdate = update.validate;
  const view = (record: IamRecordOf<K>) => spec.view(record, s.urnRegion);
  const one = `${base}/{${spec.idField}}`;
  const idOf = (params: Readonly<Record<string, string>>) => params[spec.idField] ?? '';
  return [
    {
      method: 'post', path: base, summary: `Create a ${spec.kind}`, auth: 'admin', consumes: ['application/json'], schemas: { body: create.id },
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
      method: 'put', path: one, summary: `Update a ${spec.kind}`, auth: 'admin', consumes: ['application/json'], schemas: { body: update.id },
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

const validateExplain = bodyValidator('iam-explain');

export function iamRoutes(s: ControlPlaneServices): UndialectedRoute[] {
  return [
    ...crudRoutes(s, '/iam/user', USER, typedSchema('iam-user-create'), typedSchema('iam-user-update')),
    ...crudRoutes(s, '/iam/group', GROUP, typedSchema('iam-group-create'), typedSchema('iam-group-update')),
    ...crudRoutes(s, '/iam/serviceAccount', SERVICE_ACCOUNT, typedSchema('iam-service-account-create'), typedSchema('iam-service-account-update')),
    ...crudRoutes(s, '/iam/policy', POLICY, typedSchema('iam-policy'), typedSchema('iam-policy')),
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
