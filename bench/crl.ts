/**
 * bench/crl: what revocation for relying parties costs, in one run on this machine.
 * - CRL build (encode + sign) of a domain CA at 1k, 10k and 100k revoked serials: time, size, and time per entry
 *   against the 1k build (1.0 = the cost grows linearly; Vault's CRLs did not: hashicorp/vault #2844, #9176);
 *   plus the read of 100k revocations from the embedded store that a build starts with.
 * - OCSP responses per second in-process (parse, two store reads, sign) against the raw ECDSA signatures per second
 *   of the same CA key: the ratio is what the responder adds to the signature it cannot avoid.
 */
import { sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { CertID, OCSPRequest, Request, TBSRequest } from '@peculiar/asn1-ocsp';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';
import { createHash } from 'node:crypto';
import { buildCrl, type CrlEntry } from '../src/ca/crl';
import { pemToDer } from '../src/ca/csr-input';
import { DomainService } from '../src/ca/domain-service';
import { OcspResponder } from '../src/ca/ocsp-responder';
import { randomSerialHex } from '../src/ca/serial';
import { KeyHierarchy } from '../src/kms/key-hierarchy';
import { openEmbeddedStore } from '../src/storage/embedded/embedded-store';
import { bestOf, table, throughput } from './lib/measure';

const SIZES = [1_000, 10_000, 100_000];

function entries(count: number): CrlEntry[] {
  const revokedAt = new Date().toISOString();
  return Array.from({ length: count }, () => ({ serial: randomSerialHex(), revokedAt, reason: 'cessationOfOperation' }));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'okmsd-bench-crl-'));
  const store = await openEmbeddedStore(dir);
  try {
    const domains = new DomainService({ store, keys: new KeyHierarchy(Buffer.alloc(32, 3)), crypto: globalThis.crypto, clock: () => new Date(), defaultRegion: 'local' });
    const account = { id: 'bench', description: '', isRoot: true, createdAt: new Date().toISOString() };
    await store.accounts.create(account);
    const domain = await domains.create(account, { name: 'crl' });
    const ca = await domains.signer(domain);

    const rows: Array<Array<string | number>> = [];
    let perEntryAt1k = 0;
    for (const size of SIZES) {
      const list = entries(size);
      const started = performance.now();
      const der = await buildCrl(ca, { entries: list, thisUpdate: new Date(), nextUpdate: new Date(Date.now() + 86_400_000), crlNumber: BigInt(Date.now()) });
      const ms = performance.now() - started;
      const perEntry = (ms * 1000) / size;
      if (size === SIZES[0]) perEntryAt1k = perEntry;
      rows.push([size.toLocaleString('en'), ms, (der.length / 1024 / 1024).toFixed(2), perEntry, perEntry / perEntryAt1k]);
    }
    console.log(`\nbench/crl — CRL build (encode + sign, ${domain.caKeyAlgorithm} CA), Node ${process.version}`);
    console.log(table(['revoked serials', 'build ms', 'size MiB', 'µs per entry', 'vs 1k'], rows));

    // The store side of a 100k build: the revocations read back (written here through the credential path).
    const now = new Date().toISOString();
    const credentials = Array.from({ length: 100_000 }, (_, i) => ({
      id: crypto.randomUUID(), domainId: domain.id, accountId: 'bench', name: `c${i}`, description: '', identityURNs: [], status: 'READY' as const,
      fromCSR: false, certificateType: 'ECDSA' as const, keyAlgorithm: 'EC P-256', serial: randomSerialHex(), certificatePEM: '', createdAt: now, updatedAt: now,
      expiredAt: new Date(Date.now() + 86_400_000).toISOString(), version: 1,
    }));
    await store.credentials.createMany(credentials);
    const revokeStarted = performance.now();
    await Promise.all(credentials.map((c) => store.credentials.revoke(domain.id, c.id, now, 'cessationOfOperation')));
    const revokeMs = performance.now() - revokeStarted;
    const readStarted = performance.now();
    const read = await store.revocations.listForDomain(domain.id);
    const readMs = performance.now() - readStarted;
    console.log(`store: 100,000 revocations written in ${(revokeMs / 1000).toFixed(1)} s (group commit), read back for a build in ${readMs.toFixed(0)} ms (${read.length.toLocaleString('en')} rows)`);

    // OCSP: one request for a revoked serial, answered over and over, against raw signatures of the same key.
    const caDer = pemToDer(domain.caCertificatePEM);
    const caCert = AsnConvert.parse(caDer, Certificate);
    const sha1 = (data: ArrayBuffer | Uint8Array) => createHash('sha1').update(Buffer.from(data as ArrayBuffer)).digest();
    const request = Buffer.from(AsnConvert.serialize(new OCSPRequest({
      tbsRequest: new TBSRequest({
        requestList: [new Request({ reqCert: new CertID({
          hashAlgorithm: new AlgorithmIdentifier({ algorithm: '1.3.14.3.2.26', parameters: null }),
          issuerNameHash: new OctetString(sha1(AsnConvert.serialize(caCert.tbsCertificate.subject))),
          issuerKeyHash: new OctetString(sha1(caCert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey)),
          serialNumber: Buffer.from(credentials[0]!.serial, 'hex').buffer,
        }) })],
      }),
    })));
    const responder = new OcspResponder({ store, clock: () => new Date() });
    const tbs = Buffer.alloc(300, 1);
    const signAsync = () => new Promise<void>((resolve, reject) => sign(ca.hash, tbs, ca.privateKey, (error) => (error ? reject(error) : resolve())));
    const raw = await bestOf(2, () => throughput(4000, 16, signAsync));
    const issuers = [{ pem: domain.caCertificatePEM, signer: async () => ca }];
    const ocsp = await bestOf(2, () => throughput(4000, 16, async () => void (await responder.respond(domain, issuers, request))));
    console.log(table(['', 'per second', 'vs raw signatures'], [['raw ECDSA signatures (thread pool)', raw, 1], ['OCSP responses (revoked serial)', ocsp, ocsp / raw]]));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
