import { statSync } from 'node:fs';
import { join } from 'node:path';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WechatAdapter } from '../../src/bot/adapters/wechat.js';
import { createMembershipHandler } from '../../src/bot/membership.js';
import { openOutbox } from '../../src/bot/outbox/index.js';
import type { Outbox } from '../../src/bot/outbox/types.js';
import { openStore, type Store } from '../../src/bot/store/index.js';
import { GroupRegistry } from '../../src/bot/groups.js';
import { RoleDirectory } from '../../src/bot/roles.js';
import { Router } from '../../src/bot/router.js';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.js';
import { createPlaybookQaSkill } from '../../src/skills/playbook-qa/index.js';
import { captureLogger, prompts, silentLogger, tempDir, testConfig } from '../helpers.js';

const data = tempDir('opsbot-wechat-');
const mocker = new mock.Mocker();
const puppet = new PuppetMock({ mocker });
let adapter: WechatAdapter;
let logs: ReturnType<typeof captureLogger>;
const alerts: string[] = [];
const sent: { room: string; text: string; self: boolean }[] = [];
let botUser: mock.ContactMock;
let fan: mock.ContactMock;
let fan2: mock.ContactMock;
let room: mock.RoomMock;
let registry: GroupRegistry;
let store: Store;
let outbox: Outbox;

async function settle(ms = 400): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

beforeAll(async () => {
  const knowledge = new KnowledgeBase({ config: testConfig({ OPSBOT_DATA_DIR: data.dir }), logger: silentLogger, prompts });
  await knowledge.build();
  logs = captureLogger();
  store = await openStore({ dataDir: data.dir });
  outbox = await openOutbox({ store, logger: silentLogger, now: Date.now, owner: 'wechat-test', pollMs: 50 });
  registry = new GroupRegistry(store);
  const router = new Router({ store, prompts, logger: logs.logger, roles: new RoleDirectory({ admins: [], agents: [] }) })
    .register(createPlaybookQaSkill({ knowledge, fallback: ['admin', 'agent', 'fan'] }))
    .start();
  adapter = new WechatAdapter({
    router,
    store,
    logger: logs.logger,
    tz: 'Asia/Shanghai',
    dataDir: data.dir,
    puppet,
    pacing: { gap: [0, 0], chatSwitchGap: [0, 0], quietHours: { start: '00:00', end: '00:00' }, cooldownMs: 200 },
    onAlert: (what, detail) => alerts.push(`${what}:${detail}`),
    onMembership: createMembershipHandler({ groups: registry, outbox, prompts, logger: logs.logger }),
  });
  adapter.bot.on('message', async (msg) => {
    const r = msg.room();
    if (r) sent.push({ room: r.id, text: msg.text(), self: msg.self() });
  });
  await adapter.start();
  botUser = mocker.createContact({ name: '店小二' });
  mocker.login(botUser);
  await outbox.serve('wechat', botUser.id, adapter);
  fan = mocker.createContact({ name: '小王' });
  fan2 = mocker.createContact({ name: '小李' });
  room = mocker.createRoom({ topic: '粉丝1群', memberIdList: [botUser.id, fan.id, fan2.id] });
  await settle();
});

afterAll(async () => {
  await outbox?.close();
  await adapter?.stop();
  await store?.close();
  data.cleanup();
});

const botReplies = () => sent.filter((s) => s.self);

describe('WeChat through wechaty, with wechaty-puppet-mock', () => {
  it('answers a fan who @-mentions the bot in a room, mentioning the fan back', async () => {
    fan.say('@店小二\u2005福袋谁能发？', [botUser]).to(room);
    await settle(800);
    const [reply] = botReplies();
    expect(reply?.text).toContain('福袋');
    // The mock does not fill the outgoing mention list; room.say(text, contact) shows as "@name text".
    expect(reply?.text).toMatch(/^@小王\s/);
  });

  it('leaves chit-chat alone and never answers its own messages', async () => {
    const before = botReplies().length;
    fan2.say('今天的直播好好看').to(room);
    fan.say('是啊，主播好可爱').to(room);
    // From the bot's own account (a person using the shop's phone), even addressed to the bot: never answered.
    botUser.say('@店小二\u2005福袋谁能发？', [botUser]).to(room);
    await settle(800);
    expect(botReplies().length).toBe(before + 1); // only the message the bot's own account sent itself
    expect(botReplies().at(-1)!.text).toBe('@店小二\u2005福袋谁能发？');
  });

  it('answers a private question', async () => {
    const privateReplies: string[] = [];
    const listener = (msg: { self(): boolean; room(): unknown; text(): string }) => {
      if (msg.self() && !msg.room()) privateReplies.push(msg.text());
    };
    adapter.bot.on('message', listener as never);
    fan2.say('直播预告应该提前多久发？').to(botUser);
    await settle(800);
    adapter.bot.off('message', listener as never);
    expect(privateReplies.join('')).toContain('前一小时');
  });

  it('welcomes someone who joins a fan group, mentioning them, and registers a room the bot is added to', async () => {
    const before = botReplies().length;
    const newcomer = mocker.createContact({ name: '小张' });
    room.add(newcomer).by(fan);
    await settle(800);
    const welcome = botReplies().slice(before);
    expect(welcome).toHaveLength(1);
    expect(welcome[0]!.text).toMatch(/^@小张\s/);
    expect(welcome[0]!.text).toContain(prompts.render('welcome/fan-group', { group: '粉丝1群' }).slice(0, 6));
    const other = mocker.createRoom({ topic: 'VIP群', memberIdList: [fan.id, fan2.id] });
    other.add(botUser).by(fan);
    await settle(600);
    expect((await registry.list()).map((g) => g.name)).toContain('VIP群');
  });

  it('keeps the session file owner-only', () => {
    expect(statSync(join(data.dir, 'wechaty')).mode & 0o077).toBe(0);
  });

  it('survives a logout and answers again after logging back in', async () => {
    await puppet.logout();
    await settle();
    expect(alerts.some((a) => a.startsWith('logged-out'))).toBe(true);
    mocker.login(botUser);
    await settle();
    const before = botReplies().length;
    fan.say('@店小二\u2005私域流量是什么', [botUser]).to(room);
    await settle(800);
    expect(botReplies().length).toBe(before + 1);
  });

  it('stops sending and alerts the operators on 发送消息过于频繁, and says why each send failed', async () => {
    const original = puppet.messageSendText.bind(puppet);
    let failures = 1;
    puppet.messageSendText = async (...args: Parameters<typeof original>) => {
      if (failures-- > 0) throw new Error('发送消息过于频繁，可稍后再试');
      return original(...args);
    };
    const before = botReplies().length;
    fan.say('@店小二\u2005复盘怎么做', [botUser]).to(room);
    await settle(800);
    puppet.messageSendText = original;
    expect(alerts).toContain('rate-limited:发送消息过于频繁，可稍后再试');
    expect(logs.lines().find((l) => l.msg === 'send' && l.status === 'failed')).toMatchObject({ account: 'wechat', reason: '发送消息过于频繁，可稍后再试' });
    expect(botReplies().length).toBe(before);
  });
});
