import { OkmsError } from '../domain/errors';
import type { Account } from '../domain/types';
import { parseIdentityUrn } from '../domain/urn';

/**
 * Identity URNs bound into a certificate must be well-formed, in this service's URN region and owned by
 * the caller's account: an account cannot mint certificates that speak for another account.
 */
export function checkIdentityUrns(urns: readonly string[], account: Account, urnRegion: string): void {
  urns.forEach((urn, index) => {
    const field = `identityURNs[${index}]`;
    const parsed = parseIdentityUrn(urn, field);
    if (parsed.region !== urnRegion) {
      throw new OkmsError('ERR_URN_INVALID', `${field}: region "${parsed.region}" is not this service's URN region "${urnRegion}"`, {
        field,
        details: { urn, reason: 'region' },
      });
    }
    if (parsed.account !== account.id) {
      throw new OkmsError('ERR_IDENTITY_NOT_OWNED', `${field}: "${urn}" belongs to account "${parsed.account}", not to "${account.id}"`, {
        field,
      });
    }
  });
}
