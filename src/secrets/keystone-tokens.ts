import { createHash, randomBytes } from 'node:crypto';
import { NO_PASSWORD, verifyPassword } from '../iam/passwords';
import type { KeystoneTokenDoc } from '../domain/records';
import { OkmsError } from '../domain/errors';
import type { DomainRecord } from '../domain/types';
import type { Repositories } from '../storage/ports';
import { uidOf } from '../iam/iam-service';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle } from './login-throttle';

export const DEFAULT_KEYSTONE_DOMAIN = 'Default';

/** A token's record: what the store keeps of it. */
export type KeystoneToken = KeystoneTokenDoc;

const unauthorized = (message = 'The request you have made requires authentication.') => new OkmsError('ERR_UNAUTHENTICATED', message);
const tokenId = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Keystone v3 compatible tokens for the OpenStack clients. A Keystone user is an okmsd IAM user with a password
 * (user domain `Default` = the root account, any other domain name = the account of that id); a Keystone project is
 * one of that account's okmsd domains, by id or by name. Tokens are random, stored only as their SHA-256, expire,
 * and can be revoked (DELETE /v3/auth/tokens).
 */
export class KeystoneTokens {
  private readonly throttle: LoginThrottle;

  constructor(private readonly deps: { store: Pick<Repositories, 'accounts' | 'domains' | 'iam' | 'objects'>; clock: () => Date; rootAccount: string; ttlSeconds: number }) {
    this.throttle = new LoginThrottle(() => deps.clock().getTime(), DEFAULT_LOGIN_THROTTLE);
  }

  accountOfDomain(domain: { name?: unknown; id?: unknown } | undefined): string {
    const named = typeof domain?.name === 'string' ? domain.name : typeof domain?.id === 'string' ? domain.id : DEFAULT_KEYSTONE_DOMAIN;
    return named === DEFAULT_KEYSTONE_DOMAIN || named.toLowerCase() === 'default' ? this.deps.rootAccount : named;
  }

  /** Checks a password, backing off per user and per source (429 while locked, before any hashing). Returns the user's uid. */
  async authenticatePassword(accountId: string, login: string, password: string, source: string): Promise<string> {
    const userKey = `${accountId}/${login}`;
    this.throttle.check(userKey, source);
    const user = (await this.deps.store.accounts.get(accountId)) ? await this.deps.store.iam.get(accountId, 'user', login) : undefined;
    // The hash is computed even for unknown users, so that timing does not tell which logins exist.
    const ok = await verifyPassword(user?.doc.passwordHash ?? NO_PASSWORD, password);
    if (!user || !ok) {
      this.throttle.failed(userKey, source);
      throw unauthorized('The request you have made requires authentication.');
    }
    this.throttle.succeeded(userKey);
    return uidOf(user);
  }

  async resolveProject(accountId: string, project: { id?: unknown; name?: unknown } | undefined): Promise<DomainRecord> {
    if (typeof project?.id === 'string') {
      const domain = await this.deps.store.domains.get(project.id);
      if (domain && domain.accountId === accountId) return domain;
    } else if (typeof project?.name === 'string') {
      const matches: DomainRecord[] = [];
      let page = await this.deps.store.domains.listForAccount(accountId, { limit: 100 });
      for (;;) {
        matches.push(...page.items.filter((d) => d.name === project.name || d.id === project.name));
        if (!page.next) break;
        page = await this.deps.store.domains.listForAccount(accountId, { limit: 100, after: page.next });
      }
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) throw new OkmsError('ERR_CONFLICT', `project name "${project.name}" is ambiguous: scope by project id`, { field: 'auth.scope.project.name' });
    } else {
      throw new OkmsError('ERR_VALIDATION', 'auth.scope.project: a project scope (id, or name with domain) is required', { field: 'auth.scope.project' });
    }
    throw unauthorized('Could not find the project the token is to be scoped to.');
  }

  /**
   * A new token. `notAfter`: a token got with the `token` method never outlives the one it came from (as Keystone:
   * re-scoping does not extend a session).
   */
  async issue(accountId: string, userId: string, userUid: string | undefined, project: DomainRecord, methods: readonly string[], notAfter?: string): Promise<{ token: string; record: KeystoneToken }> {
    const token = `okmsd-ks-${randomBytes(32).toString('base64url')}`;
    const now = this.deps.clock();
    const fresh = new Date(now.getTime() + this.deps.ttlSeconds * 1000).toISOString();
    const record: KeystoneToken = {
      accountId, userId, projectId: project.id, projectName: project.name, methods,
      issuedAt: now.toISOString(), expiresAt: notAfter !== undefined && notAfter < fresh ? notAfter : fresh,
      ...(userUid ? { userUid } : {}),
    };
    await this.deps.store.objects.create({
      kind: 'keystoneToken', id: tokenId(token), domainId: project.id, name: null, type: 'token', expiresAt: record.expiresAt, notAfter: record.expiresAt, // notAfter: found by the purge
      doc: { ...record }, createdAt: record.issuedAt, updatedAt: record.issuedAt, version: 1,
    });
    return { token, record };
  }

  /**
   * The token's record if it is known and unexpired, and its user still exists as the same user (same uid) whose
   * password has not changed since the token was issued; else 401. A deleted user or a new password thus revokes
   * every token of that user at once, on every node.
   */
  async validate(token: string | undefined): Promise<KeystoneToken> {
    if (!token || token.length > 256) throw unauthorized();
    const stored = await this.deps.store.objects.get('keystoneToken', tokenId(token));
    if (!stored || stored.expiresAt === null || stored.expiresAt <= this.deps.clock().toISOString()) throw unauthorized('The token is unknown, expired or revoked.');
    const record = stored.doc;
    const user = await this.deps.store.iam.get(record.accountId, 'user', record.userId);
    const passwordChangedAt = user?.doc.passwordChangedAt;
    if (!user || (record.userUid !== undefined && uidOf(user) !== record.userUid) || (passwordChangedAt !== undefined && passwordChangedAt > record.issuedAt)) {
      throw unauthorized('The token is unknown, expired or revoked.');
    }
    return record;
  }

  /** Forgets tokens that expired before `now` (the lifecycle job calls it); returns how many. */
  async purgeExpired(now: Date, limit = 1000): Promise<number> {
    const expired = await this.deps.store.objects.listExpiring('keystoneToken', '1970-01-01T00:00:00.000Z', now.toISOString());
    let purged = 0;
    for (const token of expired.slice(0, limit)) if (await this.deps.store.objects.delete('keystoneToken', token.id)) purged += 1;
    return purged;
  }

  async revoke(token: string): Promise<boolean> {
    return this.deps.store.objects.delete('keystoneToken', tokenId(token));
  }
}
