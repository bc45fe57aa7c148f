import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelegramAdapter, splitForTelegram } from '../../src/bot/adapters/telegram.js';
import { createMembershipHandler } from '../../src/bot/membership.js';
import { openOutbox } from '../../src/bot/outbox/index.js';
import type { Outbox } from '../../src/bot/outbox/types.js';
import { openStore, type Store } from '../../src/bot/store/index.js';
import { GroupRegistry } from '../../src/bot/groups.js';
import { RoleDirectory } from '../../src/bot/roles.js';
import { Router } from '../../src/bot/router.js';
import type { Skill } from '../../src/bot/skill.js';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.js';
import { createPlaybookQaSkill } from '../../src/skills/playbook-qa/index.js';
import { captureLogger, freePort, memoryStore, prompts, silentLogger, tempDir, testConfig } from '../helpers.js';

const TOKEN = '123456:TEST-token-for-the-emulator-only';
const ADMIN = 1001;
const FAN = 2002;


const kpi: Skill = {
  name: 'kpi',
  commands: [{ name: 'kpi', description: 'cmd/ask' }],
  roles: ['admin'],
  async handle(ctx) {
    await ctx.reply('昨天转化率 3.45%');
  },
};

let server: TelegramServer;
let adapter: TelegramAdapter;
let logs: ReturnType<typeof captureLogger>;
let registry: GroupRegistry;
let store: Store;
let outbox: Outbox;
const data = tempDir();

/** Waits until the bot has sent `count` messages to `chatId`, reading the emulator's storage. */
async function botMessages(chatId: number, count: number, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const texts = server.storage.botMessages.filter((m) => String(m.message.chat_id) === String(chatId)).map((m) => String(m.message.text));
    if (texts.length >= count || Date.now() > deadline) return texts;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const port = await freePort();
  server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 120 });
  await server.start();
  const knowledge = new KnowledgeBase({ config: testConfig({ OPSBOT_DATA_DIR: data.dir }), logger: silentLogger, prompts });
  await knowledge.build();
  logs = captureLogger();
  store = await openStore({ dataDir: data.dir });
  outbox = await openOutbox({ store, logger: silentLogger, now: Date.now, owner: 'telegram-test', pollMs: 50 });
  registry = new GroupRegistry(store);
  const router = new Router({ store, prompts, logger: logs.logger, roles: new RoleDirectory({ admins: [`telegram:${ADMIN}`], agents: [] }) })
    .register(createPlaybookQaSkill({ knowledge, fallback: ['admin', 'agent', 'fan'] }))
    .register(kpi)
    .start();
  adapter = new TelegramAdapter({
    token: TOKEN,
    apiRoot: server.config.apiURL,
    router,
    store,
    logger: logs.logger,
    prompts,
    tz: 'Asia/Shanghai',
    pacing: { gap: [0, 0], chatSwitchGap: [0, 0], quietHours: { start: '00:00', end: '00:00' } },
    onMembership: createMembershipHandler({ groups: registry, outbox, prompts, logger: logs.logger }),
  });
  await adapter.start();
  await outbox.serve('telegram', adapter.account, adapter);
});

afterAll(async () => {
  await outbox?.close();
  await adapter?.stop();
  await store?.close();
  await server?.stop();
  data.cleanup();
});

