import * as asn1js from 'asn1js';

/** The subject Name of a DER certificate, byte for byte (to become the issuer of what it signs). */
export function subjectNameDer(certificateDer: Uint8Array): Buffer {
  const decoded = asn1js.fromBER(certificateDer);
  const certificate = decoded.result;
  const tbs = certificate instanceof asn1js.Sequence ? certificate.valueBlock.value[0] : undefined;
  if (decoded.offset === -1 || !(tbs instanceof asn1js.Sequence)) throw new Error('not a DER certificate');
  // TBSCertificate: [0] version, serialNumber, signature, issuer, validity, subject, ...
  const fields = tbs.valueBlock.value;
  const hasVersion = fields[0]?.idBlock.tagClass === 3 && fields[0]?.idBlock.tagNumber === 0;
  const subject = fields[hasVersion ? 5 : 4];
  if (!subject) throw new Error('certificate has no subject');
  return Buffer.from(subject.valueBeforeDecodeView);
}
