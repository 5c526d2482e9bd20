import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { OkmsError } from '../domain/errors';

export interface VerifyInput {
  /** PEM; a bundle's first certificate is the one checked, the rest join the chain. */
  readonly certificate: string;
  readonly privateKey?: string;
  readonly passphrase?: string;
  /** Intermediates and/or root, PEM bundle. */
  readonly chain?: string;
  /** The CAs the chain may end at (a domain's CAs, PEM); without any, a self-signed last certificate is the anchor. */
  readonly trustAnchor?: string;
}

export interface VerifyReport {
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly subjectAltNames: string[];
  readonly notBefore: string;
  readonly notAfter: string;
  readonly daysToExpiry: number;
  readonly expired: boolean;
  readonly notYetValid: boolean;
  readonly publicKey: { readonly type: string; readonly bits?: number; readonly curve?: string };
  /** null when no key was given. */
  readonly keyMatches: boolean | null;
  readonly chain: { readonly verifies: boolean; readonly path: string[]; readonly anchor: string | null; readonly problem: string | null };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const invalid = (field: string, message: string) => new OkmsError('ERR_VALIDATION', `${field}: ${message}`, { field });
const oneLine = (name: string) => name.split('\n').join(', ');

function certificatesOf(pem: string, field: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw invalid(field, 'holds no PEM certificate');
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw invalid(field, `certificate ${i + 1} is not a valid X.509 certificate`);
    }
  });
}

function keyFacts(key: KeyObject): VerifyReport['publicKey'] {
  const details = key.asymmetricKeyDetails ?? {};
  return { type: key.asymmetricKeyType ?? 'unknown', ...(details.modulusLength ? { bits: details.modulusLength } : {}), ...(details.namedCurve ? { curve: details.namedCurve } : {}) };
}

/** Walks leaf → chain → anchor by issuer name and signature; the first gap or bad signature is the problem. */
function checkChain(leaf: X509Certificate, pool: X509Certificate[], anchors: readonly X509Certificate[], now: Date): VerifyReport['chain'] {
  const path = [oneLine(leaf.subject)];
  let current = leaf;
  for (let hops = 0; hops < 10; hops += 1) {
    const anchor = anchors.find((candidate) => current.checkIssued(candidate) && current.verify(candidate.publicKey));
    if (anchor) return { verifies: true, path: [...path, oneLine(anchor.subject)], anchor: oneLine(anchor.subject), problem: null };
    const selfSigned = current.checkIssued(current) && current.verify(current.publicKey);
    if (selfSigned) {
      if (anchors.length > 0) return { verifies: false, path, anchor: null, problem: `the chain ends at ${oneLine(current.subject)}, not at the expected CA ${anchors.map((a) => oneLine(a.subject)).join(' or ')}` };
      return { verifies: current !== leaf, path, anchor: oneLine(current.subject), problem: current === leaf ? 'the certificate is self-signed' : null };
    }
    const issuer = pool.find((candidate) => candidate !== current && current.checkIssued(candidate));
    if (!issuer) return { verifies: false, path, anchor: null, problem: `no issuer for ${oneLine(current.subject)} (issued by ${oneLine(current.issuer)}) in the chain` };
    if (!current.verify(issuer.publicKey)) return { verifies: false, path, anchor: null, problem: `the signature of ${oneLine(current.subject)} does not verify with ${oneLine(issuer.subject)}'s key` };
    if (new Date(issuer.validTo) < now) return { verifies: false, path, anchor: null, problem: `${oneLine(issuer.subject)} expired on ${new Date(issuer.validTo).toISOString()}` };
    path.push(oneLine(issuer.subject));
    current = issuer;
  }
  return { verifies: false, path, anchor: null, problem: 'the chain is longer than 10 certificates' };
}

/**
 * What an operator checks by hand with openssl before deploying a certificate: who it is for, how long it has,
 * whether the key belongs to it (any key type: the public keys are compared, not an RSA modulus) and whether the
 * chain leads to a trusted CA.
 */
export function verifyCertificate(input: VerifyInput, now: Date): VerifyReport {
  const [leaf, ...bundled] = certificatesOf(input.certificate, 'certificate');
  const pool = [...bundled, ...(input.chain ? certificatesOf(input.chain, 'chain') : [])];
  const anchors = input.trustAnchor ? certificatesOf(input.trustAnchor, 'trustAnchor') : [];
  let keyMatches: boolean | null = null;
  if (input.privateKey) {
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey({ key: input.privateKey, ...(input.passphrase ? { passphrase: input.passphrase } : {}) });
    } catch {
      throw invalid('privateKey', input.passphrase ? 'is not a private key this passphrase opens' : 'is not a PEM private key (an encrypted one needs passphrase)');
    }
    const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });
    keyMatches = spki(createPublicKey(privateKey)).equals(spki(leaf!.publicKey));
  }
  const notAfter = new Date(leaf!.validTo);
  const notBefore = new Date(leaf!.validFrom);
  return {
    subject: oneLine(leaf!.subject),
    issuer: oneLine(leaf!.issuer),
    serialNumber: leaf!.serialNumber.toLowerCase(),
    subjectAltNames: leaf!.subjectAltName ? leaf!.subjectAltName.split(', ') : [],
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysToExpiry: Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000),
    expired: notAfter < now,
    notYetValid: notBefore > now,
    publicKey: keyFacts(leaf!.publicKey),
    keyMatches,
    chain: checkChain(leaf!, pool, anchors, now),
  };
}
