import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../../src/bot/deliveries/types.js';
import { sourcePrefixes } from '../../src/bot/store/redis-deliveries.js';
import { openStore, type Store } from '../../src/bot/store/index.js';
import { tempDir } from '../helpers.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let dir: { dir: string; cleanup: () => void };
beforeEach(() => {
  dir = tempDir('opsbot-deliveries-');
});
afterEach(() => dir.cleanup());

describe.each(['sqlite', 'redis'] as const)('the delivery log (%s)', (backend) => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore({ dataDir: dir.dir, ...(backend === 'redis' ? { redisUrl: REDIS_URL } : {}), namespace: `dlv-${process.pid}-${Math.random().toString(36).slice(2)}` });
  });
  afterEach(() => store.close());

  const t0 = Date.now() - 3_600_000;
  const d = (n: number, over: Partial<Delivery>): Delivery => ({
    id: `d${n}`,
    at: new Date(t0 + n * 60_000).toISOString(),
    platform: 'wechat',
    chat: 'room-1@chatroom',
    source: 'reply',
    status: 'sent',
    ...over,
  });

  it('lists the newest first, by chat, by source prefix and since a time, without mixing them up', async () => {
    const log = store.tables.deliveries;
    await log.record(d(1, { source: 'live:42:preannounce' }));
    await log.record(d(2, { source: 'live:42:reminder:10m', chat: 'room-2@chatroom', status: 'expired', reason: 'past its deadline' }));
    await log.record(d(3, { source: 'escalation:abc' }));
    await log.record(d(4, { source: 'live:7:onair' }));
    await log.record(d(5, { source: 'escalation:abd', platform: 'telegram', chat: '3003' }));
    await log.record(d(6, { source: 'welcome', chat: 'room-2@chatroom' }));
    const ids = (list: Delivery[]) => list.map((x) => x.id);
    expect(ids(await log.list())).toEqual(['d6', 'd5', 'd4', 'd3', 'd2', 'd1']);
    expect(ids(await log.list({ chat: 'room-2@chatroom' }))).toEqual(['d6', 'd2']);
    expect(ids(await log.list({ source: 'live:' }))).toEqual(['d4', 'd2', 'd1']);
    expect(ids(await log.list({ source: 'live:42' }))).toEqual(['d2', 'd1']);
    expect(ids(await log.list({ source: 'escalation:ab' }))).toEqual(['d5', 'd3']);
    expect(ids(await log.list({ source: 'esc' }))).toEqual(['d5', 'd3']);
    expect(ids(await log.list({ source: 'live:', chat: 'room-1@chatroom' }))).toEqual(['d4', 'd1']);
    expect(ids(await log.list({ since: new Date(t0 + 4 * 60_000) }))).toEqual(['d6', 'd5', 'd4']);
    expect(ids(await log.list({ limit: 2 }))).toEqual(['d6', 'd5']);
    expect(await log.get('d2')).toEqual(d(2, { source: 'live:42:reminder:10m', chat: 'room-2@chatroom', status: 'expired', reason: 'past its deadline' }));
  });

  it('keeps one line per send: a later outcome replaces the first', async () => {
    const log = store.tables.deliveries;
    await log.record(d(1, { status: 'uncertain' }));
    await log.record(d(2, { status: 'sent' }));
    await log.record(d(3, { id: 'd1', status: 'sent', messageId: '9' }));
    expect((await log.list()).map((x) => [x.id, x.status])).toEqual([
      ['d1', 'sent'],
      ['d2', 'sent'],
    ]);
  });
});

describe('sourcePrefixes', () => {
  it('indexes a source under each of its whole-segment prefixes', () => {
    expect(sourcePrefixes('live:42:reminder:10m')).toEqual(['live', 'live:42', 'live:42:reminder', 'live:42:reminder:10m']);
    expect(sourcePrefixes('reply')).toEqual(['reply']);
  });
});
