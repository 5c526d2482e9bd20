import { csrToDer, derToPem } from '../../src/ca/csr-input';
import { OkmsError } from '../../src/domain/errors';
import { Pkcs10CertificateRequestGenerator } from '../../src/ca/x509';

let pem: string;
let der: Buffer;

beforeAll(async () => {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const csr = await Pkcs10CertificateRequestGenerator.create({ name: 'CN=test', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } });
  pem = csr.toString('pem');
  der = Buffer.from(csr.rawData);
});

describe('csrToDer normalises every form people paste', () => {
  const forms: Array<[string, () => string | Buffer]> = [
    ['PEM as is', () => pem],
    ['PEM with a final newline', () => `${pem}\n`],
    ['PEM without a final newline', () => pem.trimEnd()],
    ['PEM with CRLF line ends', () => pem.replace(/\n/g, '\r\n')],
    ['PEM with literal backslash-n sequences', () => pem.replace(/\n/g, '\\n')],
    ['PEM with literal backslash-r-backslash-n sequences', () => pem.replace(/\n/g, '\\r\\n')],
    ['PEM surrounded by spaces and blank lines', () => `  \n\n ${pem} \n\t `],
    ['PEM on one line with spaces for newlines', () => pem.replace(/\n/g, ' ')],
    ['PEM with the NEW CERTIFICATE REQUEST label', () => pem.replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST')],
    ['base64 DER without armour', () => der.toString('base64')],
    ['base64 DER wrapped at 64 columns', () => der.toString('base64').replace(/(.{64})/g, '$1\n')],
    ['base64url DER', () => der.toString('base64url')],
    ['raw DER bytes', () => der],
    ['PEM bytes', () => Buffer.from(pem)],
  ];
  it.each(forms)('%s', (_name, form) => {
    expect(csrToDer(form()).equals(der)).toBe(true);
  });
});

describe('csrToDer refusals name the problem', () => {
  const refusals: Array<[string, () => string | Buffer, string]> = [
    ['empty', () => '   ', 'is empty'],
    ['garbage text', () => 'hello world!', 'outside the base64 alphabet'],
    ['truncated PEM', () => pem.slice(0, pem.indexOf('-----END')), 'END CERTIFICATE REQUEST'],
    ['a certificate instead', () => pem.replace(/CERTIFICATE REQUEST/g, 'CERTIFICATE'), 'expected "CERTIFICATE REQUEST"'],
    ['mismatched labels', () => pem.replace('END CERTIFICATE REQUEST', 'END NEW CERTIFICATE REQUEST'), 'does not match'],
    ['empty PEM body', () => '-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----', 'no content'],
    ['base64 of something else', () => Buffer.from('not asn1 at all').toString('base64'), 'ASN.1 SEQUENCE'],
    ['a private key pasted by mistake', () => '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----', 'contains a private key'],
  ];
  it.each(refusals)('%s', (_name, form, reason) => {
    let error: unknown;
    try {
      csrToDer(form());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OkmsError);
    expect((error as OkmsError).code).toBe('ERR_CSR_INVALID');
    expect((error as OkmsError).field).toBe('csr');
    expect((error as OkmsError).message).toContain(reason);
  });

  it('never echoes the pasted private key', () => {
    const secret = 'MIGHAgEAMBMGByqGSM49AwEHBG0wawIBAQQgSECRETSECRET';
    try {
      csrToDer(`-----BEGIN EC PRIVATE KEY-----\n${secret}\n-----END EC PRIVATE KEY-----`);
      throw new Error('accepted');
    } catch (e) {
      expect(JSON.stringify({ m: (e as Error).message, d: (e as OkmsError).details })).not.toContain('SECRET');
    }
  });
});

it('derToPem armours at 64 columns and round-trips', () => {
  const armoured = derToPem(der, 'CERTIFICATE REQUEST');
  expect(armoured.split('\n').every((line) => line.length <= 64)).toBe(true);
  expect(csrToDer(armoured).equals(der)).toBe(true);
});
