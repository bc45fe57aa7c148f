import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../../src/app/app.js';
import { startBot, type Bot } from '../../../src/app/bot.js';
import type { Outbound, SendResult, Transport } from '../../../src/bot/context.js';
import { SendQueue } from '../../../src/bot/send-queue.js';
import { localDayTime } from '../../../src/kernel/clock.js';
import { prompts, silentLogger, tempDir, testConfig, until } from '../../helpers.js';
import { fixtureDb } from '../metrics/fixture.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TZ = 'Asia/Shanghai';
const MIN = 60_000;

/** A WeChat account as the outbox sees it: what reached each room. */
class Rooms implements Transport {
  sent: { chat: string; content: Outbound }[] = [];
  /** Every account's sends in the order they happened, when several accounts send into the same rooms. */
  constructor(private readonly all?: { chat: string; content: Outbound }[]) {}
  async send(chat: string, content: Outbound): Promise<SendResult> {
    this.sent.push({ chat, content });
    this.all?.push({ chat, content });
    return { status: 'sent', messageId: String(this.sent.length) };
  }
  texts(chat?: string): string[] {
    return this.sent.filter((s) => !chat || s.chat === chat).map((s) => (s.content.kind === 'image' ? '[poster]' : s.content.text));
  }
}

let dir: { dir: string; cleanup: () => void };
const running: { close(): Promise<void> }[] = [];
beforeEach(() => {
  dir = tempDir('opsbot-live-');
  writeFileSync(
    join(dir.dir, 'shop.json'),
    JSON.stringify({
      people: { admins: ['telegram:1001'] },
      groups: [
        { platform: 'wechat', id: 'r1@chatroom', name: '粉丝1群', tags: ['fans'] },
        { platform: 'wechat', id: 'r2@chatroom', name: '粉丝2群', tags: ['fans'] },
      ],
    }),
  );
});
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.close().catch(() => {});
  dir.cleanup();
});

/** A clock a test moves by hand; the app's scheduler, outbox and lives all read it. */
const clockAt = (iso: string) => {
  const clock = { ms: Date.parse(iso), now: () => new Date(clock.ms) };
  return clock;
};

function app(env: Record<string, string>, clock?: { now: () => Date }): App {
  const a = new App({
    config: testConfig({ OPSBOT_DATA_DIR: dir.dir, OPSBOT_SHOP_FILE: join(dir.dir, 'shop.json'), OPSBOT_QUIET_HOURS: 'off', ...env }),
    prompts,
    logger: silentLogger,
    llm: null,
    ...(clock ? { clock } : {}),
    tuning: { pollMs: 30, reportBatchMs: 50 },
  });
  return a;
}

/** A bot process with a WeChat account whose rooms are fakes, behind a real paced queue (no waits) that logs each send. */
async function bot(a: App, account: string, all?: { chat: string; content: Outbound }[]): Promise<{ bot: Bot; rooms: Rooms }> {
  const b = await startBot(a, { platforms: [], http: false });
  running.push(b);
  const rooms = new Rooms(all);
  const queue = new SendQueue({ transport: rooms, store: await a.service('store'), logger: silentLogger, platform: 'wechat', account, tz: TZ, gap: [0, 0], chatSwitchGap: [0, 0], quietHours: { start: '00:00', end: '00:00' }, now: a.now });
  await b.attach('wechat', queue, account);
  return { bot: b, rooms };
}

const local = (ms: number) => {
  const { day, time } = localDayTime(new Date(ms), TZ);
  return `${day} ${time}`;
};

describe.each(['sqlite', 'redis'] as const)('lives pushed by two bot processes on one store (%s)', (backend) => {
  it('sends each message to each group once, the poster after the preannounce, logged as live:<id>:<kind>', async () => {
    const env: Record<string, string> = backend === 'redis' ? { REDIS_URL, OPSBOT_REDIS_NAMESPACE: `live-${process.pid}-${Date.now()}` } : {};
    const [a, b] = [app(env), app(env)];
    // Neither account is known to serve the rooms, so either may send any message: the order is the shared log's.
    const all: { chat: string; content: Outbound }[] = [];
    await bot(a, 'wx-a', all);
    await bot(b, 'wx-b', all);
    // Planned late on purpose: the preannounce (60 minutes before) goes at once.
    const { session } = await (await a.service('lives')).schedule({ title: '临时加播', start: local(Date.now() + 30 * MIN), offers: ['满99减10'], products: ['保温杯'] });
    const both = () => all;
    await until(() => both().length >= 4, 20_000);
    await new Promise((r) => setTimeout(r, 500));
    const byRoom = (chat: string) => both().filter((s) => s.chat === chat).map((s) => (s.content.kind === 'image' ? '[poster]' : s.content.text.split('\n')[0]));
    expect(byRoom('r1@chatroom')).toEqual(['📢 直播预告｜临时加播', '[poster]']);
    expect(byRoom('r2@chatroom')).toEqual(['📢 直播预告｜临时加播', '[poster]']);
    const log = await (await a.service('deliveries')).list({ source: `live:${session.id}:` });
    expect(log.map((d) => [d.source, d.chat, d.status]).sort()).toEqual([
      [`live:${session.id}:preannounce`, 'r1@chatroom', 'sent'],
      [`live:${session.id}:preannounce`, 'r1@chatroom', 'sent'],
      [`live:${session.id}:preannounce`, 'r2@chatroom', 'sent'],
      [`live:${session.id}:preannounce`, 'r2@chatroom', 'sent'],
    ]);
  }, 60_000);
});

