import { isIP } from 'node:net';
import { CLOCK_SKEW_BACKDATE_MS, type LeafProfile } from './access-profile';

export const SERVER_AUTH_EKU = '1.3.6.1.5.5.7.3.1';
/** The CA/Browser Forum maximum, for clients that enforce it (Apple: 397 days, counted from notBefore, inclusive). */
export const SERVER_CERTIFICATE_DAYS = 397;

/** The gateway's TLS server certificate: localhost, loopback addresses and the configured public names. */
export function buildServerProfile(hostnames: readonly string[], now: Date): LeafProfile {
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hostnames])];
  const start = Math.floor(now.getTime() / 1000) * 1000;
  return {
    subjectCommonName: hostnames[0] ?? 'localhost',
    subjectAltNames: names.map((name) => (isIP(name) ? { type: 'ip' as const, value: name } : { type: 'dns' as const, value: name })),
    keyUsage: { digitalSignature: true, keyEncipherment: false },
    extendedKeyUsage: [SERVER_AUTH_EKU],
    notBefore: new Date(start - CLOCK_SKEW_BACKDATE_MS),
    // RFC 5280 validity is inclusive of both ends: notAfter - notBefore + 1 s = 397 days exactly, backdate included.
    notAfter: new Date(start - CLOCK_SKEW_BACKDATE_MS + SERVER_CERTIFICATE_DAYS * 86_400_000 - 1000),
  };
}
