import { csrToDer } from '../../src/ca/csr-input';
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

describe('parseCsr with CSRs made by openssl req', () => {
  it.each<[CsrKey, string, string]>([
    ['rsa:2048', 'RSA', 'RSA 2048'],
    ['rsa:3072', 'RSA', 'RSA 3072'],
    ['P-256', 'ECDSA', 'EC P-256'],
    ['P-384', 'ECDSA', 'EC P-384'],
    ['P-521', 'ECDSA', 'EC P-521'],
  ])('accepts %s', async (key, type, description) => {
    const parsed = await parseCsr(csrToDer(opensslCsr(key).csrPEM));
    expect(parsed.certificateType).toBe(type);
    expect(parsed.keyAlgorithm).toBe(description);
    expect(parsed.spki[0]).toBe(0x30);
  });

  it.each<[CsrKey, string]>([
    ['rsa:1024', 'RSA key of 1024 bits is not accepted'],
    ['secp256k1', 'EC curve secp256k1 is not accepted'],
    ['ed25519', 'key type ed25519 is not accepted'],
  ])('refuses %s naming why', async (key, reason) => {
    const error = await refusal(() => parseCsr(csrToDer(opensslCsr(key).csrPEM)));
    expect(error.code).toBe('ERR_CSR_KEY_UNSUPPORTED');
    expect(error.field).toBe('csr');
    expect(error.message).toContain(reason);
  });

  it('refuses a CSR whose signature was tampered with (no proof of possession)', async () => {
    const der = csrToDer(opensslCsr('P-256').csrPEM);
    der[der.length - 5]! ^= 0x01;
    const error = await refusal(() => parseCsr(der));
    expect(['ERR_CSR_SIGNATURE', 'ERR_CSR_INVALID']).toContain(error.code);
  });

  it('refuses a CSR whose subject was altered after signing', async () => {
    const der = csrToDer(opensslCsr('P-256', '/CN=aaaaaaaa').csrPEM);
    const at = der.indexOf(Buffer.from('aaaaaaaa'));
    der.write('bbbbbbbb', at, 'latin1');
    const error = await refusal(() => parseCsr(der));
    expect(error.code).toBe('ERR_CSR_SIGNATURE');
    expect(error.message).toContain('does not verify');
  });

  it('refuses a truncated CSR and one with trailing bytes', async () => {
    const der = csrToDer(opensslCsr('P-256').csrPEM);
    expect((await refusal(() => parseCsr(der.subarray(0, der.length - 10)))).code).toBe('ERR_CSR_INVALID');
    const trailing = await refusal(() => parseCsr(Buffer.concat([der, Buffer.from([0, 0, 0])])));
    expect(trailing.message).toContain('unexpected bytes after the request');
  });
});
