import type { BlockList } from 'node:net';
import { addressInList, blockListOf } from '../domain/cidr';
import { identityUrn } from '../domain/urn';
import { matchesAny } from './pattern';

/** An IAM policy (OVH IAM v2 shape, flattened): who, on what, which actions, under which conditions. */
export interface Policy {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly identities: readonly string[];
  /** Resource URN patterns, `*` wildcards allowed. */
  readonly resources: readonly string[];
  readonly permissions: { readonly allow: readonly string[]; readonly except: readonly string[]; readonly deny: readonly string[] };
  readonly conditions?: { readonly notBefore?: string; readonly notAfter?: string; readonly sourceIps?: readonly string[] };
}

export interface DecisionInput {
  /** The account that owns the resource. */
  readonly account: string;
  /** The caller's identity URNs, groups already expanded. */
  readonly identities: readonly string[];
  readonly action: string;
  readonly resource: string;
  readonly now: Date;
  readonly sourceIp?: string;
}

export type PolicyOutcome = 'deny' | 'allow' | 'excepted' | 'action_not_listed' | 'resource_mismatch' | 'condition_failed';

export interface PolicyTrace {
  readonly policyId: string;
  readonly name: string;
  readonly outcome: PolicyOutcome;
  readonly detail: string;
}

export interface Decision {
  readonly allowed: boolean;
  readonly reason: 'root_identity' | 'allowed_by_policy' | 'denied_by_policy' | 'no_policy_allows';
  /** Every policy that names one of the caller's identities, and what it said. */
  readonly policies: readonly PolicyTrace[];
}

interface IndexedPolicy {
  readonly policy: Policy;
  readonly sourceIps?: BlockList;
}

/**
 * Policies indexed by identity URN, so a decision only looks at the policies that name one of the caller's
 * identities: its cost does not grow with unrelated policies. Immutable; rebuild it when policies change.
 */
export class PolicyIndex {
  private readonly byIdentity = new Map<string, IndexedPolicy[]>();

  constructor(
    policies: readonly Policy[],
    private readonly urnRegion: string,
  ) {
    for (const policy of policies) {
      const indexed: IndexedPolicy = policy.conditions?.sourceIps?.length
        ? { policy, sourceIps: blockListOf(policy.conditions.sourceIps) }
        : { policy };
      for (const identity of new Set(policy.identities)) {
        const list = this.byIdentity.get(identity) ?? [];
        list.push(indexed);
        this.byIdentity.set(identity, list);
      }
    }
  }

  /** Default deny; allow minus except; any matching deny wins; the account's root identity bypasses policies. */
  decide(input: DecisionInput): Decision {
    if (input.identities.includes(identityUrn(this.urnRegion, 'account', input.account))) {
      return { allowed: true, reason: 'root_identity', policies: [] };
    }
    const seen = new Set<string>();
    const traces: PolicyTrace[] = [];
    for (const identity of input.identities) {
      for (const indexed of this.byIdentity.get(identity) ?? []) {
        if (seen.has(indexed.policy.id) || indexed.policy.accountId !== input.account) continue;
        seen.add(indexed.policy.id);
        traces.push(evaluate(indexed, input));
      }
    }
    if (traces.some((t) => t.outcome === 'deny')) return { allowed: false, reason: 'denied_by_policy', policies: traces };
    if (traces.some((t) => t.outcome === 'allow')) return { allowed: true, reason: 'allowed_by_policy', policies: traces };
    return { allowed: false, reason: 'no_policy_allows', policies: traces };
  }
}

/**
 * A pattern covers a resource and everything beneath it: the domain's URN covers its keys
 * (`urn:v1:eu:resource:okms:{id}/serviceKey/{keyId}`), as a policy on an OKMS resource does at OVH.
 */
function resourceCovered(patterns: readonly string[], resource: string): boolean {
  for (let candidate = resource; ; ) {
    if (matchesAny(patterns, candidate)) return true;
    const slash = candidate.lastIndexOf('/');
    if (slash === -1) return false;
    candidate = candidate.slice(0, slash);
  }
}

function evaluate({ policy, sourceIps }: IndexedPolicy, input: DecisionInput): PolicyTrace {
  const trace = (outcome: PolicyOutcome, detail: string): PolicyTrace => ({ policyId: policy.id, name: policy.name, outcome, detail });
  if (!resourceCovered(policy.resources, input.resource)) return trace('resource_mismatch', `no resource pattern covers ${input.resource}`);
  const { notBefore, notAfter } = policy.conditions ?? {};
  if (notBefore !== undefined && input.now.getTime() < Date.parse(notBefore)) return trace('condition_failed', `not before ${notBefore}`);
  if (notAfter !== undefined && input.now.getTime() >= Date.parse(notAfter)) return trace('condition_failed', `not after ${notAfter}`);
  if (sourceIps) {
    const ip = input.sourceIp ?? '';
    if (!addressInList(sourceIps, ip)) {
      return trace('condition_failed', `source address ${ip || 'unknown'} is outside ${policy.conditions!.sourceIps!.join(', ')}`);
    }
  }
  if (matchesAny(policy.permissions.deny, input.action)) return trace('deny', `${input.action} is in deny`);
  if (!matchesAny(policy.permissions.allow, input.action)) return trace('action_not_listed', `${input.action} is not in allow`);
  if (matchesAny(policy.permissions.except, input.action)) return trace('excepted', `${input.action} is allowed but listed in except`);
  return trace('allow', `${input.action} is in allow`);
}
