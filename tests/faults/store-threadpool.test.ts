import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/bot/store/index.js';
import { tempDir } from '../helpers.js';

/**
 * A coupon drop in one process on the SQLite file: claims (transactions on their own connection) beside
 * the many small writes of every message (duplicate markers, counters, the delivery log). Before the
 * write gate, four of those writes waiting for a claim's lock took all of libuv's threads and the claim's
 * next statement had none: every claim and write stalled for the busy timeout, then failed SQLITE_BUSY.
 */
let dir: ReturnType<typeof tempDir>;
let store: Store;
beforeEach(async () => {
  dir = tempDir('opsbot-faults-threadpool-');
  store = await openStore({ dataDir: dir.dir, namespace: 'tp' });
});
afterEach(async () => {
  await store.close();
  dir.cleanup();
});

describe('claims beside a burst of small writes in one process (SQLite)', () => {
  it('all complete, every code once, no store error', { timeout: 20_000 }, async () => {
    const codes = Array.from({ length: 60 }, (_, i) => `C${String(i).padStart(4, '0')}`);
    expect(await store.pools.create('drop', codes, { limit: 1 })).toBe(true);
    const results: string[] = [];
    for (let round = 0; round < 6; round++) {
      const takes = Array.from({ length: 10 }, (_, i) => store.pools.take('drop', `wechat:fan${round * 10 + i}`, Date.now()));
      const writes = Array.from({ length: 40 }, (_, i) => store.setIfAbsent(`marker:${round}:${i}`, 60_000));
      const counts = Array.from({ length: 10 }, () => store.increment(`count:${round}`, 1, 60_000));
      const [taken, marked, counted] = await Promise.all([Promise.all(takes), Promise.all(writes), Promise.all(counts)]);
      for (const t of taken) if (t.status === 'taken') results.push(t.item);
      expect(marked.every(Boolean)).toBe(true);
      expect(Math.max(...counted)).toBe(10);
    }
    expect(results.sort()).toEqual(codes);
    expect((await store.pools.stats('drop'))?.taken).toBe(60);
  });

  it('closes while claims are still queued: the queued ones end, the close returns', { timeout: 20_000 }, async () => {
    expect(await store.pools.create('drop', ['A', 'B', 'C', 'D', 'E', 'F'], { limit: 1 })).toBe(true);
    const takes = Array.from({ length: 6 }, (_, i) => store.pools.take('drop', `wechat:fan${i}`, Date.now()).then((r) => r.status, () => 'failed'));
    const writes = Array.from({ length: 8 }, (_, i) => store.setIfAbsent(`late:${i}`, 60_000).then(String, () => 'failed'));
    await store.close();
    const ended = await Promise.all([...takes, ...writes]);
    expect(ended).toHaveLength(14);
    // Reopened: what was taken before the close is in the ledger, each code once.
    store = await openStore({ dataDir: dir.dir, namespace: 'tp' });
    const claims = await store.pools.claims('drop');
    expect(claims.length).toBe(ended.filter((s) => s === 'taken').length);
    expect(new Set(claims.map((c) => c.item)).size).toBe(claims.length);
  });
});
