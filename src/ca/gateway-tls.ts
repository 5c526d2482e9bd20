import type { KeyHierarchy } from '../kms/key-hierarchy';
import type { Repositories } from '../storage/ports';
import { loadCaSigner } from './ca-signer';
import { createIssuingCa } from './create-domain-ca';
import { KeyPairGenerator } from './generate-key-pair';
import { issueLeafCertificate } from './issue-certificate';
import { randomSerialHex } from './serial';
import { buildServerProfile } from './server-profile';

const SERVER_CA_META = 'gateway-server-ca';
const SERVER_CA_PURPOSE = 'gateway-server-ca-key';

export interface GatewayTlsMaterial {
  /** The CA clients trust for the gateway (a domain's `restEndpointCA`). */
  readonly caCertificatePEM: string;
  readonly certificatePEM: string;
  readonly privateKeyPEM: string;
}

/**
 * The gateway's server identity: one okmsd-managed server CA per store (made on first start, its key wrapped
 * under the master key, so every node behind a balancer presents a certificate from the same CA), and a
 * server certificate with a fresh key issued by it at every start.
 */
export async function gatewayTlsMaterial(store: Pick<Repositories, 'meta'>, keys: KeyHierarchy, hostnames: readonly string[], now: Date): Promise<GatewayTlsMaterial> {
  let stored = await store.meta.get(SERVER_CA_META);
  if (!stored) {
    const ca = await createIssuingCa('CN=okmsd gateway server CA, O=okmsd', 'P-256', now, globalThis.crypto);
    const candidate = JSON.stringify({ certificatePEM: ca.certificatePEM, wrappedKey: keys.wrapUnderMaster(SERVER_CA_PURPOSE, ca.pkcs8) });
    stored = await store.meta.putIfAbsent(SERVER_CA_META, candidate); // two nodes starting at once keep the same CA
  }
  const { certificatePEM: caCertificatePEM, wrappedKey } = JSON.parse(stored) as { certificatePEM: string; wrappedKey: string };
  const pkcs8 = keys.unwrapUnderMaster(SERVER_CA_PURPOSE, wrappedKey);
  const signer = loadCaSigner(caCertificatePEM, pkcs8, 'P-256');
  pkcs8.fill(0);
  const key = await new KeyPairGenerator({ rsaThreads: 1, maxQueuedRsa: 1 }).generate('ECDSA');
  const certificate = await issueLeafCertificate(signer, buildServerProfile(hostnames, now), key.spki, randomSerialHex());
  return { caCertificatePEM, certificatePEM: certificate.pem, privateKeyPEM: key.privateKeyPEM };
}

