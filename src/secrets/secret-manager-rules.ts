import { OkmsError } from '../domain/errors';
import type { SecretConfigRecord, SecretPathRecord, SecretVersionRecord, SecretVersionState } from '../domain/records';

/** OKMS's limits (okms-api.md §8): a path of ≤ 255 such characters, ≤ 64 KB of data, ≤ 64 custom metadata entries. */
export const PATH_PATTERN = /^[a-zA-Z0-9_.:/=@-]{1,255}$/;
/** The same rule as one regular expression, for the OpenAPI document: segments joined by single slashes. */
export const PATH_PARAM_PATTERN = '^[a-zA-Z0-9_.:=@-]+(/[a-zA-Z0-9_.:=@-]+)*$';
export const MAX_DATA_BYTES = 64 * 1024;
export const MAX_CUSTOM_METADATA = 64;
const METADATA_VALUE = /^[a-zA-Z0-9_.:/=@%-]{1,512}$/;
const METADATA_KEY = /^[a-zA-Z0-9_.:/=@%-]{1,128}$/;
export const MAX_VERSIONS_LIMIT = 24_000;
export const DEFAULT_MAX_VERSIONS = 10;
/**
 * What one secret keeps at most, its versions' data together: older versions go first beyond it, as they do beyond
 * maxVersions. One record per secret makes a check-and-set write one compare-and-set; this bound keeps it small.
 */
export const MAX_SECRET_BYTES = 4 * 1024 * 1024;
export const DEFAULT_CONFIG: SecretConfigRecord = { casRequired: false, deactivateVersionAfter: null, maxVersions: DEFAULT_MAX_VERSIONS };

export const invalid = (field: string, message: string) => new OkmsError('ERR_VALIDATION', `${field}: ${message}`, { field });

export function checkPath(path: string, field = 'path'): string {
  // A trailing slash names a folder (Vault); a secret's path has none, nor empty segments.
  if (!PATH_PATTERN.test(path) || path.startsWith('/') || path.endsWith('/') || path.includes('//')) {
    throw invalid(field, 'must be 1–255 characters of a-z A-Z 0-9 _ . : / = @ -, without a leading or trailing slash or an empty segment');
  }
  return path;
}

/** The data of a version: a JSON object of at most 64 KB; its canonical JSON is what is stored (wrapped). */
export function checkData(data: unknown, field = 'data'): Buffer {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalid(field, 'must be a JSON object');
  const json = Buffer.from(JSON.stringify(data));
  if (json.length > MAX_DATA_BYTES) throw invalid(field, `must be at most ${MAX_DATA_BYTES} bytes as JSON (it is ${json.length})`);
  return json;
}

export function checkCustomMetadata(value: unknown, field = 'customMetadata'): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, 'must be an object of strings');
  const entries = Object.entries(value);
  if (entries.length > MAX_CUSTOM_METADATA) throw invalid(field, `at most ${MAX_CUSTOM_METADATA} entries`);
  for (const [key, item] of entries) {
    if (!METADATA_KEY.test(key)) throw invalid(`${field}.${key.slice(0, 64)}`, 'keys are 1–128 characters of a-z A-Z 0-9 _ . : / = @ % -');
    if (typeof item !== 'string' || !METADATA_VALUE.test(item)) throw invalid(`${field}.${key}`, 'values are 1–512 characters of a-z A-Z 0-9 _ . : / = @ % -');
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

export function checkMaxVersions(value: unknown, field = 'maxVersions'): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > MAX_VERSIONS_LIMIT) throw invalid(field, `must be an integer from 0 to ${MAX_VERSIONS_LIMIT}`);
  return value as number;
}

const DURATION = /^(?:(\d{1,6})h)?(?:(\d{1,8})m)?(?:(\d{1,10})s)?$/;

/** A Go duration as OKMS and Vault write it ("10h30m10s", "90s", "0s"), in milliseconds; "" and "0s" mean none. */
export function parseDuration(value: string, field: string): number {
  const match = DURATION.exec(value);
  if (!match || (value !== '' && match[1] === undefined && match[2] === undefined && match[3] === undefined)) {
    throw invalid(field, 'must be a duration such as 10h30m10s, 90m or 0s');
  }
  return ((Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0)) * 60 + Number(match[3] ?? 0)) * 1000;
}

export function checkDuration(value: unknown, field: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw invalid(field, 'must be a duration string such as 10h30m10s');
  return parseDuration(value, field) === 0 ? null : value;
}

export const maxVersionsOf = (secret: Pick<SecretPathRecord, 'maxVersions'>, config: SecretConfigRecord): number =>
  secret.maxVersions || config.maxVersions || DEFAULT_MAX_VERSIONS;

export const casRequiredOf = (secret: Pick<SecretPathRecord, 'casRequired'> | undefined, config: SecretConfigRecord): boolean => secret?.casRequired ?? config.casRequired;

/** A version as it stands at `now`: an active one past deactivateVersionAfter reads as deactivated since that instant. */
export function versionAt(version: SecretVersionRecord, secret: Pick<SecretPathRecord, 'deactivateVersionAfter'>, config: SecretConfigRecord, now: Date): SecretVersionRecord {
  const after = secret.deactivateVersionAfter ?? config.deactivateVersionAfter;
  if (version.state !== 'active' || !after) return version;
  const at = Date.parse(version.createdAt) + parseDuration(after, 'deactivateVersionAfter');
  return at <= now.getTime() ? { ...version, state: 'deactivated', deactivatedAt: new Date(at).toISOString() } : version;
}

/** The versions to keep after adding one: the newest maxVersions, and fewer when their data together pass MAX_SECRET_BYTES. */
export function keptVersions(versions: readonly SecretVersionRecord[], maxVersions: number): SecretVersionRecord[] {
  const kept = versions.slice(-maxVersions);
  let bytes = kept.reduce((sum, v) => sum + (v.data ? v.bytes : 0), 0);
  while (kept.length > 1 && bytes > MAX_SECRET_BYTES) {
    const dropped = kept.shift()!;
    bytes -= dropped.data ? dropped.bytes : 0;
  }
  return kept;
}

export const STATES: readonly SecretVersionState[] = ['active', 'deactivated', 'deleted'];
