import { createHash } from 'node:crypto';
import type { DomainRecord } from '../domain/types';
import { TtlCache } from '../domain/ttl-cache';
import type { Repositories } from '../storage/ports';
import type { CaSigner } from './ca-signer';
import { buildCrl, type CrlEntry } from './crl';
import { generationId } from './ca-generation';

/** A CA whose CRL the domain publishes: its id (generationId of its certificate) and its signer. */
export interface CrlIssuer {
  readonly id: string;
  signer(): Promise<CaSigner>;
}

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
  /** Hashed once, when built: a node re-reading a 100k-entry CRL does not hash 4.7 MB again. */
  readonly etag: string;
}

const metaKey = (domainId: string, generation: string) => `crl/${domainId}/${generation}`;

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
      /** The CAs of a domain that publish a CRL, the issuing client-auth CA first (its trusted CAs, then its server CA). */
      issuers: (domain: DomainRecord) => Promise<readonly CrlIssuer[]>;
      domain: (domainId: string) => Promise<DomainRecord | undefined>;
      clock: () => Date;
      onBuilt?: (domainId: string, entries: number, seconds: number, bytes: number) => void;
      onError?: (domainId: string, error: unknown) => void;
    },
  ) {}

  /**
   * The CRL of one of the domain's CAs (its generation id; the issuing CA's when absent) to serve now, or
   * undefined while the first one is being built (a build is then under way).
   */
  async current(domain: DomainRecord, generation = generationId(domain)): Promise<PublishedCrl | undefined> {
    const key = `${domain.id}/${generation}`;
    let crl = this.cache.get(key);
    if (!crl) {
      const stored = await this.deps.store.meta.get(metaKey(domain.id, generation));
      crl = stored === undefined ? undefined : published(JSON.parse(stored) as StoredCrl);
      if (crl) this.cache.set(key, crl);
    }
    const now = this.deps.clock().getTime();
    // A read starts a build only when none runs: reads during a build must not queue another one (revocations do).
    if ((!crl || Date.parse(crl.nextUpdate) - now < CRL_VALIDITY_MS / 2) && !this.building.has(domain.id)) this.schedule(domain.id);
    return crl && Date.parse(crl.nextUpdate) > now ? crl : undefined;
  }

  /** Rebuilds the CRLs of every CA the domain trusts soon, off the caller's path. */
  schedule(domainId: string): void {
    if (this.building.has(domainId)) {
      this.again.add(domainId);
      return;
    }
    void this.build(domainId).catch((error: unknown) => this.deps.onError?.(domainId, error));
  }

  /** Builds, signs and stores the CRL of each CA the domain trusts now (one build per domain at a time); returns the issuing CA's. */
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
    const domain = await this.deps.domain(domainId);
    if (!domain) throw new Error(`domain ${domainId} is gone`);
    // Every trusted CA lists every revocation of the domain: a serial identifies a certificate together with its issuer.
    const entries = await this.deps.store.revocations.listForDomain(domainId);
    const built: PublishedCrl[] = [];
    for (const issuer of await this.deps.issuers(domain)) built.push(await this.buildFor(domain, issuer, entries));
    return built[0]!;
  }

  private async buildFor(domain: DomainRecord, issuer: CrlIssuer, entries: readonly CrlEntry[]): Promise<PublishedCrl> {
    const started = process.hrtime.bigint();
    const ca = await issuer.signer();
    const thisUpdate = new Date(Math.floor(this.deps.clock().getTime() / 1000) * 1000);
    const nextUpdate = new Date(thisUpdate.getTime() + CRL_VALIDITY_MS);
    // The CRL number must grow with every CRL of this CA: the build instant in ms does, on every node.
    const crlNumber = BigInt(this.deps.clock().getTime());
    const der = await buildCrl(ca, { entries, thisUpdate, nextUpdate, crlNumber });
    const stored: StoredCrl = {
      der: der.toString('base64'), thisUpdate: thisUpdate.toISOString(), nextUpdate: nextUpdate.toISOString(), crlNumber: crlNumber.toString(), entries: entries.length,
      etag: `"${createHash('sha256').update(der).digest('base64url').slice(0, 22)}"`,
    };
    const id = issuer.id;
    await this.deps.store.meta.put(metaKey(domain.id, id), JSON.stringify(stored));
    const crl = published(stored, der);
    this.cache.set(`${domain.id}/${id}`, crl);
    this.deps.onBuilt?.(domain.id, entries.length, Number(process.hrtime.bigint() - started) / 1e9, der.length);
    return crl;
  }
}

function published(stored: StoredCrl, der: Buffer = Buffer.from(stored.der, 'base64')): PublishedCrl {
  const { der: _base64, ...fields } = stored;
  return { ...fields, der };
}
