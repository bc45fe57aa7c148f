import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Outbound, SendResult, Transport } from '../../src/bot/context.js';
import { SendQueue, type SendQueueOptions } from '../../src/bot/send-queue.js';
import { captureLogger, memoryStore } from '../helpers.js';

class Platform implements Transport {
  sent: { chatId: string; text: string; at: number }[] = [];
  next: (chatId: string) => SendResult | Error = () => ({ status: 'sent' });
  async send(chatId: string, content: Outbound): Promise<SendResult> {
    const r = this.next(chatId);
    if (r instanceof Error) throw r;
    if (r.status === 'sent') this.sent.push({ chatId, text: content.kind === 'image' ? '' : content.text, at: Date.now() });
    return r;
  }
}

const text = (t: string): Outbound => ({ kind: 'text', text: t });
// 2026-11-24 10:00 in Shanghai.
const MORNING = new Date('2026-11-24T02:00:00Z');

/** A deterministic sequence in [0, 1) (LCG), so the drawn gaps are the same every run. */
function seeded(seed = 7): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

let platform: Platform;
let store: ReturnType<typeof memoryStore>;
let logs: ReturnType<typeof captureLogger>;

function queue(over: Partial<SendQueueOptions> = {}): SendQueue {
  return new SendQueue({ transport: platform, store, logger: logs.logger, platform: 'wechat', account: 'wx1', tz: 'Asia/Shanghai', random: seeded(), ...over });
}

