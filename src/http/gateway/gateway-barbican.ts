import type { TLSSocket } from 'node:tls';
import { readAccessCertificate } from '../../ca/read-access-certificate';
import { parseIdentityUrn } from '../../domain/urn';
import type { IamService } from '../../iam/iam-service';
import type { BarbicanCaller } from '../../secrets/barbican-model';
import type { CertificateCaller, HttpRequest } from '../pipeline/route';
import type { CredentialRecord } from '../../domain/types';
import { GatewayError } from '../pipeline/okms-error';

/** The peer certificate as PEM: TLS already proved that the client holds its key. */
function peerPem(socket: TLSSocket, forwarded: string | undefined): string {
  if (forwarded !== undefined) return forwarded;
  const raw = socket.getPeerCertificate?.()?.raw;
  if (!raw || raw.length === 0) throw new GatewayError('cert_missing', 'the Barbican API on the gateway needs a client certificate');
  return `-----BEGIN CERTIFICATE-----\n${raw.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * The Barbican API on the mTLS gateway: the access certificate is the login. Its domain (the UPN
 * `okms.domain:{okmsId}`) is the project, its credential's identities go through IAM as on the data plane, and the
 * caller's Barbican user is the IAM user among those identities (else the credential).
 */
export function barbicanCertificateAuthenticator(deps: {
  /** The data plane's certificate check (gateway-app.ts), against the domain the certificate names. */
  readonly certificateCaller: (req: HttpRequest, okmsId: string, forwardedPEM: string | undefined) => Promise<CertificateCaller & { credential: CredentialRecord }>;
  readonly iam: IamService;
  readonly forwardedCertificate: (req: HttpRequest) => string | undefined;
}): (req: HttpRequest) => Promise<BarbicanCaller> {
  return async (req) => {
    const forwarded = deps.forwardedCertificate(req);
    const okmsId = readAccessCertificate(peerPem(req.socket as TLSSocket, forwarded)).okmsId;
    if (!okmsId) throw new GatewayError('cert_untrusted', 'the client certificate names no okmsd domain (it is not an access certificate)');
    const { domain, credential, identities } = await deps.certificateCaller(req, okmsId, forwarded);
    const user = identities.map((urn) => parseIdentityUrn(urn)).find((parsed) => parsed.kind === 'user');
    return {
      accountId: domain.accountId,
      userId: user?.name ?? `credential:${credential.id}`,
      projectId: domain.id,
      identities,
      async authorize(action, resource) {
        return (await deps.iam.decide({ accountId: domain.accountId, identities, action, resource, sourceIp: req.remoteAddress })).allowed;
      },
    };
  };
}
