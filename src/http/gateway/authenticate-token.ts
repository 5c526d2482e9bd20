import type { ApiTokenRecord, DomainRecord } from '../../domain/types';
import { TtlCache } from '../../domain/ttl-cache';
import { findDataPlaneToken, looksLikeDataPlaneToken } from '../../iam/data-plane-tokens';
import type { IamService } from '../../iam/iam-service';
import type { Repositories } from '../../storage/ports';
import { GatewayError } from '../pipeline/okms-error';
import type { CertificateCaller, HttpRequest } from '../pipeline/route';

/** How long a domain record is trusted here: the same bound as everywhere on the gateway (1 s). */
const DOMAIN_TTL_MS = 1000;

/**
 * The token a data-plane call presents instead of a client certificate: `Authorization: Bearer <token>` (okms-cli
 * `--auth-method token`) or `X-Vault-Token` (Vault clients). Undefined when the call carries neither.
 */
export function presentedToken(req: HttpRequest): string | undefined {
  const vault = req.headers['x-vault-token'];
  if (typeof vault === 'string' && vault !== '') return vault.trim();
  const authorization = req.headers.authorization;
  if (typeof authorization !== 'string') return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!bearer) throw new GatewayError('token_invalid', 'Authorization: only a Bearer personal access token is accepted');
  return bearer[1];
}

/**
 * A personal access token on the data plane, judged as a certificate is: the record live now (not expired, not
 * revoked — read on every call), the domain in the path owned by the token's account, and the identity it speaks
 * for still the one it was issued to (a deleted and re-created user does not inherit it); then IAM decides.
 */
export class TokenAuthenticator {
  private readonly domains = new TtlCache<DomainRecord>(DOMAIN_TTL_MS, () => this.deps.clock().getTime());

  constructor(private readonly deps: { store: Pick<Repositories, 'apiTokens' | 'domains'>; iam: IamService; clock: () => Date }) {}

  async authenticate(presented: string, okmsId: string): Promise<CertificateCaller & { token: ApiTokenRecord }> {
    const invalid = () => new GatewayError('token_invalid', 'the token is not a valid personal access token (unknown, expired or revoked)');
    const record = looksLikeDataPlaneToken(presented) ? await findDataPlaneToken(this.deps.store, presented, this.deps.clock()) : undefined;
    if (!record?.dataPlane) throw invalid();
    const domain = await this.domain(okmsId);
    if (!domain) throw new GatewayError('domain_not_found', `domain ${okmsId} not found`);
    if (domain.accountId !== record.accountId) throw new GatewayError('wrong_domain', `this token belongs to another account than domain ${okmsId}`);
    const subject = record.dataPlane;
    const identities = (await this.deps.iam.resolveIdentities(record.accountId, [subject.identityURN], subject.identityBindings)).effective;
    if (!identities.includes(subject.identityURN)) throw invalid(); // its user or service account is gone
    return { domain, identities, token: record };
  }

  private async domain(okmsId: string): Promise<DomainRecord | undefined> {
    const cached = this.domains.get(okmsId);
    if (cached) return cached;
    const domain = await this.deps.store.domains.get(okmsId);
    if (domain) this.domains.set(okmsId, domain);
    return domain;
  }
}
