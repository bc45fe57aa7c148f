import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app/app.js';
import type { Bot } from '../../../src/app/bot.js';
import type { EscalationOutcome } from '../../../src/skills/cs-scripts/escalations/model.js';
import { KnowledgeBase } from '../../../src/knowledge/knowledge-base.js';
import { freePort, prompts, silentLogger, tempDir, testBot, testConfig, until } from '../../helpers.js';

const TOKEN = '123456:TEST-token-for-the-emulator-only';
const AGENT = 3003;
const OTHER_AGENT = 3004;
const data = tempDir('opsbot-escalation-');
const mocker = new mock.Mocker();
const puppet = new PuppetMock({ mocker });
const instant = { gap: [0, 0] as const, chatSwitchGap: [0, 0] as const, quietHours: { start: '00:00', end: '00:00' } };

let server: TelegramServer;
let app: App;
let bot: Bot;
let botUser: mock.ContactMock;
let room: mock.RoomMock;
const roomMessages: { text: string; self: boolean }[] = [];

interface BotMessage {
  messageId: number;
  message: { chat_id: string | number; text: string; reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] } };
}

const agentMessages = (chatId = AGENT) => (server.storage.botMessages as BotMessage[]).filter((m) => String(m.message.chat_id) === String(chatId));

/** The escalation the agent was sent last: its header and suggestion messages, with their buttons. */
async function escalationFor(fanMessage: string, chatId = AGENT): Promise<{ id: string; header: BotMessage; suggestions: BotMessage[] }> {
  const header = await until(() => agentMessages(chatId).find((m) => m.message.text.includes(fanMessage)));
  const after = () => agentMessages(chatId).filter((m) => m.messageId > header.messageId && m.message.reply_markup);
  const suggestions = await until(() => (after().length >= 2 ? after() : undefined));
  const id = suggestions[0]!.message.reply_markup!.inline_keyboard[0]![0]!.callback_data.split(':')[1]!;
  return { id, header, suggestions: suggestions.filter((s) => s.message.reply_markup!.inline_keyboard[0]![0]!.callback_data.includes(id)) };
}

/** An escalation's outcome, once one is recorded. */
async function settledOutcome(id: string): Promise<EscalationOutcome | undefined> {
  const deadline = Date.now() + 10_000;
  const escalations = await app.service('escalations');
  for (;;) {
    const outcome = await escalations.outcome(id);
    if (outcome || Date.now() > deadline) return outcome;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The callback data of the button `label` under a message, read now (an edit removes the buttons). */
const buttonData = (m: BotMessage, label: string) => m.message.reply_markup!.inline_keyboard[0]!.find((b) => b.text === label)!.callback_data;

async function press(button: BotMessage | { data: string; messageId: number }, label: string, userId = AGENT): Promise<void> {
  const client = server.getClient(TOKEN, { userId, chatId: userId, type: 'private', firstName: userId === AGENT ? '客服小美' : '客服小刘' });
  const data = 'data' in button ? button.data : buttonData(button, label);
  await client.sendCallback(client.makeCallbackQuery(data, { message: { message_id: button.messageId } }));
}

beforeAll(async () => {
  const port = await freePort();
  server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 120 });
  await server.start();
  const env = {
    OPSBOT_DATA_DIR: data.dir,
    OPSBOT_AGENTS: `telegram:${AGENT},telegram:${OTHER_AGENT}`,
    OPSBOT_SHOP_FILE: `${data.dir}/none.json`,
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: server.config.apiURL,
    WECHATY_PUPPET: 'wechaty-puppet-mock',
  };
  const knowledge = new KnowledgeBase({ config: testConfig(env), logger: silentLogger, prompts });
  await knowledge.build();
  // Telegram and WeChat in one process, wired by the app as `opsbot start` does.
  ({ app, bot } = await testBot(env, { knowledge, start: { platforms: ['telegram', 'wechat'], telegram: { pacing: instant }, wechat: { puppet, pacing: instant } } }));
  bot.wechat!.bot.on('message', (msg) => {
    if (msg.room()) roomMessages.push({ text: msg.text(), self: msg.self() });
  });
  botUser = mocker.createContact({ name: '店小二' });
  mocker.login(botUser);
  await new Promise((r) => setTimeout(r, 300));
}, 60_000);

afterAll(async () => {
  await bot?.close();
  await server?.stop();
  data.cleanup();
});

const welcome = prompts.render('welcome/fan-group', { group: '粉丝1群' });
/** What the bot said in the room, but the welcomes to newcomers (pushes of their own, through the outbox). */
const botSaid = () => roomMessages.filter((m) => m.self && !m.text.includes(welcome)).map((m) => m.text);

