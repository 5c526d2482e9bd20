import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../storage/ports';
import { configTokenRecord, newApiToken } from './admin-tokens';

export const ADMIN_TOKEN_FILE = 'admin-token';

export interface RootBootstrapResult {
  /** Set only on the very first start without OKMSD_ADMIN_TOKEN: the caller prints it once. */
  readonly generatedToken?: string;
  readonly tokenFile?: string;
}

/**
 * Makes sure the root account exists and can sign in: with OKMSD_ADMIN_TOKEN, that token (re-hashed
 * on every start, so changing it in config takes effect); without it, a token generated on first start,
 * written to `$dataDir/admin-token` (0600) and returned so it can be printed once.
 */
export async function bootstrapRootAccount(
  store: Store,
  options: { rootAccount: string; configToken: string | undefined; dataDir: string; now: Date },
): Promise<RootBootstrapResult> {
  const { rootAccount, configToken, dataDir, now } = options;
  if (!(await store.accounts.get(rootAccount))) {
    await store.accounts.create({ id: rootAccount, description: 'root account', isRoot: true, createdAt: now.toISOString() });
  }
  if (configToken !== undefined) {
    await store.apiTokens.upsert(configTokenRecord(rootAccount, configToken, now));
    return {};
  }
  if ((await store.apiTokens.countForAccount(rootAccount)) > 0) return {};
  const issued = newApiToken(rootAccount, 'generated on first start', now);
  const tokenFile = join(dataDir, ADMIN_TOKEN_FILE);
  writeFileSync(tokenFile, `${issued.token}\n`, { mode: 0o600 });
  await store.apiTokens.create(issued.record);
  return { generatedToken: issued.token, tokenFile };
}
