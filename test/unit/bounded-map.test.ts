import { BoundedMap } from '../../src/domain/bounded-map';
import { TtlCache } from '../../src/domain/ttl-cache';

describe('BoundedMap', () => {
  it('forgets its oldest entry when a new key would pass the bound, never one being replaced', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('b', 20); // a known key: nothing is forgotten
    expect([map.get('a'), map.get('b')]).toEqual([1, 20]);
    map.set('c', 3);
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([undefined, 20, 3]);
    map.delete('b');
    map.set('d', 4); // room again after a delete
    expect([map.get('b'), map.get('c'), map.get('d')]).toEqual([undefined, 3, 4]);
  });

  it('bounds TtlCache the same way, and an entry past its time is gone', () => {
    let now = 0;
    const cache = new TtlCache<string>(1000, () => now, 2);
    cache.set('a', 'A');
    cache.set('b', 'B');
    cache.set('c', 'C');
    now = 10;
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 'B', 'C']);
    now = 1000;
    expect(cache.get('b')).toBeUndefined();
  });
});
