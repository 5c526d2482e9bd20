import { OkmsError } from '../domain/errors';

const MAX_CSR_DER_BYTES = 16 * 1024;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)(?:-----END ([A-Z0-9 ]+)-----|$)/;
const CSR_LABELS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function invalid(reason: string): OkmsError {
  return new OkmsError('ERR_CSR_INVALID', `csr: ${reason}`, { field: 'csr', details: { reason } });
}

/**
 * Turns every form in which people paste a CSR into DER: PEM with real newlines, with literal
 * backslash-n sequences (JSON escaped twice), with CRLF, without a final newline, with surrounding
 * spaces, all on one line, base64 DER without armour, or raw DER bytes.
 */
export function csrToDer(input: string | Uint8Array): Buffer {
  if (typeof input !== 'string') {
    const bytes = Buffer.from(input);
    if (bytes[0] === 0x30) return checkDer(bytes);
    return csrToDer(bytes.toString('utf8'));
  }
  const text = input.replace(/\\r\\n|\\n|\\r/g, '\n').replace(/\r\n?/g, '\n').trim();
  if (text.length === 0) throw invalid('is empty');
  if (/PRIVATE KEY-----/.test(text)) {
    throw invalid('contains a private key; send only the certificate request, and keep the key to yourself');
  }
  if (text.includes('-----BEGIN')) {
    const match = PEM_BLOCK.exec(text);
    if (!match) throw invalid('has a malformed PEM header');
    const [, beginLabel, body, endLabel] = match as unknown as [string, string, string, string | undefined];
    if (!CSR_LABELS.has(beginLabel)) throw invalid(`is a PEM "${beginLabel}" block, expected "CERTIFICATE REQUEST"`);
    if (endLabel === undefined) throw invalid('is truncated: the "-----END CERTIFICATE REQUEST-----" line is missing');
    if (endLabel !== beginLabel) throw invalid(`BEGIN "${beginLabel}" does not match END "${endLabel}"`);
    // Exactly one request: explanatory text around the block is allowed (RFC 7468 §2, as `openssl req -text` prints
    // it), a second PEM block of any kind is not — which of two would be signed must never be a guess.
    if (text.slice(match.index + match[0].length).includes('-----BEGIN')) throw invalid('holds more than one PEM block; send exactly one certificate request');
    return checkDer(decodeBase64(body));
  }
  return checkDer(decodeBase64(text));
}

function decodeBase64(body: string): Buffer {
  const compact = body.replace(/\s+/g, '');
  if (compact.length === 0) throw invalid('has no content between the PEM lines');
  if (!BASE64.test(compact)) throw invalid('is neither PEM nor base64: it contains characters outside the base64 alphabet');
  return Buffer.from(compact.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function checkDer(der: Buffer): Buffer {
  if (der.length > MAX_CSR_DER_BYTES) throw invalid(`is larger than ${MAX_CSR_DER_BYTES} bytes`);
  if (der[0] !== 0x30) throw invalid('does not decode to an ASN.1 SEQUENCE');
  return der;
}

/** The DER inside a PEM block we wrote (a CA certificate of ours): armour and whitespace dropped. */
export function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64');
}

export function derToPem(der: Uint8Array, label: string): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
