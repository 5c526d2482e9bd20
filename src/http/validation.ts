import type { ErrorObject, ValidateFunction } from 'ajv';
// Draft 2019-09: draft-07's keywords plus dependentRequired (OpenAPI 3.1 documents speak 2020-12, its superset here).
import Ajv from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import accountCreate from '../../schemas/account-create.json';
import adminTokenCreate from '../../schemas/admin-token-create.json';
import auditPrune from '../../schemas/audit-prune.json';
import credentialCreateQuery from '../../schemas/credential-create-query.json';
import credentialCreate from '../../schemas/credential-create.json';
import domainCreate from '../../schemas/domain-create.json';
import listQuery from '../../schemas/list-query.json';
import uuidParam from '../../schemas/uuid-param.json';
import identityUrnSchema from '../../schemas/identity-urn.json';
import iamExplain from '../../schemas/iam-explain.json';
import iamGroupCreate from '../../schemas/iam-group-create.json';
import iamGroupUpdate from '../../schemas/iam-group-update.json';
import iamPolicy from '../../schemas/iam-policy.json';
import iamServiceAccountCreate from '../../schemas/iam-service-account-create.json';
import iamServiceAccountUpdate from '../../schemas/iam-service-account-update.json';
import iamUserCreate from '../../schemas/iam-user-create.json';
import iamUserUpdate from '../../schemas/iam-user-update.json';
import datakeyDecrypt from '../../schemas/datakey-decrypt.json';
import datakey from '../../schemas/datakey.json';
import decrypt from '../../schemas/decrypt.json';
import encrypt from '../../schemas/encrypt.json';
import servicekeyCreate from '../../schemas/servicekey-create.json';
import servicekeyDeactivate from '../../schemas/servicekey-deactivate.json';
import servicekeyPatch from '../../schemas/servicekey-patch.json';
import sign from '../../schemas/sign.json';
import verify from '../../schemas/verify.json';
import barbicanSecretCreate from '../../schemas/barbican-secret-create.json';
import barbicanContainerCreate from '../../schemas/barbican-container-create.json';
import barbicanConsumer from '../../schemas/barbican-consumer.json';
import barbicanOrderCreate from '../../schemas/barbican-order-create.json';
import barbicanAcl from '../../schemas/barbican-acl.json';
import barbicanMetadata from '../../schemas/barbican-metadata.json';
import barbicanMetadatum from '../../schemas/barbican-metadatum.json';
import barbicanListQuery from '../../schemas/barbican-list-query.json';
import keystoneAuth from '../../schemas/keystone-auth.json';
import credentialRenew from '../../schemas/credential-renew.json';
import barbicanContainerRotate from '../../schemas/barbican-container-rotate.json';
import certificateVerify from '../../schemas/certificate-verify.json';
import namePolicy from '../../schemas/name-policy.json';
import caSwitch from '../../schemas/ca-switch.json';
import serverCertificateRevoke from '../../schemas/server-certificate-revoke.json';
import dataTokenCreate from '../../schemas/data-token-create.json';
import servicekeyWrappedKey from '../../schemas/servicekey-wrapped-key.json';
import servicekeyExportQuery from '../../schemas/servicekey-export-query.json';
import secretV2Create from '../../schemas/secret-v2-create.json';
import secretV2Update from '../../schemas/secret-v2-update.json';
import secretV2VersionCreate from '../../schemas/secret-v2-version-create.json';
import secretV2VersionState from '../../schemas/secret-v2-version-state.json';
import secretConfig from '../../schemas/secret-config.json';
import vaultKvWrite from '../../schemas/vault-kv-write.json';
import vaultKvVersions from '../../schemas/vault-kv-versions.json';
import vaultKvMetadata from '../../schemas/vault-kv-metadata.json';
import vaultKvConfig from '../../schemas/vault-kv-config.json';
import { OkmsError } from '../domain/errors';
import type { SchemaTypes } from './schema-types';
import { parseIdentityUrn } from '../domain/urn';

