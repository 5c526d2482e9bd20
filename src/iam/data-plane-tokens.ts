import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiTokenRecord, DataPlaneTokenSubject } from '../domain/types';
import type { Repositories } from '../storage/ports';

/**
 * Personal access tokens for the data plane, as OKMS gives IAM users: `okmsd-pat.<16 hex id>.<43 char secret>`,
 * shown once, stored as the SHA-256 of the secret, with an optional expiry, revocable at once (the record is read
 * on every call). Another prefix than admin tokens, and a `dataPlane` subject in the record: neither kind is ever
 * accepted in the other's place.
 */
const TOKEN_FORMAT = /^okmsd-pat\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;
const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
// Compared against when no record matches, so that an unknown id costs the same as a wrong secret.
const DUMMY_HASH = sha256('okmsd-no-such-personal-token');

export function newDataPlaneToken(accountId: string, subject: DataPlaneTokenSubject, description: string, now: Date, expiresAt: string | null): { token: string; record: ApiTokenRecord } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return {
    token: `okmsd-pat.${id}.${secret}`,
    record: { id, accountId, secretHash: sha256(secret).toString('hex'), description, createdAt: now.toISOString(), expiresAt, dataPlane: subject },
  };
}

/** Whether a presented value has the shape of a personal access token (what decides which authenticator runs). */
export const looksLikeDataPlaneToken = (value: string): boolean => value.startsWith('okmsd-pat.');

/** The live record of a presented token, or undefined for anything wrong with it (one answer for every failure). */
export async function findDataPlaneToken(store: Pick<Repositories, 'apiTokens'>, presented: string, now: Date): Promise<ApiTokenRecord | undefined> {
  const parsed = TOKEN_FORMAT.exec(presented);
  const record = parsed ? await store.apiTokens.get(parsed[1]!) : undefined;
  const presentedHash = sha256(parsed ? parsed[2]! : presented);
  const expected = record?.dataPlane ? Buffer.from(record.secretHash, 'hex') : DUMMY_HASH;
  const equal = expected.length === presentedHash.length && timingSafeEqual(expected, presentedHash);
  if (!record?.dataPlane || !equal) return undefined;
  if (record.expiresAt && record.expiresAt <= now.toISOString()) return undefined;
  return record;
}
