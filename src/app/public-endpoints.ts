import type { RevocationUrls } from '../ca/access-profile';
import type { PublicEndpoints } from '../http/control/presenters';
import type { OkmsdConfig } from './config';

/** The URLs a domain shows its clients: from the configured host names and the ports okmsd listens on. */
export function publicEndpoints(config: OkmsdConfig, controlPort: number, gatewayPort: number, gatewayCaPEM: string, kmipPort?: number): PublicEndpoints {
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const host = config.gatewayHostnames[0] ?? (wildcard ? 'localhost' : config.host);
  const controlHost = wildcard ? 'localhost' : config.host;
  return {
    restEndpoint: `https://${bracketed(host)}:${gatewayPort}`,
    restEndpointCA: gatewayCaPEM,
    // Advertised only while the KMIP listener listens.
    ...(kmipPort === undefined ? {} : { kmipEndpoint: `${bracketed(host)}:${kmipPort}` }),
    swaggerEndpoint: `http://${controlHost}:${controlPort}/openapi.json`,
  };
}

/** The /pki/… URLs of a domain CA, as its certificates name them: OKMSD_PKI_URL, else the control plane's origin. */
export function revocationUrls(config: OkmsdConfig, controlPort: number, domainId: string, caGeneration: string): RevocationUrls {
  return pkiUrls(config, controlPort, domainId, caGeneration, 'ca.crt');
}

/** The /pki/… URLs a TLS server certificate names: its server CA's CRL (by that CA's id), the OCSP responder, the server CA. */
export function serverRevocationUrls(config: OkmsdConfig, controlPort: number, domainId: string, serverCaId: string): RevocationUrls {
  return pkiUrls(config, controlPort, domainId, serverCaId, 'server-ca.crt');
}

function pkiUrls(config: OkmsdConfig, controlPort: number, domainId: string, caId: string, caCertificate: string): RevocationUrls {
  const base = `${config.pkiUrl ?? new URL(publicEndpoints(config, controlPort, 0, '').swaggerEndpoint).origin}/pki/${domainId}`;
  // The CRL of the CA that issues the certificate (after a CA rotation the old CA's certificates still find their own).
  return { crlUrl: `${base}/crl/${caId}`, ocspUrl: `${base}/ocsp`, caIssuersUrl: `${base}/${caCertificate}` };
}

/** An IPv6 literal in a URL is written in brackets. */
export const bracketed = (host: string): string => (host.includes(':') ? `[${host}]` : host);