describe('Telegram through grammY, against telegram-test-api on 127.0.0.1', () => {
  it('answers /ask with the playbook, and logs (not crashes) the unsupported setMyCommands', async () => {
    const client = server.getClient(TOKEN, { userId: FAN, chatId: FAN, type: 'private', firstName: '小王' });
    await client.sendCommand(client.makeCommand('/ask 直播预告应该提前多久发'));
    const [answer] = await botMessages(FAN, 1);
    expect(answer).toContain('前一小时');
    expect(answer).toContain('《电商运营与直播带货流程》');
    expect(logs.lines().some((l) => String(l.msg).startsWith('telegram: setMyCommands failed'))).toBe(true);
  });

  it('answers a plain question in a private chat', async () => {
    const client = server.getClient(TOKEN, { userId: FAN + 1, chatId: FAN + 1, type: 'private' });
    await client.sendMessage(client.makeMessage('福袋谁能发？'));
    expect((await botMessages(FAN + 1, 1))[0]).toContain('福袋');
  });

  it('in a group, ignores chit-chat and answers a command', async () => {
    const GROUP = -5001;
    const client = server.getClient(TOKEN, { userId: FAN, chatId: GROUP, type: 'group', chatTitle: '粉丝1群' });
    await client.sendMessage(client.makeMessage('今天的直播太好看了'));
    await client.sendCommand(client.makeCommand('/ask 福袋谁能发'));
    const texts = await botMessages(GROUP, 1);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('福袋');
  });

  it('refuses an operator command from a fan, and answers the operator', async () => {
    const fan = server.getClient(TOKEN, { userId: FAN + 2, chatId: FAN + 2, type: 'private' });
    await fan.sendCommand(fan.makeCommand('/kpi 昨天转化率'));
    expect(await botMessages(FAN + 2, 1)).toEqual([prompts.render('bot/not-allowed')]);
    const admin = server.getClient(TOKEN, { userId: ADMIN, chatId: ADMIN, type: 'private' });
    await admin.sendCommand(admin.makeCommand('/kpi 昨天转化率'));
    expect(await botMessages(ADMIN, 1)).toEqual(['昨天转化率 3.45%']);
    expect(logs.lines().find((l) => l.msg === 'refused: role not allowed')).toMatchObject({ userId: String(FAN + 2), platform: 'telegram' });
  });

  it('gives one answer for an update delivered twice (webhook retries), by update_id alone', async () => {
    const CHAT = 7007;
    const update = (messageId: number) => ({
      update_id: 990001,
      message: { message_id: messageId, date: Math.floor(Date.now() / 1000), chat: { id: CHAT, type: 'private' as const, first_name: '小李' }, from: { id: CHAT, is_bot: false, first_name: '小李' }, text: '福袋谁能发？' },
    });
    await adapter.bot.handleUpdate(update(1));
    await adapter.bot.handleUpdate(update(2)); // same update id: must not reach the router's message-id dedupe
    await new Promise((r) => setTimeout(r, 300));
    expect(await botMessages(CHAT, 1)).toHaveLength(1);
  });
});

describe('mentions and commands in Telegram groups', () => {
  const groupUpdate = (id: number, chatId: number, text: string) => ({
    update_id: id,
    message: { message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'supergroup' as const, title: '粉丝3群' }, from: { id: 4242, is_bot: false, first_name: '小钱' }, text },
  });

  it('takes @BotName in any letter case as a mention, and strips it', async () => {
    const GROUP = -7007;
    const name = adapter.bot.botInfo.username;
    const shouted = name.charAt(0) === name.charAt(0).toUpperCase() ? name.toLowerCase() : name.toUpperCase();
    await adapter.bot.handleUpdate(groupUpdate(770001, GROUP, `@${shouted} 福袋谁能发？`));
    expect((await botMessages(GROUP, 1))[0]).toContain('福袋');
  });

  it('leaves /ask@other_bot to the other bot', async () => {
    const GROUP = -7008;
    await adapter.bot.handleUpdate(groupUpdate(770002, GROUP, '/ask@some_other_bot 福袋谁能发'));
    await adapter.bot.handleUpdate(groupUpdate(770003, GROUP, `/ask@${adapter.bot.botInfo.username} 福袋谁能发`));
    const texts = await botMessages(GROUP, 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(texts).toHaveLength(1);
  });
});

