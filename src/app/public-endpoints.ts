import type { PublicEndpoints } from '../http/control/presenters';
import type { OkmsdConfig } from './config';

/** The URLs a domain shows its clients: from the configured host names and the ports okmsd listens on. */
export function publicEndpoints(config: OkmsdConfig, controlPort: number, gatewayPort: number, gatewayCaPEM: string): PublicEndpoints {
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const host = config.gatewayHostnames[0] ?? (wildcard ? 'localhost' : config.host);
  const controlHost = wildcard ? 'localhost' : config.host;
  return {
    restEndpoint: `https://${bracketed(host)}:${gatewayPort}`,
    restEndpointCA: gatewayCaPEM,
    kmipEndpoint: `${host}:5696`,
    swaggerEndpoint: `http://${controlHost}:${controlPort}/openapi.json`,
  };
}

/** An IPv6 literal in a URL is written in brackets. */
export const bracketed = (host: string): string => (host.includes(':') ? `[${host}]` : host);
