import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../../src/storage/embedded/embedded-store';
import { describeStoreContract } from './store-contract';

const root = mkdtempSync(join(tmpdir(), 'okmsd-contract-'));
describeStoreContract(
  'embedded (SQLite)',
  async (name) => openEmbeddedStore(join(root, name)),
  async () => rmSync(root, { recursive: true, force: true }),
);