describe('group membership on Telegram', () => {
  it('registers a group the bot is added to, and welcomes a newcomer by name', async () => {
    const GROUP = -6006;
    const chat = { id: GROUP, type: 'supergroup' as const, title: '粉丝2群' };
    const date = Math.floor(Date.now() / 1000);
    await adapter.bot.handleUpdate({
      update_id: 880001,
      my_chat_member: {
        chat,
        from: { id: ADMIN, is_bot: false, first_name: '运营' },
        date,
        old_chat_member: { status: 'left', user: { id: 1, is_bot: true, first_name: 'bot' } },
        new_chat_member: { status: 'member', user: { id: 1, is_bot: true, first_name: 'bot' } },
      },
    });
    expect((await registry.get('telegram', String(GROUP)))?.name).toBe('粉丝2群');
    await adapter.bot.handleUpdate({
      update_id: 880002,
      message: { message_id: 5, date, chat, from: { id: 8008, is_bot: false, first_name: '小周' }, new_chat_members: [{ id: 8008, is_bot: false, first_name: '小周' }] },
    });
    const [welcome] = await botMessages(GROUP, 1);
    // A real mention (it notifies them), not just the name as text.
    expect(welcome).toMatch(/^<a href="tg:\/\/user\?id=8008">小周<\/a> /);
    expect(welcome).toContain('粉丝2群');
    const sent = server.storage.botMessages.find((m) => String(m.message.chat_id) === String(GROUP))!;
    expect((sent.message as { parse_mode?: string }).parse_mode).toBe('HTML');
  });
});

describe('sending on Telegram', () => {
  it('still delivers the words when a photo cannot be sent (the emulator refuses sendPhoto)', async () => {
    const CHAT = 9009;
    const result = await adapter.send(String(CHAT), { kind: 'image', data: Buffer.from([0x89, 0x50, 0x4e, 0x47]), mime: 'image/png', caption: '上周各渠道销售额' });
    expect(result.status).toBe('sent');
    expect(await botMessages(CHAT, 1)).toEqual(['上周各渠道销售额']);
    expect(logs.lines().some((l) => String(l.msg).startsWith('telegram: sendPhoto failed'))).toBe(true);
  });
});

describe('Telegram 429s, from a Bot API server of the test\'s own', () => {
  let fake: Server;
  let port: number;
  let sendCalls = 0;
  let retryAfter = 1;
  beforeAll(async () => {
    fake = createHttpServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.endsWith('/getMe')) {
        res.end(JSON.stringify({ ok: true, result: { id: 1, is_bot: true, first_name: 'opsbot', username: 'opsbot_test_bot' } }));
      } else if (req.url?.endsWith('/sendMessage')) {
        sendCalls++;
        if (sendCalls === 1) {
          res.end(JSON.stringify({ ok: false, error_code: 429, description: 'Too Many Requests', parameters: { retry_after: retryAfter } }));
        } else res.end(JSON.stringify({ ok: true, result: { message_id: sendCalls, date: 0, chat: { id: 1, type: 'private' }, text: 'x' } }));
      } else res.end(JSON.stringify({ ok: true, result: true }));
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
    port = (fake.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => fake.close(() => r())));

  const adapterFor = () =>
    new TelegramAdapter({
      token: TOKEN,
      apiRoot: `http://127.0.0.1:${port}`,
      router: new Router({ store: memoryStore(), prompts, logger: silentLogger, roles: new RoleDirectory({ admins: [], agents: [] }) }).start(),
      store: memoryStore(),
      logger: silentLogger,
      prompts,
      tz: 'Asia/Shanghai',
      pacing: { gap: [0, 0], chatSwitchGap: [0, 0], quietHours: { start: '00:00', end: '00:00' } },
    });

  it('waits the retry_after Telegram asks for, then sends', async () => {
    sendCalls = 0;
    retryAfter = 1;
    const a = adapterFor();
    await a.bot.init();
    const started = Date.now();
    expect((await a.send('1', { kind: 'text', text: '直播 8 点开始' })).status).toBe('sent');
    expect(sendCalls).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // it did honour retry_after
  });

  it('gives up at once, as failed, when Telegram asks for a wait beyond the bound', async () => {
    sendCalls = 0;
    retryAfter = 3_600;
    const a = adapterFor();
    await a.bot.init();
    const result = await a.send('1', { kind: 'text', text: '直播 8 点开始' });
    expect(result.status).toBe('failed');
    expect(result.reason).toContain('429');
    expect(sendCalls).toBe(1);
  });
});

