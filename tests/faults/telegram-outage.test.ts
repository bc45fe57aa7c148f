import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelegramAdapter } from '../../src/bot/adapters/telegram.js';
import { RoleDirectory } from '../../src/bot/roles.js';
import { Router } from '../../src/bot/router.js';
import type { Skill } from '../../src/bot/skill.js';
import { captureLogger, memoryStore, prompts } from '../helpers.js';
import { FakeBotApi, unauthorized } from './telegram-api.js';

const TOKEN = '7012345678:AAHk3xQ9zLmNoPqRsTuVwXyZ0123456789';
const OPERATOR = 1001;

let api: FakeBotApi;
let adapter: TelegramAdapter;
const logs = captureLogger();
const store = memoryStore();
/** Every effect of a command: what the operator asked, once per handling. */
const handled: string[] = [];

const note: Skill = {
  name: 'note',
  commands: [{ name: 'note', description: 'cmd/ask' }],
  roles: ['admin'],
  async handle(ctx, input) {
    handled.push(input.args);
    await ctx.reply(`已记下：${input.args}`);
  },
};

/** Waits for `probe` (an event seen through the fake API or the adapter), never a fixed sleep. */
async function until(probe: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  api = new FakeBotApi(TOKEN);
  await api.start();
  const router = new Router({ store, prompts, logger: logs.logger, roles: new RoleDirectory({ admins: [`telegram:${OPERATOR}`], agents: [] }) }).register(note).start();
  adapter = new TelegramAdapter({
    token: TOKEN,
    apiRoot: api.apiRoot,
    router,
    store,
    logger: logs.logger,
    prompts,
    tz: 'Asia/Shanghai',
    // The 5 s retry shortened: an outage of many retries takes a fraction of a second.
    retryMs: 50,
    pacing: { gap: [0, 0], chatSwitchGap: [0, 0], quietHours: { start: '00:00', end: '00:00' } },
  });
  await adapter.start();
});
afterAll(async () => {
  await adapter.stop();
  await api.stop();
});

describe('the Bot API away for a while (the server stopped), then back', () => {
  it('polling resumes by itself; what the operators sent meanwhile is answered, each once', async () => {
    api.text(OPERATOR, OPERATOR, '/note 开播前检查库存');
    await until(() => api.sent(OPERATOR).length === 1, 'the first answer');
    expect(adapter.status).toBe('polling');

    await api.stop();
    await until(() => adapter.status === 'unreachable', 'the outage to be seen');
    // Telegram keeps what is sent to the bot while the bot cannot reach it.
    api.text(OPERATOR, OPERATOR, '/note 福袋 8 点发');
    api.text(-500, OPERATOR, '/note 群里补发预告');
    const failedPolls = api.count('getUpdates');
    await until(() => logs.lines().filter((l) => l.msg === 'telegram: the Bot API cannot be reached; trying again').length === 1, 'the outage logged');
    await api.start();
    await until(() => api.sent(OPERATOR).length === 2 && api.sent(-500).length === 1, 'the answers after the outage');
    expect(api.count('getUpdates')).toBeGreaterThan(failedPolls);
    expect(adapter.status).toBe('polling');
    // The next poll's offset confirms what was handled: nothing is left for Telegram to hand out again.
    api.text(OPERATOR, OPERATOR, '/note 收尾');
    await until(() => api.sent(OPERATOR).length === 3, 'the last answer');
    await until(() => api.pending === 0, 'the confirmation');

    expect(handled).toEqual(['开播前检查库存', '福袋 8 点发', '群里补发预告', '收尾']);
    expect(api.sent(OPERATOR)).toEqual(['已记下：开播前检查库存', '已记下：福袋 8 点发', '已记下：收尾']);
    expect(api.sent(-500)).toEqual(['已记下：群里补发预告']);
    // Said once when it went away and once when it came back, not once per retry.
    const said = logs.lines().map((l) => String(l.msg));
    expect(said.filter((m) => m === 'telegram: the Bot API cannot be reached; trying again')).toHaveLength(1);
    expect(said.filter((m) => m === 'telegram: the Bot API answers again')).toHaveLength(1);
  });

  it('an update_id delivered again (a lost confirmation, a replayed webhook) has one effect', async () => {
    const before = handled.length;
    const id = api.text(OPERATOR, OPERATOR, '/note 只记一次');
    await until(() => handled.length === before + 1, 'the first delivery');
    api.text(OPERATOR, OPERATOR, '/note 只记一次', id);
    // The duplicate is taken (a later update behind it is answered), and ignored.
    api.text(OPERATOR, OPERATOR, '/note 下一条');
    await until(() => handled.length === before + 2, 'the update after the duplicate');
    expect(handled.slice(before)).toEqual(['只记一次', '下一条']);
    expect(api.sent(OPERATOR).filter((t) => t === '已记下：只记一次')).toHaveLength(1);
    // In webhook mode too.
    expect(adapter.webhookUpdate('s', 's', { update_id: id, message: { message_id: 1, date: 0, chat: { id: OPERATOR, type: 'private', first_name: 'x' }, from: { id: OPERATOR, is_bot: false, first_name: 'x' }, text: '/note 只记一次' } })).toBe(200);
    api.text(OPERATOR, OPERATOR, '/note 最后');
    await until(() => handled.length === before + 3, 'the last update');
    expect(handled.slice(before)).toEqual(['只记一次', '下一条', '最后']);
  });
});

