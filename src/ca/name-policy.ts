import { isIP } from 'node:net';
import { addressInList, blockListOf, parseCidr } from '../domain/cidr';
import { OkmsError } from '../domain/errors';
import type { NamePolicy } from '../domain/records';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

const refused = (field: string, message: string) => new OkmsError('ERR_VALIDATION', `${field}: ${message}`, { field });

function checkDomainName(name: string, field: string): void {
  if (name.length > 253 || !name.split('.').every((label) => LABEL.test(label))) throw refused(field, `"${name.slice(0, 100)}" is not a DNS name`);
}

/** A policy as given (already schema-checked), normalised: lower-case names, CIDRs parsed. Refuses what cannot work. */
export function normaliseNamePolicy(input: Partial<NamePolicy>): NamePolicy {
  const allowedDomains = [...new Set((input.allowedDomains ?? []).map((d) => d.trim().toLowerCase().replace(/\.$/, '')))];
  allowedDomains.forEach((domain, i) => checkDomainName(domain, `allowedDomains[${i}]`));
  const allowedIpRanges = [...(input.allowedIpRanges ?? [])];
  allowedIpRanges.forEach((cidr, i) => {
    if (!parseCidr(cidr)) throw refused(`allowedIpRanges[${i}]`, `"${cidr.slice(0, 60)}" is not a CIDR`);
  });
  const policy: NamePolicy = {
    allowedDomains,
    allowBareDomains: input.allowBareDomains ?? true,
    allowSubdomains: input.allowSubdomains ?? true,
    allowWildcards: input.allowWildcards ?? false,
    allowedIpRanges,
  };
  if (!policy.allowBareDomains && !policy.allowSubdomains && allowedDomains.length > 0) throw refused('allowSubdomains', 'with allowBareDomains false too, no name could be allowed');
  return policy;
}

/**
 * Whether a server certificate may carry `name` (a DNS name or an IP address) under `policy`; the refusal names the
 * rule that refused it, for the order's error_reason.
 */
export function checkServerName(policy: NamePolicy, name: string, field = 'meta.subject_dn'): void {
  if (isIP(name)) {
    if (policy.allowedIpRanges.length === 0) throw refused(field, `the IP address ${name} is not allowed: the domain's name policy lists no allowedIpRanges`);
    if (!addressInList(blockListOf(policy.allowedIpRanges), name)) throw refused(field, `the IP address ${name} is outside the name policy's allowedIpRanges (${policy.allowedIpRanges.join(', ')})`);
    return;
  }
  const lower = name.toLowerCase();
  const wildcard = lower.startsWith('*.');
  if (wildcard && !policy.allowWildcards) throw refused(field, `the wildcard name ${name} is not allowed: the name policy has allowWildcards false`);
  const base = wildcard ? lower.slice(2) : lower;
  if (base.includes('*')) throw refused(field, `${name}: a wildcard may only be the whole leftmost label`);
  for (const domain of policy.allowedDomains) {
    if (base === domain && (wildcard || policy.allowBareDomains)) return; // *.example.com is a name below example.com
    if (base.endsWith(`.${domain}`) && policy.allowSubdomains) return;
  }
  if (policy.allowedDomains.length === 0) throw refused(field, `${name} is not allowed: the domain's name policy allows no names (an admin sets allowedDomains with PUT /okms/resource/{okmsId}/name-policy)`);
  throw refused(field, `${name} is not allowed by the domain's name policy (allowedDomains: ${policy.allowedDomains.join(', ')}; allowBareDomains ${policy.allowBareDomains}, allowSubdomains ${policy.allowSubdomains})`);
}
