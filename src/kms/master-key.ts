import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MASTER_KEY_FILE = 'master.key';

/**
 * The master key from configuration, else from `$dataDir/master.key`, created (0600) on first start.
 * Returns where it came from so that the caller can warn about a key kept beside the data.
 */
export function loadMasterKey(configured: Buffer | undefined, dataDir: string): { key: Buffer; source: 'config' | 'file' | 'generated'; file?: string } {
  if (configured) return { key: configured, source: 'config' };
  const file = join(dataDir, MASTER_KEY_FILE);
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) throw new Error(`${file} is readable by group or others; run chmod 600 on it`);
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a base64 32-byte key`);
    return { key, source: 'file', file };
  }
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return { key, source: 'generated', file };
}
