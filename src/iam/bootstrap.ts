import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Repositories } from '../storage/ports';
import { configTokenRecord, newApiToken } from './admin-tokens';

export const ADMIN_TOKEN_FILE = 'admin-token';

export const GENERATED_TOKEN_DESCRIPTION = 'generated on first start';

export interface RootBootstrapResult {
  /** Set only on the very first start without OKMSD_ADMIN_TOKEN: where the generated token was written. */
  readonly tokenFile?: string;
  /** With OKMSD_ADMIN_TOKEN: how many generated root tokens it replaced (revoked, and their file removed). */
  readonly revokedGenerated?: number;
}

/**
 * Makes sure the root account exists and can sign in: with OKMSD_ADMIN_TOKEN, that token (re-hashed
 * on every start, so changing it in config takes effect), and a root token generated on an earlier start is
 * revoked then (configuration replaces it); without it, a token generated on first start and written to
 * `$dataDir/admin-token` (0600) only — never to a log or the terminal.
 */
export async function bootstrapRootAccount(
  store: Pick<Repositories, 'accounts' | 'apiTokens'>,
  options: { rootAccount: string; configToken: string | undefined; dataDir: string; now: Date },
): Promise<RootBootstrapResult> {
  const { rootAccount, configToken, dataDir, now } = options;
  if (!(await store.accounts.get(rootAccount))) {
    await store.accounts.create({ id: rootAccount, description: 'root account', isRoot: true, createdAt: now.toISOString() });
  }
  const tokenFile = join(dataDir, ADMIN_TOKEN_FILE);
  if (configToken !== undefined) {
    await store.apiTokens.upsert(configTokenRecord(rootAccount, configToken, now));
    let revokedGenerated = 0;
    for (const token of await store.apiTokens.listForAccount(rootAccount)) {
      if (token.description === GENERATED_TOKEN_DESCRIPTION && (await store.apiTokens.delete(token.id))) revokedGenerated += 1;
    }
    if (revokedGenerated > 0) rmSync(tokenFile, { force: true });
    return revokedGenerated > 0 ? { revokedGenerated } : {};
  }
  if ((await store.apiTokens.countForAccount(rootAccount)) > 0) return {};
  const issued = newApiToken(rootAccount, GENERATED_TOKEN_DESCRIPTION, now);
  writeFileSync(tokenFile, `${issued.token}\n`, { mode: 0o600 });
  await store.apiTokens.create(issued.record);
  return { tokenFile };
}
