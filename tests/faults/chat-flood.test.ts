import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IncomingMessage } from '../../src/bot/context.js';
import { RoleDirectory } from '../../src/bot/roles.js';
import { Router } from '../../src/bot/router.js';
import { SendQueue } from '../../src/bot/send-queue.js';
import { memoryStore, prompts, silentLogger } from '../helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A seeded generator, so the pacing's random gaps are the same on every run. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('a flood of 1,000 messages a second for 10 seconds into one group', () => {
  it('no crash, the queue and the store stay bounded, the flood limits hold, and the replies keep their pacing', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    // Midday in Shanghai: no quiet hours.
    vi.setSystemTime(new Date('2026-12-02T12:00:00+08:00'));
    const start = Date.now();
    const store = memoryStore();
    const sent: { at: number; chat: string; text: string }[] = [];
    const queue = new SendQueue({
      transport: { send: async (chat, content) => (sent.push({ at: Date.now(), chat, text: content.kind === 'image' ? '' : content.text }), { status: 'sent' }) },
      store,
      logger: silentLogger,
      platform: 'wechat',
      account: 'wechat',
      tz: 'Asia/Shanghai',
      random: seeded(7),
    });
    const router = new Router({ store, prompts, logger: silentLogger, roles: new RoleDirectory({ admins: [], agents: [] }) })
      .register({ name: 'echo', roles: ['fan'], fallback: ['fan'], handle: (ctx) => ctx.reply('收到～').then(() => {}) })
      .start();
    const SENDERS = 500;
    const handled: Promise<void>[] = [];
    const pushes: Promise<{ status: string; reason?: string }>[] = [];
    let maxPending = 0;
    for (let i = 0; i < 10_000; i++) {
      const sender = `wxid_${i % SENDERS}`;
      // Every third message is addressed to the bot; the rest is the group talking.
      const addressed = i % 3 === 0;
      const message: IncomingMessage = {
        platform: 'wechat',
        messageId: `flood-${i}`,
        time: new Date(),
        chat: { id: 'flood@chatroom', type: 'group', title: '粉丝群' },
        sender: { id: sender, name: sender },
        text: addressed ? '什么时候发货' : '哈哈哈哈',
        mentioned: addressed,
        self: false,
      };
      handled.push(router.handle(message, queue));
      // A reminder push every 400 messages meanwhile: 25 in all, more than the group's hourly cap.
      if (i % 400 === 0) pushes.push(queue.send('flood@chatroom', { kind: 'text', text: `提醒${i}` }, { source: 'live:flood:reminder' }));
      maxPending = Math.max(maxPending, queue.pending);
      // 1,000 a second, in bursts of 50 within each 50 ms.
      if (i % 50 === 49) await vi.advanceTimersByTimeAsync(50);
    }
    // The flood is over; the replies left go out in their own (fake) time.
    await vi.advanceTimersByTimeAsync(2 * 3600_000);
    // Everything has had its outcome two (fake) hours later: nothing is still waiting.
    expect(queue.pending).toBe(0);
    const outcomes = await Promise.allSettled(handled);
    expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);

    // Bounded: what waits in memory, and what the store keeps besides one dedupe key per message.
    // (At most the group's 15 answers a minute waiting, plus the 25 pushes.)
    expect(maxPending).toBeLessThanOrEqual(15 + 25);
    expect(store.keys().filter((k) => !k.startsWith('atomic:dedupe:')).length).toBeLessThan(SENDERS * 2 + 100);

    // The flood limits: the whole group gets at most 15 answers a minute however many people write.
    const replies = sent.filter((s) => s.text === '收到～');
    const perMinute = new Map<number, number>();
    for (const r of replies) perMinute.set(Math.floor((r.at - start) / 60_000), (perMinute.get(Math.floor((r.at - start) / 60_000)) ?? 0) + 1);
    // (The flood's 10 s fall in one window: 15 of its 3,334 @-mentions are answered.)
    expect(replies).toHaveLength(15);
    expect([...perMinute.values()].every((n) => n <= 15)).toBe(true);
    // Pushes keep their hourly cap (20 per group): the rest are dropped, and say why.
    const pushed = await Promise.all(pushes);
    expect(pushed).toHaveLength(25);
    expect(pushed.filter((p) => p.status === 'sent')).toHaveLength(20);
    expect(pushed.filter((p) => p.status !== 'sent').every((p) => p.status === 'dropped' && p.reason === 'hourly cap reached')).toBe(true);
    // Pacing: never two messages to the group less than 2 s apart, replies and pushes alike.
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.at - sent[i - 1]!.at).toBeGreaterThanOrEqual(2_000);
    // Every reply that was not sent is in the delivery log with its reason.
    const log = await store.tables.deliveries.list({ limit: 100_000 });
    expect(log.filter((d) => d.status === 'sent')).toHaveLength(sent.length);
    expect(log.filter((d) => d.status !== 'sent').every((d) => d.reason)).toBe(true);
  });
});

describe('what the group flood limit leaves alone', () => {
  it('a fan claiming with a running skill\'s keyword (a coupon drop) and staff are answered, whatever the group\'s flood', async () => {
    const store = memoryStore();
    const sent: string[] = [];
    const transport = { send: async (_chat: string, content: { kind: string; text?: string }) => (sent.push(content.text ?? ''), { status: 'sent' as const }) };
    const router = new Router({ store, prompts, logger: silentLogger, roles: new RoleDirectory({ admins: ['wechat:boss'], agents: [] }) })
      .register({ name: 'claims', roles: ['fan'], claimsInGroup: (ctx) => ctx.text === '领券', handle: (ctx) => ctx.reply(`券码-${ctx.sender.id}`).then(() => {}) })
      .register({ name: 'echo', roles: ['fan', 'admin'], fallback: ['fan', 'admin'], handle: (ctx) => ctx.reply('收到～').then(() => {}) })
      .start();
    const say = (i: number, sender: string, text: string, mentioned: boolean) =>
      router.handle(
        { platform: 'wechat', messageId: `m-${i}`, time: new Date(), chat: { id: 'drop@chatroom', type: 'group', title: '粉丝群' }, sender: { id: sender, name: sender }, text, mentioned, self: false },
        transport as never,
      );
    for (let i = 0; i < 100; i++) await say(i, `fan${i}`, '什么时候发货', true);
    expect(sent.filter((t) => t === '收到～')).toHaveLength(15);
    for (let i = 0; i < 100; i++) await say(100 + i, `fan${i}`, '领券', false);
    expect(sent.filter((t) => t.startsWith('券码-'))).toHaveLength(100);
    await say(1000, 'boss', '今天的数据呢', true);
    expect(sent.filter((t) => t === '收到～')).toHaveLength(16);
  });
});