beforeEach(() => {
  vi.useFakeTimers({ now: MORNING, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  platform = new Platform();
  store = memoryStore();
  logs = captureLogger();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SendQueue', () => {
  it('never sends a bulk push as a burst: 2–5 s between messages, 5–10 s when the chat changes', async () => {
    const q = queue();
    const all = Promise.all(['g1', 'g1', 'g1', 'g2', 'g2', 'g3'].map((g, i) => q.send(g, text(`第${i}条`))));
    await vi.advanceTimersByTimeAsync(120_000);
    expect((await all).map((r) => r.status)).toEqual(Array(6).fill('sent'));
    const gaps = platform.sent.slice(1).map((s, i) => ({ gap: s.at - platform.sent[i]!.at, switch: s.chatId !== platform.sent[i]!.chatId }));
    for (const g of gaps) {
      const [min, max] = g.switch ? [5_000, 10_000] : [2_000, 5_000];
      expect(g.gap).toBeGreaterThanOrEqual(min);
      expect(g.gap).toBeLessThanOrEqual(max);
    }
    expect(new Set(gaps.map((g) => g.gap)).size).toBeGreaterThan(1); // randomized, not a fixed beat
  });

  it('lets a reply to someone who just asked go before waiting pushes', async () => {
    const q = queue();
    const pushes = Array.from({ length: 5 }, (_, i) => q.send('g1', text(`推送${i}`)));
    const reply = q.send('g1', text('回复'), {
      replyTo: { platform: 'wechat', messageId: 'm1', time: new Date(), chat: { id: 'g1', type: 'group' }, sender: { id: 'f', name: '粉丝' }, text: '在吗', mentioned: true, self: false },
    });
    await vi.advanceTimersByTimeAsync(60_000);
    await Promise.all([...pushes, reply]);
    // The first push was already on its way; the reply goes right after it, before the other four.
    expect(platform.sent.map((s) => s.text)).toEqual(['推送0', '回复', '推送1', '推送2', '推送3', '推送4']);
  });

  it('drops pushes past the hourly cap per chat, but not replies, and keeps every status in the delivery log', async () => {
    const q = queue({ hourlyCapPerChat: 3 });
    const results = Promise.all(Array.from({ length: 5 }, (_, i) => q.send('g1', text(`推送${i}`))));
    await vi.advanceTimersByTimeAsync(60_000);
    const r = await results;
    expect(r.map((x) => [x.status, x.reason])).toEqual([
      ['sent', undefined],
      ['sent', undefined],
      ['sent', undefined],
      ['dropped', 'hourly cap reached'],
      ['dropped', 'hourly cap reached'],
    ]);
    expect(await store.tables.deliveries.get(r[4]!.id!)).toMatchObject({ platform: 'wechat', chat: 'g1', source: 'push', status: 'dropped', reason: 'hourly cap reached' });
    expect(await store.tables.deliveries.get(r[0]!.id!)).toMatchObject({ status: 'sent' });
    // The next hour the cap starts again.
    await vi.advanceTimersByTimeAsync(3_600_000);
    const later = q.send('g1', text('下个小时'));
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await later).status).toBe('sent');
  });

  it('counts a push against the hourly cap once, though it waited out an offline account and went again', async () => {
    const q = queue({ hourlyCapPerChat: 2 });
    let away = true;
    // The account logs out while the first push is on its way: it reached nothing and waits for the login.
    platform.next = () => (away ? (q.offline(), { status: 'failed', reason: 'logged out', notSent: true }) : { status: 'sent' });
    const first = q.send('g1', text('推送0'));
    await vi.advanceTimersByTimeAsync(10_000); // tried once: reached nothing, back at the head of the queue
    away = false;
    q.online();
    const second = q.send('g1', text('推送1'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect([(await first).status, (await second).status]).toEqual(['sent', 'sent']);
    expect(platform.sent.map((s) => s.text)).toEqual(['推送0', '推送1']);
  });

  it('holds pushes through quiet hours (23:00–08:00) but never a reply', async () => {
    vi.setSystemTime(new Date('2026-11-24T15:30:00Z')); // 23:30 in Shanghai
    const q = queue();
    const push = q.send('g1', text('明早的直播预告'));
    const reply = q.send('g1', text('这就回答你'), {
      replyTo: { platform: 'wechat', messageId: 'm2', time: new Date(), chat: { id: 'g1', type: 'group' }, sender: { id: 'f', name: '粉丝' }, text: '?', mentioned: true, self: false },
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect((await reply).status).toBe('sent');
    expect(platform.sent.map((s) => s.text)).toEqual(['这就回答你']);
    await vi.advanceTimersByTimeAsync(8 * 3_600_000); // 07:31: still quiet
    expect(platform.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect((await push).status).toBe('sent');
    const sentAt = new Date(platform.sent[1]!.at);
    expect(sentAt.getTime()).toBeGreaterThanOrEqual(new Date('2026-11-25T00:00:00Z').getTime()); // 08:00 local
  });

  it('sends a reply at once even while pushes wait out quiet hours, and an urgent alert too', async () => {
    vi.setSystemTime(new Date('2026-11-24T15:30:00Z')); // 23:30 in Shanghai
    const q = queue();
    const push = q.send('g1', text('明早的直播预告'));
    await vi.advanceTimersByTimeAsync(10_000); // the worker is now asleep in the quiet-hours wait
    const reply = q.send('g1', text('这就回答你'), {
      replyTo: { platform: 'wechat', messageId: 'm3', time: new Date(), chat: { id: 'g1', type: 'group' }, sender: { id: 'f', name: '粉丝' }, text: '?', mentioned: true, self: false },
    });
    const alert = q.send('ops', text('微信账号掉线了'), { urgent: true });
    await vi.advanceTimersByTimeAsync(15_000);
    expect((await reply).status).toBe('sent');
    expect((await alert).status).toBe('sent');
    expect(platform.sent.map((s) => s.text)).toEqual(['这就回答你', '微信账号掉线了']);
    void push;
  });

  it('drops pushes held by quiet hours when it drains, instead of waiting for morning', async () => {
    vi.setSystemTime(new Date('2026-11-24T15:30:00Z'));
    const q = queue();
    const push = q.send('g1', text('明早的直播预告'));
    await vi.advanceTimersByTimeAsync(1_000);
    const drained = q.drain();
    await vi.advanceTimersByTimeAsync(1_000);
    await drained;
    expect(await push).toMatchObject({ status: 'dropped', reason: 'shutting down during quiet hours' });
  });

  it('fails a send, not the process, when the store is down', async () => {
    const broken = { ...store, increment: async () => Promise.reject(new Error('store down')) };
    const q = queue({ store: broken });
    const results = Promise.all([q.send('g1', text('a')), q.send('g1', text('b'))]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect((await results).map((r) => [r.status, r.reason])).toEqual([
      ['failed', 'store down'],
      ['failed', 'store down'],
    ]);
  });

  it('reports a failed send with its reason and goes on with the next', async () => {
    const q = queue();
    platform.next = (chatId) => (chatId === 'bad' ? new Error('room not found') : { status: 'sent' });
    const results = Promise.all([q.send('bad', text('a')), q.send('g1', text('b'))]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect((await results).map((r) => [r.status, r.reason])).toEqual([
      ['failed', 'room not found'],
      ['sent', undefined],
    ]);
    expect(logs.lines().find((l) => l.status === 'failed')).toMatchObject({ account: 'wx1', chatId: 'bad', reason: 'room not found' });
  });

  it('stops sending for a cool-down when the platform says 发送消息过于频繁, and tells the operators once', async () => {
    const opened: string[] = [];
    const q = queue({ cooldownMs: 600_000, onCircuitOpen: (reason) => opened.push(reason) });
    let first = true;
    platform.next = () => (first ? ((first = false), { status: 'failed', reason: '发送消息过于频繁，可稍后再试' }) : { status: 'sent' });
    const results = Promise.all([q.send('g1', text('a')), q.send('g1', text('b'))]);
    await vi.advanceTimersByTimeAsync(300_000);
    expect(platform.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(320_000);
    expect((await results).map((r) => r.status)).toEqual(['failed', 'sent']);
    expect(platform.sent[0]!.at - MORNING.getTime()).toBeGreaterThanOrEqual(600_000);
    expect(opened).toEqual(['发送消息过于频繁，可稍后再试']);
  });

  it('drains what is queued, then drops anything new', async () => {
    const q = queue();
    const queued = [q.send('g1', text('a')), q.send('g2', text('b'))];
    const drained = q.drain();
    await vi.advanceTimersByTimeAsync(30_000);
    await drained;
    expect((await Promise.all(queued)).map((r) => r.status)).toEqual(['sent', 'sent']);
    const late = await q.send('g1', text('c'));
    expect(late).toMatchObject({ status: 'dropped', reason: 'shutting down' });
    expect(await store.tables.deliveries.get(late.id!)).toMatchObject({ status: 'dropped', reason: 'shutting down' });
    expect(q.pending).toBe(0);
  });

  it('never sends late: a push still queued at its deadline is expired and logged, not sent', async () => {
    const q = queue();
    const first = q.send('g1', text('第一条'));
    const stale = q.send('g1', text('开播提醒'), { source: 'live:1:reminder', id: 'live-1-r', deadline: MORNING.getTime() + 1_000 });
    await vi.advanceTimersByTimeAsync(30_000);
    expect((await first).status).toBe('sent');
    expect(await stale).toMatchObject({ status: 'expired', id: 'live-1-r' });
    expect(platform.sent.map((s) => s.text)).toEqual(['第一条']);
    expect(await store.tables.deliveries.get('live-1-r')).toMatchObject({ chat: 'g1', source: 'live:1:reminder', status: 'expired' });
  });

  it('asks right before the platform call whether an earlier attempt may have sent it, and then does not send', async () => {
    const q = queue();
    const asked: string[] = [];
    const doubtful = q.send('g1', text('可能已经发过'), { attempt: async () => (asked.push('a'), false) });
    const fresh = q.send('g1', text('第一次'), { attempt: async () => (asked.push('b'), true) });
    await vi.advanceTimersByTimeAsync(30_000);
    expect((await doubtful).status).toBe('uncertain');
    expect((await fresh).status).toBe('sent');
    expect(asked).toEqual(['a', 'b']);
    expect(platform.sent.map((s) => s.text)).toEqual(['第一次']);
  });

  it('never holds (nor drops at a night-time shutdown) a push the outbox has already held through quiet hours', async () => {
    vi.setSystemTime(new Date('2026-11-24T15:30:00Z')); // 23:30 in Shanghai
    const q = queue();
    const held = q.send('g1', text('普通推送'));
    const cleared = q.send('g1', text('发件箱放行的推送'), { pastQuietHours: true });
    await vi.advanceTimersByTimeAsync(15_000);
    expect((await cleared).status).toBe('sent');
    const drained = q.drain();
    await vi.advanceTimersByTimeAsync(15_000);
    await drained;
    expect(await held).toMatchObject({ status: 'dropped', reason: 'shutting down during quiet hours' });
    expect(platform.sent.map((s) => s.text)).toEqual(['发件箱放行的推送']);
  });

  it('says until when pushes are held, so an outbox can defer them instead of waiting', () => {
    expect(queue().quietUntil()).toBe(0);
    vi.setSystemTime(new Date('2026-11-24T15:30:00Z')); // 23:30 in Shanghai
    expect(queue().quietUntil()).toBe(Date.parse('2026-11-25T00:00:00Z'));
  });

  it('logs replies as replies, with the account and the platform\'s message id', async () => {
    platform.next = () => ({ status: 'sent', messageId: '777' });
    const q = queue({ accountId: () => 'wxid_bot' });
    const replyTo = { platform: 'wechat' as const, messageId: 'm9', time: new Date(), chat: { id: 'g1', type: 'group' as const }, sender: { id: 'f', name: '粉丝' }, text: '?', mentioned: true, self: false };
    const r = q.send('g1', text('答'), { replyTo });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await store.tables.deliveries.get((await r).id!)).toMatchObject({ platform: 'wechat', account: 'wxid_bot', source: 'reply', status: 'sent', messageId: '777' });
  });
});
