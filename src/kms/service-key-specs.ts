import { OkmsError } from '../domain/errors';

export type ServiceKeyType = 'oct' | 'RSA' | 'EC';

/** Valid type / size / curve / operations combinations (OVH OKMS guide), and the defaults. */
export const SERVICE_KEY_SPECS: Record<ServiceKeyType, { sizes: readonly (number | null)[]; defaultSize: number | null; curves: readonly (string | null)[]; operations: readonly string[]; defaultOperations: readonly string[] }> = {
  oct: { sizes: [128, 192, 256], defaultSize: 256, curves: [null], operations: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'], defaultOperations: ['encrypt', 'decrypt'] },
  // wrapKey/unwrapKey make an RSA key a BYOK transport key (RSA-OAEP, RSA-OAEP-256).
  RSA: { sizes: [2048, 3072, 4096], defaultSize: 2048, curves: [null], operations: ['sign', 'verify', 'wrapKey', 'unwrapKey'], defaultOperations: ['sign', 'verify'] },
  EC: { sizes: [null], defaultSize: null, curves: ['P-256', 'P-384', 'P-521'], operations: ['sign', 'verify'], defaultOperations: ['sign', 'verify'] },
};

export interface ResolvedKeySpec {
  readonly type: ServiceKeyType;
  readonly size: number | null;
  readonly curve: string | null;
  readonly operations: readonly string[];
}

const invalid = (field: string, message: string) => new OkmsError('ERR_VALIDATION', `${field}: ${message}`, { field });

export function resolveKeySpec(input: { type?: ServiceKeyType; size?: number | null; curve?: string | null; operations?: readonly string[] | null }): ResolvedKeySpec {
  const type = input.type ?? 'oct';
  const spec = SERVICE_KEY_SPECS[type];
  const size = type === 'EC' ? null : (input.size ?? spec.defaultSize);
  if (type === 'EC' && input.size != null) throw invalid('size', 'an EC key has a curve, not a size');
  if (!spec.sizes.includes(size)) throw invalid('size', `${String(size)} is not a ${type} size (${spec.sizes.join(', ')})`);
  const curve = type === 'EC' ? (input.curve ?? 'P-256') : null;
  if (type !== 'EC' && input.curve != null) throw invalid('curve', `a ${type} key has no curve`);
  if (!spec.curves.includes(curve)) throw invalid('curve', `${String(curve)} is not accepted`);
  // An empty list is what okms-cli sends without --usage: the type's defaults, as OKMS gives them.
  const operations = input.operations?.length ? input.operations : spec.defaultOperations;
  const refused = operations.find((op) => !spec.operations.includes(op));
  if (refused) throw invalid('operations', `"${refused}" is not an operation of a ${type} key (${spec.operations.join(', ')})`);
  return { type, size, curve, operations };
}
