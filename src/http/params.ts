import { OkmsError } from '../domain/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Path parameters that are UUIDs on every route: the pipeline refuses any other value before anything is looked
 * up or stored, and the OpenAPI document declares them as such.
 */
export const UUID_PARAMS = ['okmsId', 'credentialId', 'keyId'] as const;

/** A UUID path parameter, lower-cased; anything else is a 400 naming the parameter. */
export function uuidParam(params: Readonly<Record<string, string>>, name: string): string {
  const value = params[name] ?? '';
  if (!UUID.test(value)) {
    throw new OkmsError('ERR_VALIDATION', `${name}: "${value.slice(0, 64)}" is not a UUID`, { field: name });
  }
  return value.toLowerCase();
}
