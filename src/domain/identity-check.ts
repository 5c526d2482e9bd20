import { OkmsError } from './errors';
import type { Account } from './types';
import { parseIdentityUrn } from './urn';

/**
 * Identity URNs named in a request (bound into a certificate, listed in a policy or a group) must be
 * well-formed, in this service's URN region and owned by the caller's account: an account cannot speak for
 * another one. `kinds` narrows which identity kinds the list may hold.
 */
export function checkOwnIdentities(urns: readonly string[], account: Account, urnRegion: string, field: string, kinds?: readonly string[]): void {
  urns.forEach((urn, index) => {
    const at = `${field}[${index}]`;
    const parsed = parseIdentityUrn(urn, at);
    if (parsed.region !== urnRegion) {
      throw new OkmsError('ERR_URN_INVALID', `${at}: region "${parsed.region}" is not this service's URN region "${urnRegion}"`, {
        field: at,
        details: { urn, reason: 'region' },
      });
    }
    if (parsed.account !== account.id) {
      throw new OkmsError('ERR_IDENTITY_NOT_OWNED', `${at}: "${urn}" belongs to account "${parsed.account}", not to "${account.id}"`, { field: at });
    }
    if (kinds && !kinds.includes(parsed.kind)) {
      throw new OkmsError('ERR_URN_INVALID', `${at}: a ${parsed.kind} identity cannot be listed here (${kinds.join(' or ')} only)`, { field: at });
    }
  });
}