describe('the token revoked while polling (401)', () => {
  it('stops Telegram in this process at once, says so once, and polls no more', async () => {
    const own = new FakeBotApi(TOKEN);
    await own.start();
    const ownLogs = captureLogger();
    const statuses: string[] = [];
    const router = new Router({ store: memoryStore(), prompts, logger: ownLogs.logger, roles: new RoleDirectory({ admins: [], agents: [] }) }).start();
    const a = new TelegramAdapter({ token: TOKEN, apiRoot: own.apiRoot, router, store: memoryStore(), logger: ownLogs.logger, prompts, tz: 'Asia/Shanghai', retryMs: 50, onStatus: (s) => statuses.push(s) });
    try {
      await a.start();
      expect(a.status).toBe('polling');
      own.force = () => unauthorized;
      await until(() => a.status === 'unauthorized', 'the refusal to be seen');
      const polls = own.count('getUpdates');
      // Nothing more is asked of Telegram (a few retry intervals later): a revoked token does not heal.
      own.force = () => undefined;
      own.text(1, 1, 'hello');
      await until(() => own.pending === 1 && ownLogs.lines().some((l) => l.msg === 'telegram: the bot token was refused; Telegram is off in this process'), 'the log line');
      await a.stop();
      expect(own.count('getUpdates')).toBe(polls);
      expect(statuses).toEqual(['unauthorized']);
      expect(a.down).toBe(true);
    } finally {
      await a.stop();
      await own.stop();
    }
  });
});

describe('a push while the Bot API is away', () => {
  it('waits for it to come back (the call never reached Telegram) and goes out once', async () => {
    await api.stop();
    // Once the outage is seen (the connections to the old server are gone), a call is refused outright.
    await until(() => adapter.status === 'unreachable', 'the outage to be seen');
    const pending = adapter.send('-300', { kind: 'text', text: '开播提醒' }, { source: 'live:L9:reminder', deadline: Date.now() + 60_000 });
    await until(() => logs.lines().some((l) => l.msg === 'telegram: the Bot API cannot be reached; a send waits for it'), 'the send to wait');
    await api.start();
    expect(await pending).toMatchObject({ status: 'sent' });
    expect(api.sent(-300)).toEqual(['开播提醒']);
    const logged = await store.tables.deliveries.list({ source: 'live:L9:reminder' });
    expect(logged.map((d) => d.status)).toEqual(['sent']);
  });

  it('is stale once its deadline is near: not sent, expired with the reason', async () => {
    await until(() => adapter.status === 'polling', 'polling again');
    await api.stop();
    await until(() => adapter.status === 'unreachable', 'the outage to be seen');
    const before = api.count('sendMessage');
    const result = await adapter.send('-301', { kind: 'text', text: '5 分钟后开播' }, { source: 'live:L10:reminder', deadline: Date.now() + 300 });
    await api.start();
    expect(result).toMatchObject({ status: 'expired', reason: expect.stringMatching(/^past its deadline/) });
    expect(api.count('sendMessage')).toBe(before);
    expect((await store.tables.deliveries.list({ source: 'live:L10:reminder' })).map((d) => d.status)).toEqual(['expired']);
  });
});

describe('stopping while a send waits for the Bot API', () => {
  it('ends the wait: the send is dropped (shutting down), not failed later or sent after the stop', async () => {
    const own = new FakeBotApi(TOKEN);
    await own.start();
    const ownLogs = captureLogger();
    const ownStore = memoryStore();
    const router = new Router({ store: ownStore, prompts, logger: ownLogs.logger, roles: new RoleDirectory({ admins: [], agents: [] }) }).start();
    const a = new TelegramAdapter({ token: TOKEN, apiRoot: own.apiRoot, router, store: ownStore, logger: ownLogs.logger, prompts, tz: 'Asia/Shanghai', retryMs: 50, pacing: { gap: [0, 0], chatSwitchGap: [0, 0], quietHours: { start: '00:00', end: '00:00' } } });
    await a.start();
    await own.stop();
    // Once the outage is seen (the connections to the old server are gone), a call is refused outright.
    await until(() => a.status === 'unreachable', 'the outage to be seen');
    const pending = a.send('-9', { kind: 'text', text: '收尾通知' }, { source: 'live:L11:closing', deadline: Date.now() + 60_000 });
    await until(() => ownLogs.lines().some((l) => l.msg === 'telegram: the Bot API cannot be reached; a send waits for it'), 'the send to wait');
    await a.stop();
    expect(await pending).toMatchObject({ status: 'dropped', reason: 'shutting down' });
    expect((await ownStore.tables.deliveries.list({ source: 'live:L11:closing' })).map((d) => d.status)).toEqual(['dropped']);
    await own.start();
    expect(own.count('sendMessage')).toBe(0);
    await own.stop();
  });
});
