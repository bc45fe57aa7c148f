import { describe, expect, it } from 'vitest';
import { ReadCache } from '../../src/bot/read-cache.js';

describe('the read cache', () => {
  it('keeps a later read\'s result when an earlier, slower read ends after it', async () => {
    let store = ['old'];
    const pending: (() => void)[] = [];
    // Each read sees the store as it is when it starts, and ends when the test lets it.
    const cache = new ReadCache<string>(
      () => {
        const seen = [...store];
        return new Promise((resolve) => pending.push(() => resolve(seen)));
      },
      Date.now,
      3_000,
    );
    const slow = cache.refresh(true); // the timer's read: sees ['old']
    store = ['old', 'new'];
    const fast = cache.refresh(true); // a create's read: sees the new drop
    pending[1]!();
    await fast;
    expect(cache.items).toEqual(['old', 'new']);
    pending[0]!();
    await slow;
    expect(cache.items).toEqual(['old', 'new']);
  });

  it('reads again only when older than its age limit, unless forced; clear forgets', async () => {
    let now = 0;
    let reads = 0;
    const cache = new ReadCache<number>(async () => [++reads], () => now, 3_000);
    expect(cache.items).toEqual([]);
    await cache.refresh();
    now = 2_999;
    expect(await cache.refresh()).toEqual([1]);
    now = 3_000;
    expect(await cache.refresh()).toEqual([2]);
    expect(await cache.refresh(true)).toEqual([3]);
    cache.clear();
    expect(cache.items).toEqual([]);
  });
});
