import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { bootstrapRootAccount } from '../iam/bootstrap';
import { KeyHierarchy } from '../kms/key-hierarchy';
import { loadMasterKey } from '../kms/master-key';
import { openEmbeddedStore } from '../storage/embedded/embedded-store';
import { openMongoStore } from '../storage/mongo/mongo-store';
import type { Store } from '../storage/store';
import type { OkmsdConfig } from './config';

const MASTER_KEY_CANARY = 'master-key-canary';

async function openStore(config: OkmsdConfig, onCommit: (seconds: number) => void): Promise<Store> {
  if (config.store === 'embedded') return openEmbeddedStore(config.dataDir, { onCommit, auditSyncMs: config.auditSyncMs });
  return openMongoStore(config.mongodbUri!);
}

/**
 * The data okmsd starts from: the master key (refused when it is not the one the data was written with), the store
 * it opens, and the root account with its first admin token on first start.
 */
export async function openData(config: OkmsdConfig, options: { logger: Logger; clock: () => Date; onCommit: (seconds: number) => void }): Promise<{ store: Store; keys: KeyHierarchy }> {
  const { logger, clock } = options;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });

  const master = loadMasterKey(config.masterKey, config.dataDir);
  if (master.source !== 'config') {
    logger.warn({ file: master.file }, 'master key kept in the data dir: set OKMSD_MASTER_KEY (or an external KMS) in production');
  }
  const keys = new KeyHierarchy(master.key);
  const store = await openStore(config, options.onCommit);
  try {
    const canary = await store.meta.putIfAbsent(MASTER_KEY_CANARY, keys.makeCanary());
    if (!keys.checkCanary(canary)) throw new Error('the master key does not match the one this data was written with');

    const boot = await bootstrapRootAccount(store, {
      rootAccount: config.rootAccount,
      configToken: config.adminToken,
      dataDir: config.dataDir,
      now: clock(),
    });
    // The token itself goes to its file only: stdout ends up in journald and docker logs.
    if (boot.tokenFile) logger.warn({ file: boot.tokenFile }, 'generated the root admin token into its file (mode 0600); set OKMSD_ADMIN_TOKEN or create tokens with `okmsd token create`');
    if (boot.revokedGenerated) logger.warn({ revoked: boot.revokedGenerated }, 'OKMSD_ADMIN_TOKEN replaces the root token generated on first start: that token is revoked and its file removed');
  } catch (error) {
    await store.close();
    throw error;
  }

  return { store, keys };
}
