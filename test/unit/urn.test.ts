import { OkmsError } from '../../src/domain/errors';
import { identityUrn, okmsResourceUrn, parseIdentityUrn } from '../../src/domain/urn';

describe('parseIdentityUrn', () => {
  it.each([
    ['urn:v1:eu:identity:account:xx1111-ovh', { kind: 'account', account: 'xx1111-ovh' }],
    ['urn:v1:eu:identity:user:xx1111-ovh/alice', { kind: 'user', account: 'xx1111-ovh', name: 'alice' }],
    ['urn:v1:eu:identity:user:xx1111-ovh/provider/alice@corp.example', { kind: 'user', account: 'xx1111-ovh', name: 'provider/alice@corp.example' }],
    ['urn:v1:eu:identity:group:acme/ops', { kind: 'group', account: 'acme', name: 'ops' }],
    ['urn:v1:eu:identity:credential:xx1111-ovh/oauth2-EU.0123abcd', { kind: 'credential', account: 'xx1111-ovh', name: 'oauth2-EU.0123abcd' }],
    ['urn:v1:ca:identity:user:acme/bob', { kind: 'user', account: 'acme', name: 'bob', region: 'ca' }],
  ])('accepts %s', (urn, expected) => {
    const parsed = parseIdentityUrn(urn);
    expect(parsed).toMatchObject({ ...expected, urn });
    expect(parsed.region).toBe((expected as { region?: string }).region ?? 'eu');
  });

  it.each([
    ['', 'expected urn:v1'],
    ['urn:v2:eu:identity:user:acme/alice', 'must start with "urn:v1:"'],
    ['URN:v1:eu:identity:user:acme/alice', 'must start with "urn:v1:"'],
    ['urn:v1:EU:identity:user:acme/alice', 'region'],
    ['urn:v1:eu:resource:okms:acme', 'is not "identity"'],
    ['urn:v1:eu:identity:robot:acme/alice', 'identity kind "robot"'],
    ['urn:v1:eu:identity:user:acme', 'needs "/{name}"'],
    ['urn:v1:eu:identity:group:acme/', 'empty or invalid segment'],
    ['urn:v1:eu:identity:user:acme//alice', 'empty or invalid segment'],
    ['urn:v1:eu:identity:account:acme/alice', 'has no "/name"'],
    ['urn:v1:eu:identity:user:-acme/alice', 'account "-acme"'],
    ['urn:v1:eu:identity:user:acme/al ice', 'invalid segment'],
    ['urn:v1:eu:identity:user:acme/alice:extra', 'expected urn:v1'],
    [`urn:v1:eu:identity:user:acme/${'a'.repeat(600)}`, 'longer than 512'],
  ])('rejects %j naming the reason', (urn, reason) => {
    let error: unknown;
    try {
      parseIdentityUrn(urn, 'identityURNs[3]');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OkmsError);
    const okms = error as OkmsError;
    expect(okms.code).toBe('ERR_URN_INVALID');
    expect(okms.field).toBe('identityURNs[3]');
    expect(okms.message).toContain(reason);
  });

  it('formats what it parses', () => {
    expect(identityUrn('eu', 'user', 'acme', 'alice')).toBe('urn:v1:eu:identity:user:acme/alice');
    expect(identityUrn('eu', 'account', 'acme')).toBe('urn:v1:eu:identity:account:acme');
    expect(parseIdentityUrn(identityUrn('eu', 'group', 'acme', 'a/b')).name).toBe('a/b');
    expect(okmsResourceUrn('eu', '6f1c')).toBe('urn:v1:eu:resource:okms:6f1c');
  });
});
