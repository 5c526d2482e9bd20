import { createHash } from 'node:crypto';
import type { DomainRecord } from '../domain/types';
import { TtlCache } from '../domain/ttl-cache';
import type { Repositories } from '../storage/ports';
import type { CaSigner } from './ca-signer';
import { buildCrl } from './crl';

/** A CRL is valid this long; it is rebuilt once half of that has passed (or at once when a revocation happens). */
export const CRL_VALIDITY_MS = 24 * 60 * 60 * 1000;

export interface PublishedCrl {
  readonly der: Buffer;
  readonly thisUpdate: string;
  readonly nextUpdate: string;
  readonly crlNumber: string;
  readonly etag: string;
  readonly entries: number;
}

interface StoredCrl {
  readonly der: string;
  readonly thisUpdate: string;
  readonly nextUpdate: string;
  readonly crlNumber: string;
  readonly entries: number;
}

const metaKey = (domainId: string) => `crl/${domainId}`;

/**
 * The domain CAs' CRLs for relying parties. A CRL is built in the background — after a revocation, when the stored
 * one is past half its life, or when none exists — and kept in the store, so that every node serves the same one;
 * the request path only reads (at most once a second per node). Builds of one domain never overlap, and a
 * revocation during a build makes exactly one more. Cost grows linearly with the domain's revocations
 * (bench/crl measures 100k).
 */
export class CrlPublisher {
  private readonly building = new Map<string, Promise<PublishedCrl>>();
  private readonly again = new Set<string>();
  private readonly cache = new TtlCache<PublishedCrl>(1000, () => this.deps.clock().getTime());

  constructor(
    private readonly deps: {
      store: Pick<Repositories, 'meta' | 'revocations'>;
      signer: (domain: DomainRecord) => Promise<CaSigner>;
      domain: (domainId: string) => Promise<DomainRecord | undefined>;
      clock: () => Date;
      onBuilt?: (domainId: string, entries: number, seconds: number, bytes: number) => void;
      onError?: (domainId: string, error: unknown) => void;
    },
  ) {}

  /** The CRL to serve now, or undefined while the first one is being built (a build is then under way). */
  async current(domainId: string): Promise<PublishedCrl | undefined> {
    let crl = this.cache.get(domainId);
    if (!crl) {
      const stored = await this.deps.store.meta.get(metaKey(domainId));
      crl = stored === undefined ? undefined : published(JSON.parse(stored) as StoredCrl);
      if (crl) this.cache.set(domainId, crl);
    }
    const now = this.deps.clock().getTime();
    if (!crl || Date.parse(crl.nextUpdate) - now < CRL_VALIDITY_MS / 2) this.schedule(domainId);
    return crl && Date.parse(crl.nextUpdate) > now ? crl : undefined;
  }

  /** Rebuilds soon, off the caller's path. */
  schedule(domainId: string): void {
    if (this.building.has(domainId)) {
      this.again.add(domainId);
      return;
    }
    void this.build(domainId).catch((error: unknown) => this.deps.onError?.(domainId, error));
  }

  /** Builds, signs and stores the domain's CRL now (one build per domain at a time). */
  build(domainId: string): Promise<PublishedCrl> {
    const running = this.building.get(domainId);
    if (running) return running;
    const build = this.buildOnce(domainId).finally(() => {
      this.building.delete(domainId);
      if (this.again.delete(domainId)) this.schedule(domainId);
    });
    this.building.set(domainId, build);
    return build;
  }

  private async buildOnce(domainId: string): Promise<PublishedCrl> {
    const started = process.hrtime.bigint();
    const domain = await this.deps.domain(domainId);
    if (!domain) throw new Error(`domain ${domainId} is gone`);
    const ca = await this.deps.signer(domain);
    const entries = await this.deps.store.revocations.listForDomain(domainId);
    const thisUpdate = new Date(Math.floor(this.deps.clock().getTime() / 1000) * 1000);
    const nextUpdate = new Date(thisUpdate.getTime() + CRL_VALIDITY_MS);
    // The CRL number must grow with every CRL of this CA: the build instant in ms does, on every node.
    const crlNumber = BigInt(this.deps.clock().getTime());
    const der = await buildCrl(ca, { entries, thisUpdate, nextUpdate, crlNumber });
    const stored: StoredCrl = { der: der.toString('base64'), thisUpdate: thisUpdate.toISOString(), nextUpdate: nextUpdate.toISOString(), crlNumber: crlNumber.toString(), entries: entries.length };
    await this.deps.store.meta.put(metaKey(domainId), JSON.stringify(stored));
    const crl = published(stored, der);
    this.cache.set(domainId, crl);
    this.deps.onBuilt?.(domainId, entries.length, Number(process.hrtime.bigint() - started) / 1e9, der.length);
    return crl;
  }
}

function published(stored: StoredCrl, der: Buffer = Buffer.from(stored.der, 'base64')): PublishedCrl {
  return {
    der,
    thisUpdate: stored.thisUpdate,
    nextUpdate: stored.nextUpdate,
    crlNumber: stored.crlNumber,
    entries: stored.entries,
    etag: `"${createHash('sha256').update(der).digest('base64url').slice(0, 22)}"`,
  };
}
