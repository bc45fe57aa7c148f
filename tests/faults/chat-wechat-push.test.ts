import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WechatAdapter } from '../../src/bot/adapters/wechat.js';
import { openOutbox } from '../../src/bot/outbox/index.js';
import type { Outbox, OutboxEntry, PushResult } from '../../src/bot/outbox/types.js';
import { openStore, type Store } from '../../src/bot/store/index.js';
import { RoleDirectory } from '../../src/bot/roles.js';
import { Reporter } from '../../src/bot/reports.js';
import { Router } from '../../src/bot/router.js';
import { SendQueue } from '../../src/bot/send-queue.js';
import { Reason, reasonInWords } from '../../src/bot/deliveries/reasons.js';
import { memoryStore, prompts, silentLogger, tempDir, until } from '../helpers.js';

const data = tempDir('opsbot-faults-wechat-');
const mocker = new mock.Mocker();
const puppet = new PuppetMock({ mocker });
const send = puppet.messageSendText.bind(puppet);
let adapter: WechatAdapter;
let store: Store;
let outbox: Outbox;
let botUser: mock.ContactMock;
let fan: mock.ContactMock;
const alerts: string[] = [];
/** What each room received from the bot, as the rooms saw it. */
const received = new Map<string, string[]>();
/** The operators' digests of what did not go out. */
const reports: string[] = [];
const reporter = new Reporter({ prompts, logger: silentLogger, send: async (text) => void reports.push(text), batchMs: 60_000 });

beforeAll(async () => {
  store = await openStore({ dataDir: data.dir });
  outbox = await openOutbox({ store, logger: silentLogger, now: Date.now, owner: 'wechat-faults', pollMs: 50, reporter });
  const router = new Router({ store, prompts, logger: silentLogger, roles: new RoleDirectory({ admins: [], agents: [] }) }).start();
  adapter = new WechatAdapter({
    router,
    store,
    logger: silentLogger,
    tz: 'Asia/Shanghai',
    dataDir: data.dir,
    puppet,
    pacing: { gap: [10, 10], chatSwitchGap: [10, 10], quietHours: { start: '00:00', end: '00:00' }, cooldownMs: 300 },
    onAlert: (what, detail) => alerts.push(`${what}:${detail}`),
  });
  adapter.bot.on('message', (msg) => {
    const room = msg.room();
    if (room && msg.self()) received.set(room.id, [...(received.get(room.id) ?? []), msg.text()]);
  });
  await adapter.start();
  botUser = mocker.createContact({ name: '店小二' });
  fan = mocker.createContact({ name: '小王' });
  mocker.login(botUser);
  await until(() => adapter.account);
  await outbox.serve('wechat', botUser.id, adapter);
});

afterAll(async () => {
  puppet.messageSendText = send;
  await outbox?.close();
  await adapter?.stop();
  await store?.close();
  data.cleanup();
});

/** Pushes one reminder to each of `n` new rooms through the outbox and waits for every outcome. */
async function pushToRooms(n: number, tag: string): Promise<{ rooms: string[]; results: (PushResult | undefined)[]; text: string }> {
  const rooms = Array.from({ length: n }, (_, i) => mocker.createRoom({ topic: `${tag}群${i + 1}`, memberIdList: [botUser.id, fan.id] }).id);
  const text = `直播提醒（${tag}）：今晚8点开播`;
  const entries: OutboxEntry[] = [];
  for (const chat of rooms) {
    const { entry } = await outbox.push({ platform: 'wechat', account: botUser.id, chat, content: { kind: 'text', text }, source: `live:${tag}:reminder`, dedupeKey: `${tag}:${chat}` });
    entries.push(entry);
  }
  const results = await Promise.all(entries.map((e) => outbox.result(e, 20_000)));
  return { rooms, results, text };
}

const statuses = async (source: string) => (await store.tables.deliveries.list({ source, limit: 1000 })).map((d) => d.status).sort();

