import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src/bot/store/index.js';
import type { IncomingMessage, Outbound, SendOptions, SendResult, Transport } from '../../../src/bot/context.js';
import { openOutbox } from '../../../src/bot/outbox/index.js';
import { SqliteScheduler } from '../../../src/bot/scheduler/sqlite.js';
import type { ActionContext } from '../../../src/bot/skill.js';
import { Transports } from '../../../src/bot/transports.js';
import { EscalationDesk, REMINDER_JOB } from '../../../src/skills/cs-scripts/escalations/desk.js';
import { handleEscalationPress } from '../../../src/skills/cs-scripts/escalations/buttons.js';
import { editMiddleware } from '../../../src/skills/cs-scripts/escalations/edit-middleware.js';
import { captureLogger, prompts, silentLogger, tempDir } from '../../helpers.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

class FakePlatform implements Transport {
  sent: { chatId: string; content: Outbound; replyTo?: string; urgent?: boolean }[] = [];
  edits: { chatId: string; messageId: string; text: string }[] = [];
  fail?: string;
  /** Answers as a send whose process died mid-way would end: it may have gone out. */
  uncertain = false;
  private seq = 0;
  async send(chatId: string, content: Outbound, options: SendOptions = {}): Promise<SendResult> {
    if (this.fail) return { status: 'failed', reason: this.fail };
    if (this.uncertain) return { status: 'uncertain', reason: 'its process stopped during the send' };
    this.sent.push({ chatId, content, ...(options.replyTo ? { replyTo: options.replyTo.messageId } : {}), ...(options.urgent ? { urgent: true } : {}) });
    return { status: 'sent', messageId: String(++this.seq) };
  }
  async edit(chatId: string, messageId: string, content: Outbound): Promise<SendResult> {
    this.edits.push({ chatId, messageId, text: content.kind === 'image' ? '' : content.text });
    return { status: 'sent', messageId };
  }
  texts(chatId: string): string[] {
    return this.sent.filter((s) => s.chatId === chatId).map((s) => (s.content.kind === 'image' ? '' : s.content.text));
  }
}

const fanMessage: IncomingMessage = {
  platform: 'wechat',
  messageId: 'wx-1',
  time: new Date('2026-11-24T10:00:00+08:00'),
  chat: { id: 'room-1@chatroom', type: 'group', title: '粉丝1群' },
  sender: { id: 'wxid_fan', name: '小王' },
  text: '衣服起球了，我要差评',
  mentioned: true,
  self: false,
};
const suggestions = [
  { text: '非常抱歉！麻烦拍照发我看看。', source: 'scripts/complaint/sorry-brief' },
  { text: '实在对不起，确认后为您退换。', source: 'scripts/complaint/fix-remedy' },
];

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A process of the bot: its own outbox (serving Telegram and WeChat), scheduler and desk, on a shared store and clock. */
async function setup(options: { agents?: string[]; store?: Store; clock?: { now: number } } = {}) {
  let store = options.store;
  if (!store) {
    const dir = tempDir();
    store = await openStore({ dataDir: dir.dir });
    cleanups.push(dir.cleanup, () => store!.close());
  }
  const clock = options.clock ?? { now: Date.parse('2026-11-24T02:00:00Z') };
  const now = () => clock.now;
  const telegram = new FakePlatform();
  const wechat = new FakePlatform();
  const transports = new Transports();
  transports.set('telegram', telegram);
  transports.set('wechat', wechat);
  const logs = captureLogger();
  const outbox = await openOutbox({ store, logger: silentLogger, now, owner: `proc-${Math.random().toString(36).slice(2)}`, pollMs: 20 });
  cleanups.push(() => outbox.close());
  await outbox.serve('telegram', 'bot', telegram);
  await outbox.serve('wechat', 'wx', wechat);
  const scheduler = store.tables.kind === 'sqlite' ? new SqliteScheduler({ store, prompts, logger: silentLogger, tz: 'Asia/Shanghai', now }) : undefined;
  const desk = new EscalationDesk({
    store,
    outbox,
    scheduler: scheduler ?? ({ schedule: async () => ({}), cancel: async () => false } as never),
    prompts,
    logger: logs.logger,
    transports,
    tz: 'Asia/Shanghai',
    agents: () => options.agents ?? ['telegram:3003'],
    now,
  });
  scheduler?.handle(REMINDER_JOB, (job) => desk.remind(job.payload as { id: string; round: number }));
  return { desk, store, clock, telegram, wechat, logs, scheduler: scheduler! };
}

