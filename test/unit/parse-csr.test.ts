import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csrToDer } from '../../src/ca/csr-input';
import { CsrVerifyWorkers } from '../../src/ca/csr-verify-workers';
import { parseCsr } from '../../src/ca/parse-csr';
import { OkmsError } from '../../src/domain/errors';
import { opensslCsr, type CsrKey } from '../helpers/openssl';

async function refusal(action: () => Promise<unknown>): Promise<OkmsError> {
  try {
    await action();
  } catch (e) {
    if (e instanceof OkmsError) return e;
    throw e;
  }
  throw new Error('was accepted');
}

// Every case runs twice: verified on the libuv pool (parseCsr alone), and with EC checks on CSR verify workers, where
// whatever the workers cannot settle must still end as it does on the pool.
const workers = new CsrVerifyWorkers({ threads: 2, maxInFlight: 64 });
afterAll(() => workers.close());

describe.each<[string, CsrVerifyWorkers | undefined]>([
  ['on the libuv pool', undefined],
  ['with CSR verify workers', workers],
])('CSR checks %s', (_path, verifier) => {
  const parse = (der: Buffer) => parseCsr(der, verifier);

  describe('parseCsr with CSRs made by openssl req', () => {
    it.each<[CsrKey, string, string]>([
      ['rsa:2048', 'RSA', 'RSA 2048'],
      ['rsa:3072', 'RSA', 'RSA 3072'],
      ['P-256', 'ECDSA', 'EC P-256'],
      ['P-384', 'ECDSA', 'EC P-384'],
      ['P-521', 'ECDSA', 'EC P-521'],
    ])('accepts %s', async (key, type, description) => {
      const parsed = await parse(csrToDer(opensslCsr(key).csrPEM));
      expect(parsed.certificateType).toBe(type);
      expect(parsed.keyAlgorithm).toBe(description);
      expect(parsed.spki[0]).toBe(0x30);
    });

    it.each<[CsrKey, string]>([
      ['rsa:1024', 'RSA key of 1024 bits is not accepted'],
      ['secp256k1', 'EC curve secp256k1 is not accepted'],
      ['ed25519', 'key type ed25519 is not accepted'],
    ])('refuses %s naming why', async (key, reason) => {
      const error = await refusal(() => parse(csrToDer(opensslCsr(key).csrPEM)));
      expect(error.code).toBe('ERR_CSR_KEY_UNSUPPORTED');
      expect(error.field).toBe('csr');
      expect(error.message).toContain(reason);
    });

    it('refuses a CSR whose signature was tampered with (no proof of possession)', async () => {
      const der = csrToDer(opensslCsr('P-256').csrPEM);
      der[der.length - 5]! ^= 0x01;
      const error = await refusal(() => parse(der));
      expect(['ERR_CSR_SIGNATURE', 'ERR_CSR_INVALID']).toContain(error.code);
    });

    it('refuses a CSR whose subject was altered after signing', async () => {
      const der = csrToDer(opensslCsr('P-256', '/CN=aaaaaaaa').csrPEM);
      const at = der.indexOf(Buffer.from('aaaaaaaa'));
      der.write('bbbbbbbb', at, 'latin1');
      const error = await refusal(() => parse(der));
      expect(error.code).toBe('ERR_CSR_SIGNATURE');
      expect(error.message).toContain('does not verify');
    });

    it('refuses a truncated CSR and one with trailing bytes', async () => {
      const der = csrToDer(opensslCsr('P-256').csrPEM);
      expect((await refusal(() => parse(der.subarray(0, der.length - 10)))).code).toBe('ERR_CSR_INVALID');
      const trailing = await refusal(() => parse(Buffer.concat([der, Buffer.from([0, 0, 0])])));
      expect(trailing.message).toContain('unexpected bytes after the request');
    });
  });

  describe('keys from CSRs are normalised or refused', () => {
    const openssl = (args: string[], input?: string) => execFileSync('openssl', args, { encoding: 'utf8', ...(input === undefined ? {} : { input }) });
    const csrOf = (keyPEM: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'okmsd-csr-key-'));
      writeFileSync(join(dir, 'key.pem'), keyPEM);
      return openssl(['req', '-new', '-key', join(dir, 'key.pem'), '-subj', '/CN=normalise']);
    };

    it('refuses an EC key with explicit curve parameters (openssl verify refuses such certificates: error 94)', async () => {
      const key = openssl(['ecparam', '-name', 'prime256v1', '-param_enc', 'explicit', '-genkey', '-noout']);
      const error = await refusal(() => parse(csrToDer(csrOf(key))));
      expect([error.code, error.field]).toEqual(['ERR_CSR_KEY_UNSUPPORTED', 'csr']);
      expect(error.message).toContain('must name its curve');
    });

    it('issues a compressed EC point as the same key, named curve and uncompressed (Go crypto/x509 parses only that)', async () => {
      const key = openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout']);
      const compressed = openssl(['ec', '-conv_form', 'compressed'], key);
      const csr = csrOf(compressed);
      expect(openssl(['req', '-noout', '-text'], csr)).toMatch(/pub:\s+0[23]:/);
      const parsed = await parse(csrToDer(csr));
      const point = parsed.spki.subarray(parsed.spki.length - 65);
      expect([parsed.spki.length, point[0]]).toEqual([91, 0x04]); // P-256 SPKI with a 65-byte uncompressed point
      expect(createPublicKey({ key: parsed.spki, format: 'der', type: 'spki' }).export({ format: 'jwk' })).toEqual(createPublicKey(key).export({ format: 'jwk' }));
    });

    it('refuses an EC point that is not on its curve (before any signature check)', async () => {
      const der = csrToDer(opensslCsr('P-256').csrPEM);
      const point = der.indexOf(Buffer.from([0x03, 0x42, 0x00, 0x04])) + 4;
      der[point + 63]! ^= 0x01; // the last byte of Y
      const error = await refusal(() => parse(der));
      expect([error.code, error.field]).toEqual(['ERR_CSR_KEY_UNSUPPORTED', 'csr']);
      expect(error.message).toContain('cannot be decoded');
    });

    it('refuses a CSR whose curve OID is malformed or overruns its algorithm as a key, never as an internal error', async () => {
      const der = csrToDer(opensslCsr('P-256').csrPEM);
      const curveOid = der.indexOf(Buffer.from([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]));
      for (const length of [0x85, 0x84, 0x7f, 0x09]) {
        const bad = Buffer.from(der);
        bad[curveOid + 1] = length;
        const error = await refusal(() => parse(bad));
        expect([error.code, error.field]).toEqual(['ERR_CSR_KEY_UNSUPPORTED', 'csr']);
      }
    });

    it('takes a hybrid-form EC point through OpenSSL and issues it uncompressed, or refuses it, never as it came', async () => {
      const key = openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout']);
      const csr = csrOf(openssl(['ec', '-conv_form', 'hybrid'], key));
      expect(openssl(['req', '-noout', '-text'], csr)).toMatch(/pub:\s+0[67]:/);
      try {
        const parsed = await parse(csrToDer(csr));
        expect(parsed.spki.subarray(parsed.spki.length - 65)[0]).toBe(0x04);
        expect(createPublicKey({ key: parsed.spki, format: 'der', type: 'spki' }).export({ format: 'jwk' })).toEqual(createPublicKey(key).export({ format: 'jwk' }));
      } catch (error) {
        expect((error as OkmsError).code).toBe('ERR_CSR_KEY_UNSUPPORTED');
      }
    });

    it('refuses an RSA key whose public exponent is not 65537', async () => {
      const key = openssl(['genrsa', '-3', '2048']);
      const error = await refusal(() => parse(csrToDer(csrOf(key))));
      expect([error.code, error.field]).toEqual(['ERR_CSR_KEY_UNSUPPORTED', 'csr']);
      expect(error.message).toContain('public exponent 3 is not accepted (65537 only)');
    });
  });
});

describe('CSR input', () => {
  it('takes exactly one request: a second PEM block of any kind beside it is refused, explanatory text is not', () => {
    const { csrPEM } = opensslCsr('P-256');
    expect(() => csrToDer(`${csrPEM}${csrPEM}`)).toThrow('holds more than one PEM block');
    expect(() => csrToDer(`${csrPEM}-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n`)).toThrow('holds more than one PEM block');
    expect(csrToDer(`Certificate Request:\n    Data: (as openssl req -text prints it)\n${csrPEM}`)).toEqual(csrToDer(csrPEM));
  });
});
