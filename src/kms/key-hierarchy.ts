import { hkdfSync, randomBytes } from 'node:crypto';
import { parseWrappedBlob, unwrap, wrap } from './envelope';

/**
 * master key ─ wraps one key-encryption key (KEK) per domain ─ which wraps the domain's secrets
 * (its CA private key now; service keys and secret payloads later). Rotating the master key re-wraps
 * KEKs only; data stays encrypted under its KEK.
 */
export class KeyHierarchy {
  static readonly MASTER_KEY_VERSION = 1;
  private readonly masterKid = `master/${KeyHierarchy.MASTER_KEY_VERSION}`;

  constructor(private readonly masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
  }

  /** A fresh KEK for a new domain, returned with its wrapped form (the only form that is stored). */
  newDomainKek(domainId: string): { kek: Buffer; wrappedKek: string } {
    const kek = randomBytes(32);
    return { kek, wrappedKek: JSON.stringify(wrap(this.masterKey, this.masterKid, kek, `okmsd/kek/${domainId}`)) };
  }

  openDomainKek(domainId: string, wrappedKek: string): Buffer {
    return unwrap(this.masterKey, parseWrappedBlob(wrappedKek), `okmsd/kek/${domainId}`);
  }

  wrapUnderKek(kek: Buffer, domainId: string, purpose: string, plaintext: Uint8Array): string {
    return JSON.stringify(wrap(kek, `kek/${domainId}/1`, plaintext, `okmsd/${purpose}/${domainId}`));
  }

  unwrapUnderKek(kek: Buffer, domainId: string, purpose: string, wrapped: string): Buffer {
    return unwrap(kek, parseWrappedBlob(wrapped), `okmsd/${purpose}/${domainId}`);
  }

  /** Service-wide secrets (the gateway's server CA key) are wrapped by the master key directly. */
  wrapUnderMaster(purpose: string, plaintext: Uint8Array): string {
    return JSON.stringify(wrap(this.masterKey, this.masterKid, plaintext, `okmsd/${purpose}`));
  }

  unwrapUnderMaster(purpose: string, wrapped: string): Buffer {
    return unwrap(this.masterKey, parseWrappedBlob(wrapped), `okmsd/${purpose}`);
  }

  /** An HMAC key for one purpose (the audit checkpoint's signature), derived from the master key (HKDF-SHA256). */
  macKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.masterKey, Buffer.alloc(0), `okmsd/mac/${purpose}`, 32));
  }

  /** A value stored once per data dir so that a start with a different master key fails loudly, not later. */
  makeCanary(): string {
    return JSON.stringify(wrap(this.masterKey, this.masterKid, Buffer.from('okmsd master key canary'), 'okmsd/canary'));
  }

  checkCanary(canary: string): boolean {
    try {
      unwrap(this.masterKey, parseWrappedBlob(canary), 'okmsd/canary');
      return true;
    } catch {
      return false;
    }
  }
}
