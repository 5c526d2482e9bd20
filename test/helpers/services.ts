import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialService } from '../../src/ca/credential-service';
import { DomainService } from '../../src/ca/domain-service';
import { KeyPairGenerator } from '../../src/ca/generate-key-pair';
import { RevocationSet } from '../../src/ca/revocation-set';
import type { Account, DomainRecord } from '../../src/domain/types';
import { IamService } from '../../src/iam/iam-service';
import { KeyHierarchy } from '../../src/kms/key-hierarchy';
import { openEmbeddedStore } from '../../src/storage/embedded/embedded-store';
import type { Store } from '../../src/storage/store';

/** An injected clock a test moves by hand. */
export class TestClock {
  constructor(private at = new Date()) {}
  readonly now = (): Date => this.at;
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

export interface ServiceSet {
  readonly store: Store;
  readonly keys: KeyHierarchy;
  readonly clock: TestClock;
  readonly account: Account;
  readonly domains: DomainService;
  readonly iam: IamService;
  readonly credentials: CredentialService;
  readonly revocations: RevocationSet;
  newDomain(name?: string): Promise<DomainRecord>;
  close(): Promise<void>;
}

/**
 * The services of one okmsd, wired as src/app wires them, on a real embedded store in a temporary directory:
 * no listener, no network, a clock the test moves. What a unit test of a service needs beneath it.
 */
export async function openServices(): Promise<ServiceSet> {
  const dir = mkdtempSync(join(tmpdir(), 'okmsd-unit-'));
  const store = await openEmbeddedStore(dir);
  const keys = new KeyHierarchy(Buffer.alloc(32, 7));
  const clock = new TestClock();
  const account: Account = { id: 'acme', description: '', isRoot: true, createdAt: clock.now().toISOString() };
  await store.accounts.create(account);
  const domains = new DomainService({ store, keys, crypto: globalThis.crypto, clock: clock.now, defaultRegion: 'eu-west-par' });
  const iam = new IamService({ store, clock: clock.now, urnRegion: 'eu' });
  const revocations = new RevocationSet(store);
  const credentials = new CredentialService({
    store, domains, clock: clock.now, urnRegion: 'eu',
    keyPairs: new KeyPairGenerator({ rsaThreads: 2, maxQueuedRsa: 8 }),
    onRevoked: (domainId, serial) => revocations.add(domainId, serial),
    bindIdentities: (accountId, urns, field) => iam.bindIdentities(accountId, urns, field),
  });
  let count = 0;
  return {
    store, keys, clock, account, domains, iam, credentials, revocations,
    newDomain: (name = `domain-${(count += 1)}`) => domains.create(account, { name }),
    async close() {
      revocations.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
