import { setImmediate } from 'node:timers/promises';
import type { CaSigner } from './ca-signer';
import { signWithCa } from './ca-signature';
import { bitString, explicit, implicitPrimitive, integer, integerFromHex, octetString, oid, sequence, time, tlv } from './der';

export interface CrlEntry {
  /** Lower-case hex, as the certificate carries it. */
  readonly serial: string;
  readonly revokedAt: string;
  readonly reason: string;
}

export interface CrlInput {
  readonly entries: readonly CrlEntry[];
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  /** Increases with every CRL of this CA (RFC 5280 §5.2.3): the build time in milliseconds. */
  readonly crlNumber: bigint;
}

/** RFC 5280 CRLReason codes of the reasons okmsd records; any other reason is written without a code (unspecified). */
const REASON_CODES: Readonly<Record<string, number>> = {
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  privilegeWithdrawn: 9,
};

export function crlReasonCode(reason: string): number | undefined {
  return REASON_CODES[reason];
}

const ENCODE_CHUNK = 2000;

const OID = { authorityKeyIdentifier: '2.5.29.35', cRLNumber: '2.5.29.20', reasonCode: '2.5.29.21' } as const;

const extension = (extnId: string, value: Uint8Array) => sequence(oid(extnId), octetString(value));

/** One revokedCertificates entry: { userCertificate, revocationDate, [reasonCode] }. */
function entryDer(entry: CrlEntry, reasonExtensions: ReadonlyMap<number, Buffer>): Buffer {
  const code = crlReasonCode(entry.reason);
  const reason = code === undefined ? undefined : reasonExtensions.get(code);
  return sequence(integerFromHex(entry.serial), time(new Date(entry.revokedAt)), ...(reason ? [reason] : []));
}

/**
 * A v2 CRL of `ca`, signed by it: issuer copied byte for byte from the CA certificate, authority key identifier,
 * CRL number, one entry per revoked serial with its reason code. DER-encoded with src/ca/der.ts, like access
 * certificates: @peculiar/asn1-x509 took 211 µs per entry here (21 s of event loop for 100,000 revocations, see
 * bench/crl); this takes about 9, in chunks that leave the event loop free. openssl and pkilint check what it writes in the tests.
 */
export async function buildCrl(ca: CaSigner, input: CrlInput): Promise<Buffer> {
  const reasonExtensions = new Map(Object.values(REASON_CODES).map((code) => [code, sequence(extension(OID.reasonCode, tlv(0x0a, Buffer.from([code]))))] as const));
  // In chunks, yielding between them: a 100k-entry CRL takes about a second to encode, and the event loop must
  // keep answering meanwhile (each chunk is a few milliseconds).
  const revoked: Buffer[] = [];
  for (let start = 0; start < input.entries.length; start += ENCODE_CHUNK) {
    if (start > 0) await setImmediate();
    for (const entry of input.entries.slice(start, start + ENCODE_CHUNK)) revoked.push(entryDer(entry, reasonExtensions));
  }
  const tbs = sequence(
    integer(1), // v2
    ca.signatureAlgorithmDer,
    ca.issuerNameDer,
    time(input.thisUpdate),
    time(input.nextUpdate),
    ...(revoked.length > 0 ? [sequence(Buffer.concat(revoked))] : []), // one concat: 100k entries would overflow a spread
    explicit(0, sequence(
      extension(OID.authorityKeyIdentifier, sequence(implicitPrimitive(0, Buffer.from(ca.subjectKeyIdHex, 'hex')))),
      extension(OID.cRLNumber, integerFromHex(input.crlNumber.toString(16))),
    )),
  );
  return sequence(tbs, ca.signatureAlgorithmDer, bitString(await signWithCa(ca, tbs)));
}
