import type { TLSSocket } from 'node:tls';
import { readAccessCertificate } from '../../ca/read-access-certificate';
import { parseIdentityUrn } from '../../domain/urn';
import type { IamService } from '../../iam/iam-service';
import type { BarbicanCaller } from '../../secrets/barbican-model';
import type { HttpRequest } from '../pipeline/route';
import type { ClientAuthenticator } from './authenticate-client';
import { GatewayError } from './okms-error';

export const isBarbicanPath = (path: string) => path === '/v1' || path.startsWith('/v1/');

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
  readonly authenticator: ClientAuthenticator;
  readonly iam: IamService;
  readonly forwardedCertificate: (req: HttpRequest) => string | undefined;
}): (req: HttpRequest) => Promise<BarbicanCaller> {
  return async (req) => {
    const socket = req.socket as TLSSocket;
    const forwarded = deps.forwardedCertificate(req);
    const okmsId = readAccessCertificate(peerPem(socket, forwarded)).okmsId;
    if (!okmsId) throw new GatewayError('cert_untrusted', 'the client certificate names no okmsd domain (it is not an access certificate)');
    const { domain, credential } = await deps.authenticator.authenticate(socket, okmsId, forwarded);
    const identities = (await deps.iam.resolveIdentities(domain.accountId, credential.identityURNs, credential.identityBindings)).effective;
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
