/** JSON Merge Patch (RFC 7386), as Vault's PATCH of secret data applies it: null removes a key, objects merge. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Vault's subkeys: the same structure with every leaf null, down to `depth` levels (0: all of them). */
export function subkeysOf(data: unknown, depth: number, level = 1): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  if (depth !== 0 && level > depth) return null;
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, subkeysOf(value, depth, level + 1)]));
}