describe('a live\'s messages on the clock (SQLite)', () => {
  it('goes out at each message\'s time, once; a restart catches up what is under 10 minutes late, skips and reports the rest', async () => {
    const clock = clockAt('2026-12-01T10:00:00+08:00');
    const planner = app({ OPSBOT_ADMINS: 'telegram:1001' }, clock);
    running.push(planner);
    const { session } = await (await planner.service('lives')).schedule({ title: '双12宠粉专场', start: '2026-12-01 20:00', reminders: '60m,10m', offers: ['满199减30'] });
    // The bot was down at 19:00 and comes back at 19:05: the preannounce is 5 minutes late, it goes.
    clock.ms = Date.parse('2026-12-01T19:05:00+08:00');
    const first = await bot(app({}, clock), 'wx');
    await until(() => first.rooms.texts('r1@chatroom').length >= 2);
    expect(first.rooms.texts('r1@chatroom')[0]).toContain('今天 20:00');
    await first.bot.close();
    // Down again through 19:50, back at 20:05: the reminder is past its deadline (the start), the
    // on-air message is 5 minutes late: it goes.
    clock.ms = Date.parse('2026-12-01T20:05:00+08:00');
    const second = app({ OPSBOT_ADMINS: 'telegram:1001' }, clock);
    const again = await bot(second, 'wx');
    const operators = new Rooms();
    await again.bot.attach('telegram', operators, 'tg');
    await until(() => again.rooms.texts('r1@chatroom').some((t) => t.startsWith('🔴')));
    const scheduler = await second.service('scheduler');
    const jobs = (await scheduler.list()).filter((j) => j.id.includes(session.id));
    const state = (key: string, chat = 'r1@chatroom') => jobs.find((j) => j.id === `live:${session.id}:r1:${key}:wechat:${chat}`)?.state;
    expect([state('preannounce'), state('reminder:10m'), state('onair'), state('recap')]).toEqual(['done', 'skipped', 'done', 'pending']);
    expect(again.rooms.texts('r1@chatroom')).toHaveLength(1);
    // The operators hear of the skipped reminders in one summary (through the outbox, to Telegram).
    const report = await until(() => operators.texts('1001')[0]);
    expect(report).toContain(`live:${session.id}:r1:reminder:10m:wechat:r1@chatroom`);
    expect(operators.texts('1001')).toHaveLength(1);
  });

  it('never sends a cancelled live, nor a rescheduled live at its old times', async () => {
    const clock = clockAt('2026-12-01T10:00:00+08:00');
    const a = app({}, clock);
    const { rooms } = await bot(a, 'wx');
    const lives = await a.service('lives');
    const moved = await lives.schedule({ title: '改期场', start: '2026-12-01 20:00' });
    const dropped = await lives.schedule({ title: '取消场', start: '2026-12-01 20:00' });
    const { session: next } = await lives.reschedule(moved.session.id, '2026-12-02 20:00');
    expect(next.revision).toBe(2);
    await lives.cancel(dropped.session.id);
    clock.ms = Date.parse('2026-12-01T20:01:00+08:00');
    const scheduler = await a.service('scheduler');
    await until(async () => (await scheduler.list()).filter((j) => j.state === 'pending').length === 8);
    await new Promise((r) => setTimeout(r, 300));
    expect(rooms.sent).toEqual([]);
    const old = (await scheduler.list()).filter((j) => j.id.includes(':r1:'));
    expect(new Set(old.map((j) => j.state))).toEqual(new Set(['cancelled']));
    clock.ms = Date.parse('2026-12-02T19:00:30+08:00');
    await until(() => rooms.texts('r1@chatroom').length >= 2);
    expect(rooms.texts('r1@chatroom')[0]).toContain('改期场');
    expect(rooms.texts('r1@chatroom')[0]).toContain('今天 20:00');
    expect(rooms.texts().some((t) => t.includes('取消场'))).toBe(false);
  });

  it('recaps with what sold on the day, where the shop\'s metrics have it', async () => {
    fixtureDb(join(dir.dir, 'metrics.sqlite')).close();
    const clock = clockAt('2026-11-24T10:00:00+08:00');
    const a = app({}, clock);
    const { rooms } = await bot(a, 'wx');
    await (await a.service('lives')).schedule({ title: '保暖专场', start: '2026-11-24 20:00', products: ['保温杯', '羽绒服'], offers: ['满199减30'] });
    clock.ms = Date.parse('2026-11-24T22:31:00+08:00');
    const recap = await until(() => rooms.texts('r1@chatroom').find((t) => t.startsWith('🙏')));
    expect(recap).toContain('直播当天卖出：保温杯 12 件；羽绒服 1 件');
    expect(recap).toContain('满199减30');
  });
});
