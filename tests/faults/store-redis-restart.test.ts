import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/app.js';
import type { Bot } from '../../src/app/bot.js';
import type { Outbound, SendOptions } from '../../src/bot/context.js';
import { entryId } from '../../src/bot/outbox/entry.js';
import { ANY_ACCOUNT, type OutboxEntry } from '../../src/bot/outbox/types.js';
import { freePort, prompts, tempDir, testBot, until } from '../helpers.js';

/**
 * Redis restarted in the middle of a coupon drop, with REDIS_URL set: a Redis of the test's own (never the
 * shared one), persisted to an append-only file so a restart keeps what it had, as a shop's would.
 */
let port = 0;
let redis: ChildProcess | undefined;
const data = tempDir('opsbot-faults-redis-');
let app: App;
let bot: Bot;
const said: { chat: string; fan?: string; text: string }[] = [];

async function startRedis(): Promise<void> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', data.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.on('exit', () => reject(new Error(`redis-server exited: ${out}`)));
  });
  redis = child;
}

async function stopRedis(): Promise<void> {
  const child = redis!;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  redis = undefined;
}

let n = 0;
/** A fan types the keyword in 粉丝1群. */
const claim = (fan: number) =>
  bot.router.handle(
    { platform: 'wechat', messageId: `m-${++n}`, time: new Date(), chat: { id: 'r1@chatroom', type: 'group', title: '粉丝1群' }, sender: { id: `wxid_fan${fan}`, name: `粉丝${fan}` }, text: '领券', mentioned: false, self: false },
    transport,
  );
const transport = {
  send: async (chat: string, content: Outbound, options?: SendOptions) => {
    said.push({ chat, ...(options?.replyTo ? { fan: options.replyTo.sender.name } : {}), text: content.kind === 'text' ? content.text : `[${content.kind}]` });
    return { status: 'sent' as const };
  },
};
const toFan = (fan: number) => said.filter((s) => s.fan === `粉丝${fan}`).map((s) => s.text);

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  writeFileSync(join(data.dir, 'shop.json'), JSON.stringify({ groups: [{ platform: 'wechat', id: 'r1@chatroom', name: '粉丝1群', tags: ['fans'] }], coupons: { repeatWindowSeconds: 0 } }));
  ({ app, bot } = await testBot(
    { OPSBOT_DATA_DIR: data.dir, OPSBOT_SHOP_FILE: join(data.dir, 'shop.json'), OPSBOT_QUIET_HOURS: 'off', REDIS_URL: `redis://127.0.0.1:${port}`, OPSBOT_REDIS_NAMESPACE: 'restart' },
    { tuning: { lockMs: 2_000, stalledCheckMs: 500, rateLimit: { max: 1_000, windowMs: 60_000 } } },
  ));
  await bot.attach('wechat', transport, 'wx');
}, 60_000);

afterAll(async () => {
  // Closed with Redis up (BullMQ's close waits for its connection).
  if (!redis) await startRedis().catch(() => {});
  await bot?.close().catch(() => {});
  if (redis) await stopRedis();
  data.cleanup();
});

describe('Redis restarted mid-drop', () => {
  it('answers claims during the gap with try-later and no code, keeps the ledger whole, and the scheduled announcement still goes once', async () => {
    const coupons = await app.service('coupons');
    const store = await app.service('store');
    const scheduler = await app.service('scheduler');
    const outbox = await app.service('outbox');
    const groups = await app.service('groups');
    const drop = await coupons.create({ name: '重启券', stock: 30, keyword: '领券' });
    // A second drop whose announcement is due while Redis is away: a BullMQ job that must resume after.
    const later = await coupons.create({ name: '晚场券', stock: 5, keyword: '晚场', starts: new Date(Date.now() + 2_500).toISOString() });
    for (let fan = 0; fan < 10; fan++) await claim(fan);
    await until(() => toFan(9).length > 0);
    const before = await store.pools.claims(`coupon:${drop.id}`);
    expect(before).toHaveLength(10);

    await stopRedis();
    const gapStarted = said.length;
    // The second drop's start falls inside the gap (the test is wrong, not the bot, if this fails).
    expect(Date.parse(later.startsAt)).toBeGreaterThan(Date.now());
    for (let fan = 10; fan < 20; fan++) await claim(fan);
    // Each fan is answered: it did not work, try later; no code promised, nothing about the server.
    for (let fan = 10; fan < 20; fan++) expect(toFan(fan), `粉丝${fan}`).toEqual([prompts.render('errors/store-unavailable')]);
    expect(said.slice(gapStarted).filter((s) => /[A-Z0-9]{10}/.test(s.text))).toEqual([]);
    expect(said.slice(gapStarted).filter((s) => s.text.includes('127.0.0.1'))).toEqual([]);
    // Past the second drop's start, Redis still away: its announcement comes due during the gap.
    await until(() => Date.now() > Date.parse(later.startsAt), 10_000);
    expect(redis).toBeUndefined();
    await startRedis();

    // Back: the same fans try again and get codes; the store's ledger is whole.
    await until(async () => (await store.get('probe').then(() => true).catch(() => false)) || undefined, 20_000);
    for (let fan = 10; fan < 20; fan++) await claim(fan);
    await until(() => toFan(19).length > 0, 10_000);
    const claims = await store.pools.claims(`coupon:${drop.id}`);
    expect(claims).toHaveLength(20);
    expect(claims.slice(0, 10)).toEqual(before);
    expect(new Set(claims.map((c) => c.item)).size).toBe(20);
    expect(new Set(claims.map((c) => c.holder)).size).toBe(20);
    expect((await coupons.status(drop.id)).remaining).toBe(10);
    for (const c of claims) {
      const fan = Number(c.holder.replace('wechat:wxid_fan', ''));
      expect(toFan(fan).filter((t) => t.includes(c.item)), c.holder).toHaveLength(1);
    }
    // The announcement due during the gap went once it was back, once.
    await until(() => said.some((s) => s.chat === 'r1@chatroom' && !s.fan && s.text.includes('晚场券')), 30_000);
    // Settled: the job has ended (no run of it left to come) and so has its push (no send of it left to come).
    const announce = `coupon:${later.id}:announce:wechat:r1@chatroom`;
    await until(async () => !['pending', 'running'].includes((await scheduler.get(announce))?.state ?? 'pending'), 10_000);
    const account = (await groups.accountOf('wechat', 'r1@chatroom')) ?? ANY_ACCOUNT;
    expect(await outbox.result({ platform: 'wechat', account, id: entryId(announce) } as OutboxEntry, 10_000)).toBeDefined();
    expect(said.filter((s) => s.chat === 'r1@chatroom' && !s.fan && s.text.includes('晚场券'))).toHaveLength(1);
  }, 90_000);
});
