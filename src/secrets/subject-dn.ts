import { OkmsError } from '../domain/errors';

const ATTRIBUTES: Record<string, string> = {
  cn: '2.5.4.3', c: '2.5.4.6', st: '2.5.4.8', l: '2.5.4.7', o: '2.5.4.10', ou: '2.5.4.11',
  emailaddress: '1.2.840.113549.1.9.1', dc: '0.9.2342.19200300.100.1.25', serialnumber: '2.5.4.5',
};

export interface SubjectDn {
  readonly rdns: ReadonlyArray<{ readonly oid: string; readonly value: string }>;
  readonly commonName: string;
}

/**
 * An order's subject DN, written as `openstack secret order create certificate --subject-dn` takes it:
 * `cn=www.example.com,o=Example,c=FR` (comma or slash separated, `\,` escapes a comma). Needs a CN.
 */
export function parseSubjectDn(value: string, field = 'meta.subject_dn', written: 'as-typed' | 'certificate-order' = 'as-typed'): SubjectDn {
  const invalid = (reason: string) => new OkmsError('ERR_VALIDATION', `${field}: "${value.slice(0, 120)}" ${reason}`, { field });
  const text = value.trim().replace(/^\//, '');
  const rfc4514 = text.includes(',') || !text.includes('/');
  const separator = rfc4514 ? /(?<!\\),/ : /(?<!\\)\//;
  const rdns = text.split(separator).map((part) => {
    const eq = part.indexOf('=');
    if (eq <= 0) throw invalid('is not a DN (expected attr=value pairs such as cn=host,o=Org)');
    const type = part.slice(0, eq).trim().toLowerCase();
    const oid = ATTRIBUTES[type];
    if (!oid) throw invalid(`has an unknown attribute "${part.slice(0, eq).trim()}" (use ${Object.keys(ATTRIBUTES).join(', ')})`);
    const attributeValue = part.slice(eq + 1).trim().replace(/\\,/g, ',');
    if (!attributeValue || attributeValue.length > 64) throw invalid(`has an empty or over-long ${type} value`);
    if (type === 'c' && !/^[A-Za-z]{2}$/.test(attributeValue)) throw invalid('has a country that is not two letters');
    return { oid, value: attributeValue };
  });
  const commonName = rdns.find((r) => r.oid === ATTRIBUTES.cn)?.value;
  if (!commonName) throw invalid('has no CN');
  // RFC 4514 writes a name's RDNs last first (`cn=host,o=Org,c=FR` is C, O, CN in the certificate); the slash form
  // (`/C=FR/O=Org/CN=host`, OpenSSL's) writes them in certificate order.
  // A name read from a certificate or CSR (written: 'certificate-order') is already in certificate order.
  return { rdns: rfc4514 && written === 'as-typed' ? rdns.reverse() : rdns, commonName };
}
