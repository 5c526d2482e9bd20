import { parseCidr } from '../domain/cidr';
import { OkmsError } from '../domain/errors';
import { isValidActionPattern } from './actions';

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
