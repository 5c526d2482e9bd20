import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { OkmsError } from '../domain/errors';
import type { Account, ApiTokenRecord } from '../domain/types';

/** The account a token speaks for, and the token's id (never its secret). */
export interface AdminIdentity {
  readonly account: Account;
  readonly tokenId: string;
}
import type { Repositories } from '../storage/ports';

/** Generated tokens look like `okmsd.<16 hex id>.<43 char secret>`; the id finds the record, the secret is checked. */
const TOKEN_FORMAT = /^okmsd\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;
/** The token given by OKMSD_ADMIN_TOKEN has any format, so it lives under this fixed id. */
export const CONFIG_TOKEN_ID = 'config-root';

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
// Compared against when no record matches, so that an unknown id costs the same as a wrong secret.
const DUMMY_HASH = sha256('okmsd-no-such-token');

export interface IssuedToken {
  readonly token: string;
  readonly record: ApiTokenRecord;
}

export function newApiToken(accountId: string, description: string, now: Date, expiresAt: string | null = null): IssuedToken {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return {
    token: `okmsd.${id}.${secret}`,
    record: { id, accountId, secretHash: sha256(secret).toString('hex'), description, createdAt: now.toISOString(), expiresAt },
  };
}

export function configTokenRecord(accountId: string, token: string, now: Date): ApiTokenRecord {
  return { id: CONFIG_TOKEN_ID, accountId, secretHash: sha256(token).toString('hex'), description: 'from OKMSD_ADMIN_TOKEN', createdAt: now.toISOString() };
}

/**
 * Resolves a Bearer token to its account; every failure is the same 401 (no oracle on which part was wrong). The
 * record is read on every call, so a revocation or an expiry takes effect at once on every node.
 */
export async function authenticateAdminToken(store: Pick<Repositories, 'accounts' | 'apiTokens'>, authorization: string | undefined, now: Date): Promise<AdminIdentity> {
  // Built only on failure: constructing an Error (its stack) on every request costs more than the lookup.
  const unauthenticated = () =>
    new OkmsError('ERR_UNAUTHENTICATED', 'a valid admin token is required (Authorization: Bearer <token>)', { field: 'Authorization' });
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) throw unauthenticated();
  const presented = match[1]!;
  const generated = TOKEN_FORMAT.exec(presented);
  const record = await store.apiTokens.get(generated ? generated[1]! : CONFIG_TOKEN_ID);
  const presentedHash = sha256(generated ? generated[2]! : presented);
  const expectedHash = record ? Buffer.from(record.secretHash, 'hex') : DUMMY_HASH;
  const equal = expectedHash.length === presentedHash.length && timingSafeEqual(expectedHash, presentedHash);
  if (!record || !equal || record.dataPlane) throw unauthenticated(); // a data-plane token never administers
  if (record.expiresAt && record.expiresAt <= now.toISOString()) throw unauthenticated();
  const account = await store.accounts.get(record.accountId);
  if (!account) throw unauthenticated();
  return { account, tokenId: record.id };
}
