import type { SecretConfigRecord, SecretPathRecord, SecretVersionRecord } from '../../domain/records';
import { casRequiredOf, maxVersionsOf } from '../../secrets/secret-manager-rules';

/** A secret's URN, as OKMS's SecretV2Metadata names it (and IAM policies match it). */
export const secretUrn = (domainUrn: string, path: string) => `${domainUrn}/secret/${path}`;

/** SecretV2Metadata (OKMS): the settings as they apply (the domain's where the secret sets none). */
export function metadataView(secret: SecretPathRecord, config: SecretConfigRecord, domainUrn: string) {
  return {
    casRequired: casRequiredOf(secret, config),
    createdAt: secret.createdAt,
    currentVersion: secret.currentVersion,
    customMetadata: secret.customMetadata,
    deactivateVersionAfter: secret.deactivateVersionAfter ?? config.deactivateVersionAfter ?? '0s',
    maxVersions: maxVersionsOf(secret, config),
    oldestVersion: secret.versions[0]?.id ?? 0,
    updatedAt: secret.updatedAt,
    urn: secretUrn(domainUrn, secret.path),
  };
}

/** SecretV2Version (OKMS), its data only when asked for and the version is active. */
export function versionView(version: SecretVersionRecord, data?: Record<string, unknown> | null) {
  return {
    id: version.id,
    state: version.state,
    createdAt: version.createdAt,
    ...(version.deactivatedAt ? { deactivatedAt: version.deactivatedAt } : {}),
    ...(data !== undefined ? { data } : {}),
  };
}