/** What the router does with a press of the buttons under an escalation. */
const pressOn = (desk: EscalationDesk, ctx: ActionContext) => handleEscalationPress(desk, ctx, prompts);

function press(desk: EscalationDesk, data: string, who = { id: '3003', name: '客服小美' }): { ctx: ActionContext; toasts: string[]; replies: string[] } {
  const toasts: string[] = [];
  const replies: string[] = [];
  const ctx: ActionContext = {
    platform: 'telegram',
    id: `cb-${Math.random()}`,
    chat: { id: who.id, type: 'private' },
    sender: who,
    data,
    messageId: '1',
    role: 'agent',
    logger: silentLogger,
    answer: async (text) => void (text && toasts.push(text)),
    reply: async (content) => {
      replies.push(typeof content === 'string' ? content : content.kind === 'image' ? '' : content.text);
      return { status: 'sent' };
    },
  };
  return { ctx, toasts, replies };
}

describe('escalations', () => {
  it('tells every agent, urgently (not held by quiet hours), with a header and each suggestion under 发送/修改/忽略', async () => {
    const { desk, telegram } = await setup({ agents: ['telegram:3003', 'telegram:3004', 'local:no-transport-here'] });
    const e = await desk.open(fanMessage, 'complaint', suggestions);
    for (const agent of ['3003', '3004']) {
      const own = telegram.sent.filter((s) => s.chatId === agent);
      expect(own).toHaveLength(3);
      expect(own.every((s) => s.urgent)).toBe(true);
      expect(own[0]!.content).toMatchObject({ kind: 'text' });
      const header = own[0]!.content as { text: string };
      expect(header.text).toContain('粉丝1群');
      expect(header.text).toContain('小王');
      expect(header.text).toContain('衣服起球了');
      expect(header.text).toContain('10:00');
      const buttons = (own[1]!.content as unknown as { buttons: { text: string; data: string }[][] }).buttons;
      expect(buttons[0]!.map((b) => b.text)).toEqual(['发送', '修改', '忽略']);
      expect(buttons[0]!.map((b) => b.data)).toEqual([`esc:${e.id}:s:0`, `esc:${e.id}:e:0`, `esc:${e.id}:i`]);
      expect(Buffer.byteLength(buttons[0]![0]!.data)).toBeLessThanOrEqual(64);
    }
    expect((await desk.get(e.id))!.notices).toHaveLength(6);
  });

  it('posts the chosen reply to the fan as an answer to their message, once, even when two agents press', async () => {
    const { desk, wechat, telegram } = await setup({ agents: ['telegram:3003', 'telegram:3004'] });
    const e = await desk.open(fanMessage, 'complaint', suggestions);
    const first = press(desk, `esc:${e.id}:s:1`);
    const second = press(desk, `esc:${e.id}:s:0`, { id: '3004', name: '客服小刘' });
    await Promise.all([pressOn(desk, first.ctx), pressOn(desk, second.ctx)]);
    await desk.settled();
    expect(wechat.sent).toHaveLength(1);
    expect(wechat.sent[0]).toMatchObject({ chatId: 'room-1@chatroom', replyTo: 'wx-1', content: { kind: 'text' } });
    const outcome = await desk.outcome(e.id);
    expect(outcome?.status).toBe('sent');
    const loser = outcome!.by.id === '3003' ? second : first;
    expect(loser.toasts.join()).toMatch(/处理过了|正在发送/);
    // A press after it was done names who did it, and when.
    const late = press(desk, `esc:${e.id}:s:0`, { id: '3005', name: '客服小周' });
    await pressOn(desk, late.ctx);
    expect(late.toasts.join()).toContain(`${outcome!.by.name} 于`);
    // Every copy updated: the status line, no buttons.
    expect(telegram.edits).toHaveLength(6);
    expect(telegram.edits.every((ed) => ed.text.includes('已发送'))).toBe(true);
  });

  it.each([
    ['SQLite', (dir: string) => openStore({ dataDir: dir })],
    ['Redis', (dir: string) => openStore({ dataDir: dir, redisUrl: REDIS_URL, namespace: `esc-test-${process.pid}-${Math.random().toString(36).slice(2)}` })],
  ])('frees the escalation when the send fails, so the agent can retry; nothing is lost (%s)', async (_kind, open) => {
    const dir = tempDir();
    const store = await open(dir.dir);
    try {
      await failThenRetry(store);
    } finally {
      await store.close();
      dir.cleanup();
    }
  });

  async function failThenRetry(store: Store): Promise<void> {
    const { desk, wechat } = await setup({ store });
    const e = await desk.open(fanMessage, 'complaint', suggestions);
    wechat.fail = 'WeChat logged out';
    const attempt = press(desk, `esc:${e.id}:s:0`);
    await pressOn(desk, attempt.ctx);
    expect(attempt.toasts[0]).toContain('正在发到「粉丝1群」');
    await desk.settled();
    expect(attempt.replies[0]).toContain('WeChat logged out');
    expect(await desk.outcome(e.id)).toBeUndefined();
    wechat.fail = undefined;
    const retry = press(desk, `esc:${e.id}:s:0`);
    await pressOn(desk, retry.ctx);
    await desk.settled();
    expect(wechat.sent).toHaveLength(1);
    expect((await desk.outcome(e.id))?.status).toBe('sent');
  }

  it('keeps the escalation taken when the reply may have gone out, so nobody sends it twice, and tells the agent', async () => {
    const { desk, wechat } = await setup({ agents: ['telegram:3003', 'telegram:3004'] });
    const e = await desk.open(fanMessage, 'complaint', suggestions);
    wechat.uncertain = true;
    const attempt = press(desk, `esc:${e.id}:s:0`);
    await pressOn(desk, attempt.ctx);
    await desk.settled();
    expect(attempt.replies[0]).toBe(prompts.render('cs/esc-send-uncertain', { fan: '小王', group: '粉丝1群' }));
    wechat.uncertain = false;
    const again = press(desk, `esc:${e.id}:s:1`, { id: '3004', name: '客服小刘' });
    await pressOn(desk, again.ctx);
    await desk.settled();
    expect(again.toasts).toEqual([prompts.render('cs/esc-in-progress')]);
    expect(wechat.sent).toHaveLength(0);
    expect(await desk.outcome(e.id)).toBeUndefined();
  });

  it('sends an unanswered escalation again after 10 minutes, once per round across two processes, at most 3 times', async () => {
    const first = await setup();
    const clock = first.clock;
    const second = await setup({ store: first.store, clock });
    const e = await first.desk.open(fanMessage, 'complaint', suggestions);
    clock.now += 9 * 60_000;
    expect(await first.scheduler.tick()).toBe(0);
    clock.now += 60_000;
    const [ra, rb] = await Promise.all([first.scheduler.tick(), second.scheduler.tick()]);
    expect(ra + rb).toBe(1);
    const resent = [...first.telegram.texts('3003'), ...second.telegram.texts('3003')].filter((t) => t.includes('再提醒一次'));
    expect(resent).toHaveLength(1);
    expect(resent[0]).toContain('10 分钟没人处理');
    for (let i = 0; i < 5; i++) {
      clock.now += 10 * 60_000;
      await first.scheduler.tick();
    }
    expect((await first.desk.get(e.id))!.reminders).toBe(3);
    expect((await first.scheduler.list()).map((j) => [j.id.replace(e.id, 'E'), j.state])).toEqual([
      ['esc:E:remind:1', 'done'],
      ['esc:E:remind:2', 'done'],
      ['esc:E:remind:3', 'done'],
    ]);
  });

  it('does not remind once handled, and records who ignored it and when', async () => {
    const { desk, wechat, telegram, clock, scheduler } = await setup();
    const e = await desk.open(fanMessage, 'complaint', suggestions);
    await pressOn(desk, press(desk, `esc:${e.id}:i`).ctx);
    expect(await desk.outcome(e.id)).toEqual({ status: 'ignored', by: { platform: 'telegram', id: '3003', name: '客服小美' }, at: '2026-11-24T02:00:00.000Z' });
    const told = telegram.sent.length;
    // The reminder is cancelled with the outcome; had it run anyway, it would have found the outcome.
    expect(await scheduler.get(`esc:${e.id}:remind:1`)).toMatchObject({ state: 'cancelled' });
    clock.now += 11 * 60_000;
    expect(await scheduler.tick()).toBe(0);
    expect(await desk.remind({ id: e.id, round: 1 })).toEqual({ note: 'handled' });
    expect(telegram.sent).toHaveLength(told);
    expect(wechat.sent).toHaveLength(0);
  });

  it('says so in the log when no agent can be told', async () => {
    const { desk, logs } = await setup({ agents: [] });
    await desk.open(fanMessage, 'complaint', suggestions);
    expect(logs.lines().some((l) => l.level === 50 && String(l.msg).includes('OPSBOT_AGENTS'))).toBe(true);
  });

  it('answers a press on an expired or unknown escalation politely', async () => {
    const { desk } = await setup();
    const p = press(desk, 'esc:nope:s:0');
    await pressOn(desk, p.ctx);
    expect(p.toasts).toEqual([prompts.render('cs/esc-gone')]);
  });
});

