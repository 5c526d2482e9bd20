import { createPublicKey, generateKeyPair } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import { CLOCK_SKEW_BACKDATE_MS, type LeafProfile, type RevocationUrls } from '../ca/access-profile';
import type { CaSigner } from '../ca/ca-signer';
import { csrToDer } from '../ca/csr-input';
import { issueLeafCertificate } from '../ca/issue-certificate';
import { parseCsr } from '../ca/parse-csr';
import { randomSerialHex } from '../ca/serial';
import { SERVER_AUTH_EKU } from '../ca/server-profile';
import * as x509 from '../ca/x509';
import { OkmsError } from '../domain/errors';
import { parseSubjectDn, type SubjectDn } from './subject-dn';

const generateKeyPairAsync = promisify(generateKeyPair);
const invalid = (field: string, message: string) => new OkmsError('ERR_VALIDATION', `${field}: ${message}`, { field });
const HOSTNAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

export interface KeySpec {
  readonly type: 'rsa' | 'ec';
  readonly bits: number;
}

/** RSA 2048+ or EC P-256/P-384, from an order's algorithm/bit_length; weak sizes are refused. */
export function keySpecOf(algorithm: string | null | undefined, bitLength: number | null | undefined, fallback: KeySpec): KeySpec {
  const type = (algorithm ?? fallback.type).toLowerCase();
  if (type === 'rsa') {
    const bits = bitLength ?? (fallback.type === 'rsa' ? fallback.bits : 2048);
    if (![2048, 3072, 4096].includes(bits)) throw invalid('meta.bit_length', `RSA keys of 2048, 3072 or 4096 bits only (got ${bits})`);
    return { type: 'rsa', bits };
  }
  if (type === 'ec' || type === 'ecdsa') {
    const bits = bitLength ?? 256;
    if (bits !== 256 && bits !== 384) throw invalid('meta.bit_length', `EC keys of 256 or 384 bits (P-256, P-384) only (got ${bits})`);
    return { type: 'ec', bits };
  }
  throw invalid('meta.algorithm', `"${algorithm}" is not supported for key pairs (use rsa or ec)`);
}

export async function generateOrderKeyPair(spec: KeySpec, passphrase?: string): Promise<{ spki: Buffer; privateKeyPEM: string; publicKeyPEM: string }> {
  const encryption = passphrase ? { cipher: 'aes-256-cbc', passphrase } : {};
  const { publicKey, privateKey } =
    spec.type === 'rsa'
      ? await generateKeyPairAsync('rsa', { modulusLength: spec.bits, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem', ...encryption } })
      : await generateKeyPairAsync('ec', { namedCurve: spec.bits === 256 ? 'P-256' : 'P-384', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem', ...encryption } });
  return { spki: createPublicKey(publicKey).export({ type: 'spki', format: 'der' }), privateKeyPEM: privateKey, publicKeyPEM: publicKey };
}

/** The subject of a CSR as a DN, in the CSR's own RDN order, for simple-cmc orders that name no subject_dn. */
export function csrSubject(der: Buffer): SubjectDn {
  const subject = new x509.Pkcs10CertificateRequest(new Uint8Array(der)).subject;
  return parseSubjectDn(subject, 'meta.request_data', 'certificate-order'); // @peculiar/x509 prints a Name first RDN first
}

export async function spkiFromCsr(requestData: string): Promise<{ spki: Buffer; der: Buffer }> {
  let der: Buffer;
  try {
    // The client sends the raw text of --request-file; Barbican's API documents base64 of the PEM: both work.
    const text = requestData.includes('-----BEGIN') ? requestData : Buffer.from(requestData, 'base64').toString('latin1');
    der = csrToDer(text.includes('-----BEGIN') ? text : requestData);
  } catch {
    throw invalid('meta.request_data', 'Invalid PKCS10 Data: Bad format');
  }
  try {
    return { spki: (await parseCsr(der)).spki, der };
  } catch (error) {
    throw error instanceof OkmsError ? new OkmsError(error.code, `meta.request_data: ${error.message}`, { field: 'meta.request_data' }) : invalid('meta.request_data', 'Invalid PKCS10 Data: Bad format');
  }
}

/** The SAN a server certificate gets from its CN: a DNS name or an IP address; anything else cannot name a TLS server. */
export function serverNameOf(subject: SubjectDn): { type: 'dns' | 'ip'; value: string } {
  const cn = subject.commonName;
  if (isIP(cn)) return { type: 'ip', value: cn };
  if (HOSTNAME.test(cn)) return { type: 'dns', value: cn.toLowerCase() };
  throw invalid('meta.subject_dn', `the CN "${cn}" is neither a host name nor an IP address, so it cannot name a TLS server`);
}

/** A TLS server certificate from the domain CA: serverAuth, the DN as given, the CN as DNS (or IP) SAN. */
export async function issueServerCertificate(
  ca: CaSigner, subject: SubjectDn, spki: Buffer, rsaKey: boolean, validityDays: number, now: Date, revocation?: RevocationUrls,
): Promise<{ pem: string; serial: string; notAfter: Date }> {
  const cn = subject.commonName;
  const san = [serverNameOf(subject)];
  const start = Math.floor(now.getTime() / 1000) * 1000;
  const profile: LeafProfile = {
    subjectCommonName: cn,
    subjectRdns: subject.rdns,
    subjectAltNames: san,
    keyUsage: { digitalSignature: true, keyEncipherment: rsaKey },
    extendedKeyUsage: [SERVER_AUTH_EKU],
    notBefore: new Date(start - CLOCK_SKEW_BACKDATE_MS),
    notAfter: new Date(start + validityDays * 86_400_000),
    ...(revocation ? { revocation } : {}),
  };
  const serial = randomSerialHex();
  return { pem: (await issueLeafCertificate(ca, profile, spki, serial)).pem, serial, notAfter: profile.notAfter };
}