/** Every JSON Schema in schemas/: the one source for validation here and for the OpenAPI document. */
export const SCHEMAS = [
  domainCreate, credentialCreate, credentialCreateQuery, accountCreate, adminTokenCreate, auditPrune, listQuery, uuidParam, identityUrnSchema,
  iamUserCreate, iamUserUpdate, iamGroupCreate, iamGroupUpdate, iamServiceAccountCreate, iamServiceAccountUpdate, iamPolicy, iamExplain,
  credentialRenew, barbicanContainerRotate, certificateVerify, namePolicy, caSwitch, serverCertificateRevoke, dataTokenCreate, servicekeyWrappedKey, servicekeyExportQuery, secretV2Create, secretV2Update, secretV2VersionCreate, secretV2VersionState, secretConfig, vaultKvWrite, vaultKvVersions, vaultKvMetadata, vaultKvConfig, servicekeyCreate, servicekeyPatch, servicekeyDeactivate, encrypt, decrypt, datakey, datakeyDecrypt, sign, verify,
  barbicanSecretCreate, barbicanContainerCreate, barbicanConsumer, barbicanOrderCreate, barbicanAcl, barbicanMetadata, barbicanMetadatum, barbicanListQuery, keystoneAuth,
] as const;
/** A schema's $id (the file name under schemas/); SchemaTypes is generated from the same folder. */
export type SchemaId = keyof SchemaTypes;

function makeAjv(coerce: boolean): Ajv {
  // Query strings carry only strings; there "30" may stand for 30 and one value for a one-item list.
  // strictRequired off: `anyOf: [{ required: [a] }, { required: [b] }]` names properties declared beside it, not inside.
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, coerceTypes: coerce ? 'array' : false, useDefaults: false });
  addFormats(ajv);
  for (const schema of SCHEMAS) ajv.addSchema(schema);
  return ajv;
}

const bodyAjv = makeAjv(false);
const queryAjv = makeAjv(true);

/** `/identityURNs/0` -> `identityURNs[0]` */
function fieldOf(error: ErrorObject): string {
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
  if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
  return segments.reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : path ? `${path}.${s}` : s), '') || '(body)';
}

function reasonOf(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': return 'is required';
    case 'additionalProperties': return 'is not a known field';
    case 'type': return `must be of type ${String(p.type)}`;
    case 'enum': return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'minLength': return Number(p.limit) === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`;
    case 'maxLength': return `must be at most ${String(p.limit)} characters`;
    case 'minimum': return `must be >= ${String(p.limit)}`;
    case 'maximum': return `must be <= ${String(p.limit)}`;
    case 'minItems': return `must hold at least ${String(p.limit)} item(s)`;
    case 'maxItems': return `must hold at most ${String(p.limit)} items`;
    case 'uniqueItems': return `must not repeat items (items ${String(p.j)} and ${String(p.i)} are equal)`;
    case 'pattern': return `has an invalid format (expected ${String(p.pattern)})`;
    case 'format': return `must be a valid ${String(p.format)}`;
    case 'multipleOf': return `must be a multiple of ${String(p.multipleOf)}`;
    default: return error.message ?? 'is invalid';
  }
}

export function validationError(errors: readonly ErrorObject[]): OkmsError {
  const list = errors.map((e) => ({ field: fieldOf(e), reason: reasonOf(e) }));
  const first = list[0] ?? { field: '(body)', reason: 'is invalid' };
  return new OkmsError('ERR_VALIDATION', `${first.field}: ${first.reason}`, { field: first.field, details: { errors: list } });
}

/** An identity URN that fails its pattern: the URN parser says which part is wrong (ERR_URN_INVALID). */
function urnError(errors: readonly ErrorObject[], subject: unknown): OkmsError | undefined {
  const error = errors.find((e) => e.keyword === 'pattern' && e.schemaPath.startsWith('identity-urn'));
  if (!error) return undefined;
  const value = error.instancePath.split('/').slice(1).reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], subject);
  if (typeof value !== 'string') return undefined;
  try {
    parseIdentityUrn(value, fieldOf(error));
  } catch (parsed) {
    if (parsed instanceof OkmsError) return parsed;
  }
  return undefined;
}

export type Validator<T> = (value: unknown) => T;

function validator<T>(ajv: Ajv, id: SchemaId, copy: boolean): Validator<T> {
  const validate = ajv.getSchema(id) as ValidateFunction | undefined;
  if (!validate) throw new Error(`no schema ${id}`);
  return (value: unknown): T => {
    // Coercion rewrites its input, so query validation works on a copy.
    const subject = copy && value && typeof value === 'object' ? structuredClone(value) : value;
    if (!validate(subject)) throw urnError(validate.errors ?? [], subject) ?? validationError(validate.errors ?? []);
    return subject as T;
  };
}

/** Validates against schemas/{id}.json; what passes has the type generated from that schema (src/http/schema-types.ts). */
export const bodyValidator = <Id extends SchemaId>(id: Id): Validator<SchemaTypes[Id]> => validator<SchemaTypes[Id]>(bodyAjv, id, false);
export const queryValidator = <Id extends SchemaId>(id: Id): Validator<SchemaTypes[Id]> => validator<SchemaTypes[Id]>(queryAjv, id, true);