describe('修改: the agent\'s next private message is the edited reply', () => {
  function agentSays(text: string, role: 'agent' | 'fan' = 'agent') {
    const replies: string[] = [];
    const ctx = {
      platform: 'telegram' as const,
      messageId: `m-${Math.random()}`,
      time: new Date(),
      chat: { id: '3003', type: 'private' as const },
      sender: { id: '3003', name: '客服小美' },
      text,
      mentioned: false,
      self: false,
      role,
      logger: silentLogger,
      reply: async (content: Outbound | string) => {
        replies.push(typeof content === 'string' ? content : content.kind === 'image' ? '' : content.text);
        return { status: 'sent' as const };
      },
      send: async () => ({ status: 'sent' as const }),
    };
    return { ctx, replies };
  }

  it('asks for the text, takes 取消, and lets other messages through', async () => {
    const { desk, wechat } = await setup();
    const e = await desk.open(fanMessage, 'complaint', suggestions);
    const edit = press(desk, `esc:${e.id}:e:1`);
    await pressOn(desk, edit.ctx);
    expect(edit.replies[0]).toContain(suggestions[1]!.text);
    expect(edit.replies[0]).toContain('小王');
    const mw = editMiddleware(desk, prompts);
    let passed = 0;
    const next = async () => void passed++;
    const cancel = agentSays('取消');
    await mw(cancel.ctx, next);
    expect(cancel.replies).toEqual([prompts.render('cs/esc-edit-cancelled')]);
    const later = agentSays('这条不是修改');
    await mw(later.ctx, next);
    expect(passed).toBe(1);
    // While an edit is pending, a forwarded customer message still asks for suggestions.
    await pressOn(desk, press(desk, `esc:${e.id}:e:0`).ctx);
    const forwarded = agentSays('能便宜点吗');
    await mw({ ...forwarded.ctx, forwarded: true }, next);
    expect(passed).toBe(2);
    expect(wechat.sent).toHaveLength(0);
    expect(await desk.outcome(e.id)).toBeUndefined();
  });

  it('keeps waiting for the text when the send fails, and sends it on the second try', async () => {
    const { desk, wechat } = await setup();
    const e = await desk.open(fanMessage, 'complaint', suggestions);
    await pressOn(desk, press(desk, `esc:${e.id}:e:0`).ctx);
    const mw = editMiddleware(desk, prompts);
    wechat.fail = 'no such chat';
    const first = agentSays('亲，给您补发一件～');
    await mw(first.ctx, async () => {});
    await desk.settled();
    // The agent is told why, in words (the runtime's own reasons are said in Chinese).
    expect(first.replies[0]).toContain(prompts.render('delivery/reason-no-such-chat'));
    wechat.fail = undefined;
    const second = agentSays('亲，给您补发一件～');
    await mw(second.ctx, async () => {});
    await desk.settled();
    expect(wechat.sent.map((s) => (s.content as { text: string }).text)).toEqual(['亲，给您补发一件～']);
    expect(await desk.outcome(e.id)).toMatchObject({ status: 'sent', text: '亲，给您补发一件～', by: { id: '3003' } });
  });
});
