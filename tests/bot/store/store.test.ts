import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, hasCode } from '../../../src/kernel/errors.js';
import { openStore, type Store } from '../../../src/bot/store/index.js';
import { PACKAGE_ROOT, tempDir } from '../../helpers.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let dir: { dir: string; cleanup: () => void };
let clock = 1_000_000;

beforeEach(() => {
  dir = tempDir();
  clock = 1_000_000;
});
afterEach(() => dir.cleanup());

const backends: [string, () => Promise<Store>][] = [
  ['sqlite', () => openStore({ dataDir: dir.dir, now: () => clock })],
  ['redis', () => openStore({ dataDir: dir.dir, redisUrl: REDIS_URL, namespace: `test-${process.pid}-${Math.random().toString(36).slice(2)}` })],
];

describe.each(backends)('%s store', (kind, open) => {
  let store: Store;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => {
    await store.close();
  });

  it('keeps values, with their types', async () => {
    expect(store.kind).toBe(kind);
    await store.set('group', { id: 'r1@chatroom', tags: ['fans'] });
    expect(await store.get('group')).toEqual({ id: 'r1@chatroom', tags: ['fans'] });
    expect(await store.get('missing')).toBeUndefined();
    expect(await store.delete('group')).toBe(true);
    expect(await store.get('group')).toBeUndefined();
  });

  it('lists the values under a prefix, and nothing expired or elsewhere', async () => {
    await store.set('group:wechat:a@chatroom', { name: '粉丝1群' });
    await store.set('group:telegram:-100', { name: '运营群' });
    await store.set('other:x', 1);
    await store.set('group:gone', { name: '过期' }, 1);
    await new Promise((r) => setTimeout(r, 20));
    clock += 10;
    expect(await store.list('group:')).toEqual([
      ['group:telegram:-100', { name: '运营群' }],
      ['group:wechat:a@chatroom', { name: '粉丝1群' }],
    ]);
  });

  it('lets exactly one of many concurrent callers take a key', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => store.setIfAbsent('msg:42', 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('frees a taken key with release() (not delete(), which is for values), so it can be taken again', async () => {
    expect(await store.setIfAbsent('claim:1', 60_000)).toBe(true);
    await store.delete('claim:1');
    expect(await store.setIfAbsent('claim:1', 60_000)).toBe(false);
    expect(await store.release('claim:1')).toBe(true);
    expect(await store.release('claim:1')).toBe(false);
    expect(await store.setIfAbsent('claim:1', 60_000)).toBe(true);
  });

  it('counts concurrent increments exactly', async () => {
    await Promise.all(Array.from({ length: 100 }, () => store.increment('floods', 1, 60_000)));
    expect(await store.increment('floods', 0)).toBe(100);
  });
});

describe('expiry on SQLite', () => {
  it('frees a taken key and restarts a counter once their time is up', async () => {
    const store = await openStore({ dataDir: dir.dir, now: () => clock });
    expect(await store.setIfAbsent('k', 1_000)).toBe(true);
    expect(await store.setIfAbsent('k', 1_000)).toBe(false);
    expect(await store.increment('c', 1, 1_000)).toBe(1);
    expect(await store.increment('c', 1, 1_000)).toBe(2);
    clock += 1_001;
    expect(await store.setIfAbsent('k', 1_000)).toBe(true);
    expect(await store.increment('c', 1, 1_000)).toBe(1);
    expect(await store.setIfAbsent('forever')).toBe(true);
    clock += 10 ** 9;
    expect(await store.setIfAbsent('forever')).toBe(false);
    await store.close();
  });
});

describe('several processes sharing one store', () => {
  const race = (dataDir: string, redisUrl: string, namespace: string) =>
    new Promise<number>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', join(PACKAGE_ROOT, 'tests/bot/store/store-race.ts'), dataDir, redisUrl, '40', namespace],
        { cwd: PACKAGE_ROOT, timeout: 60_000 },
        (err, stdout) => (err ? reject(err) : resolve(Number(stdout))),
      ),
    );

  it.each([
    ['sqlite', ''],
    ['redis', REDIS_URL],
  ])('hand each key to exactly one of four processes (%s)', async (_kind, url) => {
    const namespace = `race-${process.pid}-${Date.now()}`;
    const won = await Promise.all([1, 2, 3, 4].map(() => race(dir.dir, url, namespace)));
    expect(won.reduce((a, b) => a + b, 0)).toBe(40);
    // And no increment was lost: 4 processes x 40.
    const check = await openStore({ dataDir: dir.dir, ...(url ? { redisUrl: url } : {}), namespace });
    expect(await check.increment('claims', 0)).toBe(160);
    await check.close();
  });
});

describe('a Redis outage after start', () => {
  it('fails each call at once while Redis is away, and works again when it is back', async () => {
    const target = new URL(REDIS_URL);
    const sockets = new Set<Socket>();
    let proxy: Server | undefined;
    const listen = (port: number) =>
      new Promise<number>((resolve) => {
        proxy = createServer((client) => {
          const upstream = createConnection(Number(target.port || 6379), target.hostname);
          sockets.add(client).add(upstream);
          client.pipe(upstream).pipe(client);
          const drop = () => (client.destroy(), upstream.destroy());
          client.on('error', drop).on('close', drop);
          upstream.on('error', drop).on('close', drop);
        }).listen(port, '127.0.0.1', () => resolve((proxy!.address() as { port: number }).port));
      });
    const cut = () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        proxy!.close(() => resolve());
      });
    const port = await listen(0);
    const store = await openStore({ dataDir: dir.dir, redisUrl: `redis://127.0.0.1:${port}`, namespace: `blip-${process.pid}-${Date.now()}` });
    expect(await store.setIfAbsent('a', 60_000)).toBe(true);
    await cut();
    await new Promise((r) => setTimeout(r, 300));
    const during = await store.setIfAbsent('b', 60_000).catch((e: unknown) => e);
    expect(hasCode(during, ErrorCode.STORE_UNAVAILABLE)).toBe(true);
    await new Promise((r) => setTimeout(r, 4_000)); // longer than the old five-retry limit
    await listen(port);
    let back: unknown;
    for (let i = 0; i < 40 && back !== true; i++) {
      back = await store.setIfAbsent('c', 60_000).catch((e: unknown) => e);
      if (back !== true) await new Promise((r) => setTimeout(r, 250));
    }
    expect(back).toBe(true);
    expect(await store.increment('n', 1)).toBe(1);
    await store.close();
    await cut();
  });
});

describe('a store outage', () => {
  it('fails closed with STORE_UNAVAILABLE when Redis cannot be reached', async () => {
    const err = await openStore({ dataDir: dir.dir, redisUrl: 'redis://127.0.0.1:1' }).catch((e: unknown) => e);
    expect(hasCode(err, ErrorCode.STORE_UNAVAILABLE)).toBe(true);
  });

  it('fails closed with STORE_UNAVAILABLE when the SQLite file cannot be opened', async () => {
    writeFileSync(join(dir.dir, 'file'), '');
    const err = await openStore({ dataDir: join(dir.dir, 'file', 'sub') }).catch((e: unknown) => e);
    expect(hasCode(err, ErrorCode.STORE_UNAVAILABLE)).toBe(true);
  });
});

