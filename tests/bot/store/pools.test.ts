import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src/bot/store/index.js';
import { ErrorCode, hasCode } from '../../../src/kernel/errors.js';
import { PACKAGE_ROOT, tempDir, until } from '../../helpers.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RACE = join(PACKAGE_ROOT, 'tests/bot/store/pools-race.ts');
const codes = (n: number, prefix = 'C') => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(7, '0')}`);

let dir: { dir: string; cleanup: () => void };
const open: Store[] = [];
beforeEach(() => {
  dir = tempDir('opsbot-pools-');
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => {});
  dir.cleanup();
});

describe.each(['sqlite', 'redis'] as const)('pools (%s)', (backend) => {
  const url = backend === 'redis' ? REDIS_URL : '';
  let ns: string;
  let store: Store;
  beforeEach(async () => {
    ns = `pools-${process.pid}-${Math.random().toString(36).slice(2)}`;
    store = await openStore({ dataDir: dir.dir, ...(url ? { redisUrl: url } : {}), namespace: ns });
    open.push(store);
  });

  it('hands out each item once, at most the limit to a holder, and gives a holder at the limit what they hold', async () => {
    expect(await store.pools.create('d1', codes(3), { limit: 1 })).toBe(true);
    expect(await store.pools.create('d1', codes(5), { limit: 2 })).toBe(false);
    const t = Date.now();
    expect(await store.pools.take('d1', 'wechat:a', t, { group: 'r1', name: '小A' })).toEqual({ status: 'taken', item: 'C0000001', seq: 1, taken: 1, total: 3 });
    expect(await store.pools.take('d1', 'wechat:a', t)).toEqual({ status: 'held', items: ['C0000001'] });
    expect(await store.pools.take('d1', 'wechat:b', t)).toMatchObject({ status: 'taken', item: 'C0000002' });
    expect(await store.pools.take('d1', 'wechat:c', t)).toMatchObject({ status: 'taken', item: 'C0000003', taken: 3 });
    expect(await store.pools.take('d1', 'wechat:d', t)).toEqual({ status: 'empty' });
    expect(await store.pools.take('d1', 'wechat:b', t)).toEqual({ status: 'held', items: ['C0000002'] });
    expect(await store.pools.take('nope', 'wechat:a', t)).toEqual({ status: 'missing' });
    expect(await store.pools.stats('d1')).toEqual({ total: 3, taken: 3 });
    expect(await store.pools.stats('nope')).toBeUndefined();
    expect(await store.pools.held('d1', 'wechat:a')).toEqual(['C0000001']);
    expect(await store.pools.held('d1', 'wechat:z')).toEqual([]);
    const claims = await store.pools.claims('d1');
    expect(claims.map((c) => [c.seq, c.holder, c.item])).toEqual([
      [1, 'wechat:a', 'C0000001'],
      [2, 'wechat:b', 'C0000002'],
      [3, 'wechat:c', 'C0000003'],
    ]);
    expect(claims[0]).toMatchObject({ at: new Date(t).toISOString(), meta: { group: 'r1', name: '小A' } });
    expect(claims[1]!.meta).toEqual({});
  });

  it('refuses a take outside the window, on the clock it is given, and lets a holder over several takes reach the limit', async () => {
    const start = Date.parse('2026-12-12T20:00:00+08:00');
    await store.pools.create('d2', codes(10), { limit: 2, startsAt: start, endsAt: start + 3_600_000 });
    expect(await store.pools.take('d2', 'wechat:a', start - 1)).toEqual({ status: 'not_started', startsAt: start });
    expect(await store.pools.take('d2', 'wechat:a', start)).toMatchObject({ status: 'taken' });
    expect(await store.pools.take('d2', 'wechat:a', start + 1)).toMatchObject({ status: 'taken' });
    expect(await store.pools.take('d2', 'wechat:a', start + 2)).toEqual({ status: 'held', items: ['C0000001', 'C0000002'] });
    expect(await store.pools.take('d2', 'wechat:b', start + 3_600_000)).toEqual({ status: 'ended' });
    // The holder keeps their codes after the end.
    expect(await store.pools.take('d2', 'wechat:a', start + 3_600_000)).toMatchObject({ status: 'held' });
    expect(await store.pools.stats('d2')).toEqual({ total: 10, taken: 2 });
  });

  it('keeps a stock of thousands whole when created', async () => {
    await store.pools.create('big', codes(5_000), { limit: 1 });
    expect(await store.pools.stats('big')).toEqual({ total: 5_000, taken: 0 });
    const takes = await Promise.all(Array.from({ length: 200 }, (_, i) => store.pools.take('big', `wechat:f${i}`, Date.now())));
    expect(new Set(takes.map((t) => (t.status === 'taken' ? t.item : '')))).toHaveProperty('size', 200);
  });

  const race = (pool: string, name: string, fans: number, repeats = 1) =>
    spawn(process.execPath, ['--import', 'tsx', RACE, dir.dir, url, ns, pool, name, String(fans), String(repeats)], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const finished = (child: ReturnType<typeof race>) =>
    new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += String(d)));
      child.stderr.on('data', (d: Buffer) => (err += String(d)));
      child.on('close', (code, signal) => (code === 0 || signal === 'SIGKILL' ? resolve(out) : reject(new Error(`race exited ${code}: ${err}`))));
    });

  it('never oversells with four processes racing for one pool: exactly the stock out, no fan twice, no code twice', async () => {
    await store.pools.create('race', codes(60), { limit: 1 });
    // 4 processes × 40 fans, each asking twice at once; half the fans are the same people in every process.
    const outs = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((name) => finished(race('race', name, 40, 2))));
    const said = outs.flatMap((o) => o.split('\n').filter((l) => l.startsWith('taken ')));
    const claims = await store.pools.claims('race');
    expect(claims).toHaveLength(60);
    expect(said).toHaveLength(60);
    expect(new Set(claims.map((c) => c.item)).size).toBe(60);
    expect(new Set(claims.map((c) => c.holder)).size).toBe(60);
    expect(claims.map((c) => c.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(await store.pools.stats('race')).toEqual({ total: 60, taken: 60 });
  }, 90_000);

  it('keeps the ledger whole when a process is killed mid-drop: every code it took is in the ledger, a fan asking again gets the same one', async () => {
    await store.pools.create('kill', codes(5_000), { limit: 1 });
    const victim = race('kill', 'victim', 4_000);
    let seen = '';
    victim.stdout.on('data', (d: Buffer) => (seen += String(d)));
    // Watched from the start: a process that ends before it is awaited must not be missed.
    const ended = Promise.all([finished(victim), finished(race('kill', 'other', 60))]);
    await until(() => seen.split('\n').filter((l) => l.startsWith('taken ')).length >= 10, 30_000);
    victim.kill('SIGKILL');
    await ended;
    expect(seen).not.toContain('done'); // it was killed mid-drop, not after
    // A restarted process reads the same ledger; the fans of the killed one who ask again get what they hold.
    const again = await openStore({ dataDir: dir.dir, ...(url ? { redisUrl: url } : {}), namespace: ns });
    open.push(again);
    const claims = await again.pools.claims('kill');
    const stats = await again.pools.stats('kill');
    expect(stats!.taken).toBe(claims.length);
    expect(new Set(claims.map((c) => c.item)).size).toBe(claims.length);
    expect(new Set(claims.map((c) => c.holder)).size).toBe(claims.length);
    for (const line of seen.split('\n').filter((l) => l.startsWith('taken '))) {
      const [, holder, item] = line.split(' ');
      expect(claims.find((c) => c.holder === holder)?.item).toBe(item);
      expect(await again.pools.take('kill', holder!, Date.now())).toEqual({ status: 'held', items: [item] });
    }
    // What is left is still there to take, in order.
    const next = await again.pools.take('kill', 'wechat:late', Date.now());
    expect(next).toMatchObject({ status: 'taken', seq: claims.length + 1 });
  }, 90_000);
});

describe('pools when the store is away', () => {
  it('fail closed: a take throws STORE_UNAVAILABLE, never promises an item', async () => {
    const store = await openStore({ dataDir: dir.dir });
    await store.pools.create('d', codes(2), { limit: 1 });
    await store.close();
    const err = await store.pools.take('d', 'wechat:a', Date.now()).catch((e: unknown) => e);
    expect(hasCode(err, ErrorCode.STORE_UNAVAILABLE)).toBe(true);
  });
});

// The race worker is a TypeScript file run by tsx; make sure it still compiles on its own.
it('has a race worker that runs', async () => {
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', RACE, dir.dir, '', 'solo', 'missing', 'x', '1'], { cwd: PACKAGE_ROOT, timeout: 60_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
  expect(out).toBe('done\n');
});
