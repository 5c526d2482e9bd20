import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log';
import type { DomainRecord } from '../domain/types';
import { okmsResourceUrn } from '../domain/urn';
import type { IamService } from '../iam/iam-service';
import { child, all, dateTime, enumeration, integer, numberOf, struct, text } from './kmip-items';
import { KmipFailure, type KmipObjects } from './kmip-objects';
import { CHANGES_STATE, HANDLERS } from './kmip-operations';
import { OPERATION_NAME, RESULT_REASON, RESULT_STATUS, TAG, VERSIONS, type OperationName, type ResultReason } from './kmip-tags';
import type { TtlvItem } from './ttlv';

/** Who speaks on a KMIP connection: the access certificate's domain, credential and the identities that count now. */
export interface KmipCaller {
  readonly domain: DomainRecord;
  readonly credentialId: string;
  readonly identities: readonly string[];
  readonly sourceIp?: string;
}

/** A batch holds at most this many items: one message's work stays bounded. */
export const MAX_BATCH_ITEMS = 64;

const lowerFirst = (name: string) => `${name[0]!.toLowerCase()}${name.slice(1)}`;

/**
 * One KMIP request message in, one response message out: each batch item decided by IAM (`okms:kmip:{operation}` on
 * `…:okms:{okmsId}/kmip/{objectId}`, or on the domain for Create, Register, Locate), run, and audited — the audit
 * record written (and, for a change, synced) before the response. Every failure is a batch item with the
 * specification's result reason; nothing here drops a connection.
 */
export class KmipService {
  constructor(private readonly deps: { objects: KmipObjects; iam: IamService; audit: AuditLog; urnRegion: string; clock: () => Date }) {}

  async handle(request: TtlvItem, caller: KmipCaller): Promise<TtlvItem> {
    const requestId = randomUUID();
    const header = child(request, TAG.RequestHeader);
    const version = child(header, TAG.ProtocolVersion);
    const major = numberOf(child(version, TAG.ProtocolVersionMajor));
    const minor = numberOf(child(version, TAG.ProtocolVersionMinor));
    const served = VERSIONS.find(([a, b]) => a === major && b === minor) ?? VERSIONS[0]!;
    const items = all(request, TAG.BatchItem);
    const responses: TtlvItem[] = [];
    if (request.tag !== TAG.RequestMessage || !header || major === undefined || minor === undefined) {
      responses.push(failure(undefined, undefined, 'InvalidMessage', 'a Request Message with a Request Header and its Protocol Version is required'));
    } else if (major !== 1) {
      responses.push(failure(undefined, undefined, 'OperationNotSupported', `protocol ${major}.${minor}: okmsd speaks KMIP 1.0–1.4`));
    } else if (items.length === 0 || items.length > MAX_BATCH_ITEMS) {
      responses.push(failure(undefined, undefined, 'InvalidMessage', `a batch of 1 to ${MAX_BATCH_ITEMS} items`));
    } else {
      let placeholder: string | undefined;
      for (const item of items) {
        const result = await this.item(item, caller, requestId, placeholder);
        if (result.uid) placeholder = result.uid;
        responses.push(result.response);
      }
    }
    return struct(
      TAG.ResponseMessage,
      struct(TAG.ResponseHeader, struct(TAG.ProtocolVersion, integer(TAG.ProtocolVersionMajor, served[0]), integer(TAG.ProtocolVersionMinor, served[1])), dateTime(TAG.TimeStamp, this.deps.clock()), integer(TAG.BatchCount, responses.length)),
      ...responses,
    );
  }

  private async item(item: TtlvItem, caller: KmipCaller, requestId: string, placeholder: string | undefined): Promise<{ response: TtlvItem; uid?: string }> {
    const code = numberOf(child(item, TAG.Operation));
    const batchId = child(item, TAG.UniqueBatchItemId);
    const name = code === undefined ? undefined : OPERATION_NAME.get(code);
    const handler = name && HANDLERS[name];
    const domainUrn = okmsResourceUrn(this.deps.urnRegion, caller.domain.id);
    const action = `okms:kmip:${name ? lowerFirst(name) : 'unknown'}`;
    let resource = domainUrn;
    let decision: { allowed: boolean; reason: string; policies: string[] } = { allowed: false, reason: 'not_decided', policies: [] };
    let response: TtlvItem;
    let uid: string | undefined;
    let status = 200;
    let reason: string;
    try {
      if (!name || !handler) throw new KmipFailure('OperationNotSupported', `operation ${code ?? '(none)'} is not served by okmsd`);
      const result = await handler({
        domain: caller.domain, objects: this.deps.objects, ...(placeholder ? { placeholder } : {}),
        authorize: async (objectId) => {
          resource = objectId ? `${domainUrn}/kmip/${objectId}` : domainUrn;
          const decided = await this.deps.iam.decide({ accountId: caller.domain.accountId, identities: caller.identities, action, resource, ...(caller.sourceIp ? { sourceIp: caller.sourceIp } : {}) });
          decision = { allowed: decided.allowed, reason: decided.reason, policies: decided.policies.filter((p) => p.outcome === 'allow' || p.outcome === 'deny').map((p) => p.policyId) };
          if (!decided.allowed) throw new KmipFailure('PermissionDenied', `${action} on ${resource} is not allowed for this certificate (${decided.reason})`);
        },
      }, child(item, TAG.RequestPayload));
      uid = result.uid;
      reason = decision.reason === 'not_decided' ? 'ok' : decision.reason;
      response = struct(TAG.BatchItem, enumeration(TAG.Operation, code!), batchId, enumeration(TAG.ResultStatus, RESULT_STATUS.Success), struct(TAG.ResponsePayload, ...result.payload));
    } catch (error) {
      const known = error instanceof KmipFailure;
      const why: ResultReason = known ? error.reason : 'GeneralFailure';
      status = why === 'PermissionDenied' ? 403 : why === 'ItemNotFound' ? 404 : known ? 400 : 500;
      reason = why;
      response = failure(code, batchId, why, known ? error.message : 'the operation failed');
    }
    // The audit record of this item before its response leaves (synced when it changed something).
    await this.deps.audit.append(
      {
        time: this.deps.clock().toISOString(), requestId, plane: 'kmip', domainId: caller.domain.id, credentialId: caller.credentialId,
        identities: caller.identities.slice(0, 64), action, resource, decision: status < 400 ? 'allow' : 'deny', reason, ...(decision.policies.length ? { policies: decision.policies } : {}), status,
        ...(uid ? { objectId: uid } : {}),
      },
      { deferSync: !(name && CHANGES_STATE.has(name as OperationName) && status < 400) },
    );
    return { response, ...(uid ? { uid } : {}) };
  }
}

function failure(code: number | undefined, batchId: TtlvItem | undefined, reason: ResultReason, message: string): TtlvItem {
  return struct(
    TAG.BatchItem, code !== undefined && enumeration(TAG.Operation, code), batchId,
    enumeration(TAG.ResultStatus, RESULT_STATUS.OperationFailed), enumeration(TAG.ResultReason, RESULT_REASON[reason]), text(TAG.ResultMessage, message.slice(0, 512)),
  );
}