describe('a reminder push to several WeChat groups while the account drops', () => {
  it('logged out and back in mid-push: every group gets it once, none twice', async () => {
    let sends = 0;
    puppet.messageSendText = async (...args: Parameters<typeof send>) => {
      const r = await send(...args);
      // The login drops right after the second group's message; it is back a moment later.
      if (++sends === 2) {
        await puppet.logout();
        setTimeout(() => mocker.login(botUser), 300);
      }
      return r;
    };
    try {
      const { rooms, results, text } = await pushToRooms(6, 'drop');
      expect(results.map((r) => r?.status)).toEqual(Array(6).fill('sent'));
      for (const room of rooms) expect(received.get(room)).toEqual([text]);
      expect(await statuses('live:drop')).toEqual(Array(6).fill('sent'));
      expect(alerts.some((a) => a.startsWith('logged-out'))).toBe(true);
    } finally {
      puppet.messageSendText = send;
    }
  });

  it('"发送消息过于频繁" mid-push: the account pauses, the operators are told, what was refused is reported, nothing goes twice', async () => {
    await until(() => adapter.account);
    let sends = 0;
    puppet.messageSendText = async (...args: Parameters<typeof send>) => {
      if (++sends === 3) throw new Error('发送消息过于频繁，可稍后再试');
      return send(...args);
    };
    const alerted = alerts.length;
    try {
      const { rooms, results, text } = await pushToRooms(5, 'busy');
      const byRoom = rooms.map((r, i) => ({ got: received.get(r) ?? [], status: results[i]?.status }));
      // The third group's send was refused by WeChat: it is not in that group, and it is said so.
      expect(byRoom.map((r) => r.got.length)).toEqual([1, 1, 0, 1, 1]);
      expect(byRoom.every((r) => r.got.every((t) => t === text))).toBe(true);
      expect(byRoom.map((r) => r.status)).toEqual(['sent', 'sent', 'failed', 'sent', 'sent']);
      const log = await store.tables.deliveries.list({ source: 'live:busy', limit: 100 });
      expect(log.find((d) => d.chat === rooms[2])).toMatchObject({ status: 'failed', reason: '发送消息过于频繁，可稍后再试' });
      expect(alerts.slice(alerted)).toEqual(['rate-limited:发送消息过于频繁，可稍后再试']);
      // Paused: the next group's message went out no sooner than the cooldown after the refusal.
      const at = (chat: string) => Date.parse(log.find((d) => d.chat === chat)!.at);
      expect(at(rooms[3]!) - at(rooms[2]!)).toBeGreaterThanOrEqual(300);
      // The operators' digest names the group that did not get it, and why.
      await reporter.flush();
      expect(reports).toHaveLength(1);
      expect(reports[0]).toContain(prompts.render('report/kind-send-failed'));
      expect(reports[0]).toContain(rooms[2]);
      expect(reports[0]).toContain('发送消息过于频繁');
      // Four groups, one message each: no resend after the pause.
      expect(sends).toBe(5);
    } finally {
      puppet.messageSendText = send;
    }
  });
});

describe('a push to a group the account is not in', () => {
  it('fails once, in Chinese words for whoever reads it, and is in the operators\' digest', async () => {
    await until(() => adapter.account);
    const before = reports.length;
    const { entry } = await outbox.push({ platform: 'wechat', account: botUser.id, chat: 'gone@chatroom', content: { kind: 'text', text: '提醒' }, source: 'live:gone:reminder', dedupeKey: 'gone' });
    const result = await outbox.result(entry, 10_000);
    expect(result?.status).toBe('failed');
    expect(reasonInWords(result!.reason!, prompts)).toBe(prompts.render('delivery/reason-no-such-chat'));
    await reporter.flush();
    expect(reports.slice(before).join('')).toContain(prompts.render('delivery/reason-no-such-chat'));
  });
});

describe('the paced queue while its account is logged out', () => {
  it('holds sends until the account is back, and drops them (saying why) if the bot stops first', async () => {
    const sent: string[] = [];
    const store = memoryStore();
    const queue = new SendQueue({
      transport: { send: async (chat) => (sent.push(chat), { status: 'sent' }) },
      store,
      logger: silentLogger,
      platform: 'wechat',
      account: 'wechat',
      tz: 'Asia/Shanghai',
      gap: [0, 0],
      chatSwitchGap: [0, 0],
      quietHours: { start: '00:00', end: '00:00' },
    });
    queue.offline();
    const first = queue.send('r1@chatroom', { kind: 'text', text: '提醒' });
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toEqual([]);
    queue.online();
    expect(await first).toMatchObject({ status: 'sent' });
    queue.offline();
    const second = queue.send('r2@chatroom', { kind: 'text', text: '提醒' });
    await queue.drain();
    expect(await second).toMatchObject({ status: 'dropped', reason: Reason.OFFLINE_SHUTDOWN });
    expect(sent).toEqual(['r1@chatroom']);
    expect((await store.tables.deliveries.list()).map((d) => d.status).sort()).toEqual(['dropped', 'sent']);
  });
});
