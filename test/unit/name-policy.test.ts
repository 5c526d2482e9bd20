import { checkServerName, normaliseNamePolicy } from '../../src/ca/name-policy';

const policy = (over: Parameters<typeof normaliseNamePolicy>[0] = {}) => normaliseNamePolicy({ allowedDomains: ['Example.com.'], ...over });
const verdict = (p: ReturnType<typeof policy>, name: string) => {
  try {
    checkServerName(p, name);
    return 'allowed';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('server name policy', () => {
  it('normalises domains (case, trailing dot) and defaults to bare domains and subdomains, no wildcards, no IPs', () => {
    expect(policy()).toEqual({ allowedDomains: ['example.com'], allowBareDomains: true, allowSubdomains: true, allowWildcards: false, allowedIpRanges: [] });
  });

  it.each([
    ['example.com', 'allowed'],
    ['API.example.com', 'allowed'],
    ['a.b.example.com', 'allowed'],
    ['example.com.evil.net', 'not allowed by'],
    ['badexample.com', 'not allowed by'],
    ['*.example.com', 'allowWildcards false'],
    ['192.0.2.1', 'lists no allowedIpRanges'],
    ['::1', 'lists no allowedIpRanges'],
  ])('%s: %s', (name, expected) => {
    expect(verdict(policy(), name)).toContain(expected);
  });

  it('applies allowBareDomains, allowSubdomains, allowWildcards and allowedIpRanges', () => {
    expect(verdict(policy({ allowBareDomains: false }), 'example.com')).toContain('not allowed by');
    expect(verdict(policy({ allowBareDomains: false }), 'www.example.com')).toBe('allowed');
    expect(verdict(policy({ allowSubdomains: false }), 'www.example.com')).toContain('not allowed by');
    expect(verdict(policy({ allowWildcards: true }), '*.example.com')).toBe('allowed');
    expect(verdict(policy({ allowWildcards: true }), 'a.*.example.com')).toContain('leftmost label');
    expect(verdict(policy({ allowedIpRanges: ['192.0.2.0/24', '2001:db8::/32'] }), '192.0.2.77')).toBe('allowed');
    expect(verdict(policy({ allowedIpRanges: ['192.0.2.0/24'] }), '192.0.3.1')).toContain('outside');
    expect(verdict(policy({ allowedIpRanges: ['2001:db8::/32'] }), '2001:db8::5')).toBe('allowed');
    expect(verdict(normaliseNamePolicy({}), 'example.com')).toContain('allows no names');
  });

  it('refuses policies that cannot work, naming the field', () => {
    expect(() => normaliseNamePolicy({ allowedDomains: ['exa mple.com'] })).toThrow('allowedDomains[0]');
    expect(() => normaliseNamePolicy({ allowedDomains: ['example.com'], allowedIpRanges: ['10.0.0.0/33'] })).toThrow('allowedIpRanges[0]');
    expect(() => normaliseNamePolicy({ allowedDomains: ['example.com'], allowBareDomains: false, allowSubdomains: false })).toThrow('allowSubdomains');
  });
});
