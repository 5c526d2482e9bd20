import { readTlv } from './der';

/** The subject Name of a DER certificate, byte for byte (to become the issuer of what it signs). */
export function subjectNameDer(certificateDer: Uint8Array): Buffer {
  const der = Buffer.from(certificateDer);
  try {
    // Certificate { TBSCertificate { [0] version, serialNumber, signature, issuer, validity, subject, ... }, ... }
    const tbs = readTlv(der, readTlv(der, 0).start);
    let at = tbs.start;
    const fields: Array<{ tag: number; start: number; end: number; from: number }> = [];
    while (at < tbs.end && fields.length < 6) {
      const field = readTlv(der, at);
      fields.push({ ...field, from: at });
      at = field.end;
    }
    const subject = fields[fields[0]?.tag === 0xa0 ? 5 : 4];
    if (!subject || subject.tag !== 0x30) throw new Error('certificate has no subject');
    return der.subarray(subject.from, subject.end);
  } catch (error) {
    throw error instanceof Error && error.message === 'certificate has no subject' ? error : new Error('not a DER certificate');
  }
}
