import { timeOrderedUuid } from '../../src/domain/time-ordered-uuid';

describe('timeOrderedUuid', () => {
  const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('is a version 7 UUID whose first 48 bits are the milliseconds given', () => {
    const ms = Date.UTC(2026, 11, 1, 21, 15, 0, 123);
    const id = timeOrderedUuid(ms);
    expect(id).toMatch(FORMAT);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
  });

  it('sorts by time as a string, and differs within one millisecond', () => {
    const ids = [0, 1, 255, 256, 65_536, 1_764_623_700_000, 2 ** 48 - 1].map((ms) => timeOrderedUuid(ms));
    expect([...ids].sort()).toEqual(ids);
    const same = new Set(Array.from({ length: 1000 }, () => timeOrderedUuid(1_764_623_700_000)));
    expect(same.size).toBe(1000);
    for (const id of same) expect(id).toMatch(FORMAT);
  });
});