describe('a fan\'s complaint in a WeChat group reaches an agent in Telegram, who answers it from there', () => {
  it('answers a shipping question at once with the shop\'s script, mentioning the fan', async () => {
    const fan = mocker.createContact({ name: '小赵' });
    room = mocker.createRoom({ topic: '粉丝1群', memberIdList: [botUser.id, fan.id] });
    fan.say('@店小二\u2005今天下单什么时候发货', [botUser]).to(room);
    const reply = await until(() => botSaid().find((t) => t.startsWith('@小赵')));
    expect(reply).toContain('16:00前付款');
  });

  it('发送: the fan is told a person will follow up; the agent\'s approved reply appears in the room, mentioning the fan', async () => {
    const fan = mocker.createContact({ name: '小王' });
    room.add(fan).by(botUser);
    const before = botSaid().length;
    fan.say('@店小二\u2005衣服质量太差了，刚穿一次就起球，我要给差评', [botUser]).to(room);
    const notice = await until(() => botSaid().slice(before).find((t) => t.startsWith('@小王')));
    expect(notice).toContain(prompts.render('cs/fan-escalated'));
    // The newcomer was welcomed, mentioned, through the outbox.
    await until(() => roomMessages.find((m) => m.self && m.text.startsWith('@小王') && m.text.includes(welcome)));

    const esc = await escalationFor('刚穿一次就起球');
    expect(esc.header.message.text).toContain('粉丝1群');
    expect(esc.header.message.text).toContain('小王');
    expect(esc.header.message.text).toContain('投诉/不满');
    expect(esc.suggestions.length).toBeGreaterThanOrEqual(2);
    for (const s of esc.suggestions) expect(s.message.reply_markup!.inline_keyboard[0]!.map((b) => b.text)).toEqual(['发送', '修改', '忽略']);
    // The other agent got the same escalation.
    const other = await escalationFor('刚穿一次就起球', OTHER_AGENT);
    const stale = { data: buttonData(other.suggestions[1]!, '发送'), messageId: other.suggestions[1]!.messageId };

    const chosen = esc.suggestions[0]!.message.text.replace(/^建议 1：/, '');
    await press(esc.suggestions[0]!, '发送');
    const posted = await until(() => botSaid().find((t) => t.startsWith('@小王') && t.includes(chosen)));
    expect(posted).toBe(`@小王 ${chosen}`);
    // The outcome is recorded once the send has succeeded, a moment after the room shows it.
    const done = await settledOutcome(esc.id);
    expect(done).toMatchObject({ status: 'sent', by: { platform: 'telegram', id: String(AGENT), name: '客服小美' }, text: chosen });
    expect(Date.parse(done!.at)).not.toBeNaN();
    // Every agent's copy now says who sent it; the buttons are gone.
    await until(() => agentMessages(OTHER_AGENT).some((m) => m.message.text.includes('客服小美') && m.message.text.includes('已发送')));
    const header = agentMessages().find((m) => m.messageId === esc.header.messageId)!;
    expect(header.message.text).toContain('已发送');

    // The other agent had pressed 发送 on an old copy, late: nothing more reaches the fan.
    const count = botSaid().length;
    await press(stale, '发送', OTHER_AGENT);
    await new Promise((r) => setTimeout(r, 500));
    expect(botSaid().length).toBe(count);
  });

  it('修改: the agent\'s edited text is what the fan gets', async () => {
    const fan = mocker.createContact({ name: '小李' });
    room.add(fan).by(botUser);
    fan.say('@店小二\u2005收到的杯子是碎的，怎么办', [botUser]).to(room);
    const esc = await escalationFor('杯子是碎的');
    await press(esc.suggestions[1]!, '修改');
    const prompt = await until(() => agentMessages().find((m) => m.message.text.includes('修改后的回复')));
    expect(prompt.message.text).toContain('小李');
    const client = server.getClient(TOKEN, { userId: AGENT, chatId: AGENT, type: 'private', firstName: '客服小美' });
    await client.sendMessage(client.makeMessage('亲，实在抱歉！马上给您补发一个新的杯子，今天就安排发出～'));
    const posted = await until(() => botSaid().find((t) => t.startsWith('@小李') && t.includes('补发')));
    expect(posted).toBe('@小李 亲，实在抱歉！马上给您补发一个新的杯子，今天就安排发出～');
    await until(() => agentMessages().find((m) => m.message.text.includes('已把你修改的回复发到')));
    expect(await (await app.service('escalations')).outcome(esc.id)).toMatchObject({ status: 'sent', text: '亲，实在抱歉！马上给您补发一个新的杯子，今天就安排发出～' });
  });

  it('忽略: nothing is sent to the fan, and the escalation records who ignored it', async () => {
    const fan = mocker.createContact({ name: '小孙' });
    room.add(fan).by(botUser);
    const before = botSaid().length;
    fan.say('@店小二\u2005我要退货，怎么退', [botUser]).to(room);
    const esc = await escalationFor('我要退货');
    await until(() => botSaid().slice(before).find((t) => t.startsWith('@小孙')));
    const count = botSaid().length;
    await press(esc.suggestions[0]!, '忽略');
    await until(() => agentMessages().some((m) => m.messageId === esc.header.messageId && m.message.text.includes('已忽略')));
    expect(await (await app.service('escalations')).outcome(esc.id)).toMatchObject({ status: 'ignored', by: { id: String(AGENT) } });
    expect(botSaid().length).toBe(count);
  });
});