describe('splitForTelegram', () => {
  it('keeps every piece within 4,096 characters, cutting at line ends where it can', () => {
    const text = Array.from({ length: 300 }, (_, i) => `第${i}行：直播预告要提前一小时发布。`).join('\n');
    const pieces = splitForTelegram(text);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(4096);
    expect(pieces.join('\n')).toBe(text);
  });
});

describe('a second process polling the same token', () => {
  let fake: Server;
  afterAll(() => new Promise<void>((r) => fake.close(() => r())));

  it('is reported once as a 409 conflict, without crashing or retrying', async () => {
    let polls = 0;
    fake = createHttpServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.endsWith('/getMe')) {
        res.end(JSON.stringify({ ok: true, result: { id: 1, is_bot: true, first_name: 'opsbot', username: 'opsbot_test_bot' } }));
      } else if (req.url?.endsWith('/getUpdates')) {
        polls++;
        res.end(JSON.stringify({ ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request' }));
      } else res.end(JSON.stringify({ ok: true, result: true }));
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
    const own = captureLogger();
    const second = new TelegramAdapter({
      token: TOKEN,
      apiRoot: `http://127.0.0.1:${(fake.address() as AddressInfo).port}`,
      router: new Router({ store: memoryStore(), prompts, logger: own.logger, roles: new RoleDirectory({ admins: [], agents: [] }) }).start(),
      store: memoryStore(),
      logger: own.logger,
      prompts,
      tz: 'Asia/Shanghai',
    });
    await second.start();
    await new Promise((r) => setTimeout(r, 1_000));
    const conflicts = own.lines().filter((l) => String(l.msg).includes('409 Conflict'));
    expect(conflicts).toHaveLength(1);
    expect(polls).toBe(1);
    await second.stop();
  });
});

describe('command menus', () => {
  it('sets the fans\' menu for everyone, and each staff member\'s own menu in their private chat', async () => {
    const router = new Router({ store: memoryStore(), prompts, logger: silentLogger, roles: new RoleDirectory({ admins: [`telegram:${ADMIN}`], agents: [] }) })
      .register(createPlaybookQaSkill({ knowledge: new KnowledgeBase({ config: testConfig({ OPSBOT_DATA_DIR: data.dir }), logger: silentLogger, prompts }) }))
      .register(kpi)
      .start();
    const menus = new TelegramAdapter({
      token: TOKEN,
      apiRoot: server.config.apiURL,
      router,
      store: memoryStore(),
      logger: silentLogger,
      prompts,
      tz: 'Asia/Shanghai',
      staff: [{ id: String(ADMIN), role: 'admin' }, { id: 'not-a-number', role: 'agent' }],
    });
    // The emulator has no setMyCommands: record the calls instead of sending them.
    const calls: { commands: { command: string }[]; scope?: unknown }[] = [];
    menus.bot.api.config.use(async (prev, method, payload, signal) => {
      if (method !== 'setMyCommands') return prev(method, payload, signal);
      calls.push(payload as never);
      return { ok: true, result: true } as never;
    });
    await menus.start({ webhook: true });
    expect(calls).toHaveLength(2);
    expect(calls[0]!.scope).toBeUndefined();
    expect(calls[0]!.commands.map((c) => c.command)).toEqual(['help', 'ask']);
    expect(calls[1]!.scope).toEqual({ type: 'chat', chat_id: ADMIN });
    expect(calls[1]!.commands.map((c) => c.command)).toEqual(['help', 'ask', 'kpi']);
    await menus.stop();
  });
});
