/**
 * OVH IAM wildcards: `*` matches any run of characters (`okms:apikms:*`, `okms:apikms:serviceKey/*`,
 * `urn:v1:eu:resource:okms:*`). Patterns are compiled once and cached.
 */
const compiled = new Map<string, (value: string) => boolean>();

export function wildcardMatcher(pattern: string): (value: string) => boolean {
  let matcher = compiled.get(pattern);
  if (!matcher) {
    if (!pattern.includes('*')) {
      matcher = (value) => value === pattern;
    } else {
      const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*');
      const regex = new RegExp(`^${source}$`);
      matcher = (value) => regex.test(value);
    }
    compiled.set(pattern, matcher);
  }
  return matcher;
}

export const matchesAny = (patterns: readonly string[], value: string): boolean => patterns.some((p) => wildcardMatcher(p)(value));