describe('客服话术 in Telegram', () => {
  const texts = (chatId: number) => agentMessages(chatId).map((m) => m.message.text);
  /**
   * The intent line containing `intent` and at least two suggestions after it. Anchored on the
   * intent line, not on a count: a previous test's last suggestion may still be on its way.
   */
  const repliesAfter = (before: number, intent: string) => {
    const all = texts(AGENT).slice(before);
    const at = all.findIndex((t) => t.includes(intent));
    return at >= 0 && all.length >= at + 3 ? all.slice(at) : undefined;
  };

  it('answers /reply with the intent, then each suggestion as a message of its own', async () => {
    const client = server.getClient(TOKEN, { userId: AGENT, chatId: AGENT, type: 'private', firstName: '客服小美' });
    const before = texts(AGENT).length;
    await client.sendCommand(client.makeCommand('/reply 亲 我的快递三天没动了'));
    const got = await until(() => repliesAfter(before, '意图：物流（logistics）'));
    expect(got[0]).toContain('意图：物流（logistics）');
    expect(got[1]).toBe(prompts.render('cs/script/logistics-stuck-brief', { courier: prompts.render('cs/default-courier') }));
    expect(got.slice(1).every((t) => !t.includes('建议'))).toBe(true); // the reply alone: a long press copies it
  });

  it('takes a customer\'s message forwarded by an agent as a /reply', async () => {
    const client = server.getClient(TOKEN, { userId: AGENT, chatId: AGENT, type: 'private', firstName: '客服小美' });
    const before = texts(AGENT).length;
    const forwarded = client.makeMessage('能便宜点吗 太贵了', { forward_origin: { type: 'hidden_user', sender_user_name: '顾客', date: 1 } } as never);
    await client.sendMessage(forwarded);
    const got = await until(() => repliesAfter(before, '意图：优惠券/价格（coupon）'));
    expect(got[0]).toContain('意图：优惠券/价格（coupon）');
    expect(got.length).toBeGreaterThanOrEqual(3);
  });

  it('refuses /reply to a fan, and a fan\'s forwarded message is just a question', async () => {
    const FAN = 5005;
    const client = server.getClient(TOKEN, { userId: FAN, chatId: FAN, type: 'private', firstName: '粉丝' });
    await client.sendCommand(client.makeCommand('/reply 我要退货'));
    const refusal = await until(() => texts(FAN)[0]);
    expect(refusal).toBe(prompts.render('bot/not-allowed'));
    await client.sendMessage(client.makeMessage('什么时候发货', { forward_origin: { type: 'hidden_user', sender_user_name: '朋友', date: 1 } } as never));
    const answer = await until(() => texts(FAN)[1]);
    expect(answer).toContain('16:00前付款');
  });

  it('keeps drafts out of groups, and explains an empty /reply in chat terms', async () => {
    const client = server.getClient(TOKEN, { userId: AGENT, chatId: -100777, type: 'group', firstName: '客服小美' });
    await client.sendCommand(client.makeCommand('/reply 我要退货'));
    const inGroup = await until(() => texts(-100777)[0]);
    expect(inGroup).toBe(prompts.render('cs/reply-private-only'));
    const own = server.getClient(TOKEN, { userId: AGENT, chatId: AGENT, type: 'private', firstName: '客服小美' });
    const before = texts(AGENT).length;
    await own.sendCommand(own.makeCommand('/reply'));
    const empty = await until(() => texts(AGENT)[before]);
    expect(empty).toBe(prompts.render('cs/reply-empty'));
  });
});
