import { buildAccessProfile, CLIENT_AUTH_EKU, CLOCK_SKEW_BACKDATE_MS } from '../../src/ca/access-profile';
import { OkmsError } from '../../src/domain/errors';

const now = new Date('2026-01-01T00:00:00Z');
const base = {
  credentialId: '0b4c8f0e-1111-4222-8333-444455556666',
  okmsId: 'aaaaaaaa-1111-4222-8333-444455556666',
  identityURNs: ['urn:v1:eu:identity:account:acme', 'urn:v1:eu:identity:user:acme/alice'],
  certificateType: 'ECDSA' as const,
  validityDays: 365,
  now,
  caNotAfter: new Date('2046-01-01T00:00:00Z'),
};

describe('buildAccessProfile', () => {
  it('sets CN, UPN, one URI per identity, client auth and the asked validity with backdating', () => {
    const profile = buildAccessProfile(base);
    expect(profile.subjectCommonName).toBe(base.credentialId);
    expect(profile.subjectAltNames).toEqual([
      { type: 'upn', value: `okms.domain:${base.okmsId}` },
      ...base.identityURNs.map((value) => ({ type: 'uri', value })),
    ]);
    expect(profile.extendedKeyUsage).toEqual([CLIENT_AUTH_EKU]);
    expect(profile.keyUsage).toEqual({ digitalSignature: true, keyEncipherment: false });
    expect(profile.notBefore.getTime()).toBe(now.getTime() - CLOCK_SKEW_BACKDATE_MS);
    expect(profile.notAfter.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('never asks for keyEncipherment, RSA included: a client-auth certificate only signs (zlint e_key_usage_and_extended_key_usage_inconsistent)', () => {
    expect(buildAccessProfile({ ...base, certificateType: 'RSA' }).keyUsage).toEqual({ digitalSignature: true, keyEncipherment: false });
  });

  it('refuses a validity that outlives the CA, naming the maximum', () => {
    let error: OkmsError | undefined;
    try {
      buildAccessProfile({ ...base, validityDays: 400, caNotAfter: new Date('2027-01-01T00:00:00Z') });
    } catch (e) {
      error = e as OkmsError;
    }
    expect(error?.code).toBe('ERR_VALIDITY_OUT_OF_RANGE');
    expect(error?.field).toBe('validity');
    expect(error?.details).toEqual({ maxDays: 365 });
  });

  it('accepts a validity ending exactly at the CA notAfter', () => {
    expect(buildAccessProfile({ ...base, validityDays: 365, caNotAfter: new Date('2027-01-01T00:00:00Z') }).notAfter.toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });
});
