import { parseCidr } from '../domain/cidr';
import { OkmsError } from '../domain/errors';
import type { Account } from '../domain/types';
import { parseIdentityUrn } from '../domain/urn';
import { isValidActionPattern } from './actions';

/** Identity URNs named by a policy or a group must be well-formed and of the caller's own account. */
export function checkOwnIdentities(urns: readonly string[], account: Account, urnRegion: string, field: string, kinds?: readonly string[]): void {
  urns.forEach((urn, index) => {
    const at = `${field}[${index}]`;
    const parsed = parseIdentityUrn(urn, at);
    if (parsed.region !== urnRegion) {
      throw new OkmsError('ERR_URN_INVALID', `${at}: region "${parsed.region}" is not this service's URN region "${urnRegion}"`, { field: at });
    }
    if (parsed.account !== account.id) {
      throw new OkmsError('ERR_IDENTITY_NOT_OWNED', `${at}: "${urn}" belongs to account "${parsed.account}", not to "${account.id}"`, { field: at });
    }
    if (kinds && !kinds.includes(parsed.kind)) {
      throw new OkmsError('ERR_URN_INVALID', `${at}: a ${parsed.kind} identity cannot be listed here (${kinds.join(' or ')} only)`, { field: at });
    }
  });
}

const RESOURCE_PATTERN = /^urn:v1:([a-z][a-z0-9-]{0,31}|\*):resource:okms:[A-Za-z0-9*._:/@=-]+$/;

export function checkResourcePatterns(urns: readonly string[], urnRegion: string): void {
  urns.forEach((urn, index) => {
    const at = `resources[${index}].urn`;
    const match = RESOURCE_PATTERN.exec(urn);
    if (!match) throw new OkmsError('ERR_URN_INVALID', `${at}: "${urn.slice(0, 80)}" is not an okms resource URN (urn:v1:{region}:resource:okms:{okmsId}[/…], * allowed)`, { field: at });
    if (match[1] !== '*' && match[1] !== urnRegion) {
      throw new OkmsError('ERR_URN_INVALID', `${at}: region "${match[1]}" is not this service's URN region "${urnRegion}"`, { field: at });
    }
  });
}

export function checkActionPatterns(actions: readonly string[], field: string): void {
  actions.forEach((action, index) => {
    if (!isValidActionPattern(action)) {
      throw new OkmsError('ERR_VALIDATION', `${field}[${index}].action: "${action.slice(0, 80)}" is not a known action or okms:* pattern`, { field: `${field}[${index}].action` });
    }
  });
}

export function checkSourceIps(cidrs: readonly string[]): void {
  cidrs.forEach((cidr, index) => {
    if (!parseCidr(cidr)) {
      throw new OkmsError('ERR_VALIDATION', `conditions.sourceIps[${index}]: "${cidr.slice(0, 64)}" is not an IP address or CIDR`, { field: `conditions.sourceIps[${index}]` });
    }
  });
}
