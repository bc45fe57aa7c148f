import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app/app.js';
import type { Bot } from '../../../src/app/bot.js';
import { localDayTime } from '../../../src/kernel/clock.js';
import { KnowledgeBase } from '../../../src/knowledge/knowledge-base.js';
import { freePort, prompts, silentLogger, tempDir, testBot, testConfig, until } from '../../helpers.js';

/**
 * Lives end to end, as `opsbot start` wires them: an operator plans one in Telegram (telegram-test-api),
 * previews it, confirms, and the preannounce arrives in the WeChat room (wechaty-puppet-mock); fans'
 * questions in the room, before and after, without an @-mention.
 */
const TOKEN = '424242:LIVE-test-token';
const ADMIN = 1001;
const data = tempDir('opsbot-live-e2e-');
const mocker = new mock.Mocker();
const puppet = new PuppetMock({ mocker });
const instant = { gap: [0, 0] as const, chatSwitchGap: [0, 0] as const, quietHours: { start: '00:00', end: '00:00' } };

let server: TelegramServer;
let app: App;
let bot: Bot;
let botUser: mock.ContactMock;
let fan: mock.ContactMock;
let room: mock.RoomMock;
/** 今天 or 明天: the day the live planned in the first case starts, as its texts say it. */
let startsOn = '今天';
const roomMessages: { text: string; self: boolean; type: string }[] = [];
/** Pictures the bot sent, as the puppet got them. */
const files: { room: string; size: number }[] = [];

interface BotMessage {
  messageId: number;
  message: { chat_id: string | number; text: string; reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] } };
}
const toAdmin = () => (server.storage.botMessages as BotMessage[]).filter((m) => String(m.message.chat_id) === String(ADMIN));
const botSaid = () => roomMessages.filter((m) => m.self);
const admin = () => server.getClient(TOKEN, { userId: ADMIN, chatId: ADMIN, type: 'private', firstName: '运营老张' });

beforeAll(async () => {
  server = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 300 });
  await server.start();
  const env = {
    OPSBOT_DATA_DIR: data.dir,
    OPSBOT_SHOP_FILE: `${data.dir}/none.json`,
    OPSBOT_ADMINS: `telegram:${ADMIN}`,
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: server.config.apiURL,
    WECHATY_PUPPET: 'wechaty-puppet-mock',
    OPSBOT_QUIET_HOURS: 'off',
  };
  const knowledge = new KnowledgeBase({ config: testConfig(env), logger: silentLogger, prompts });
  await knowledge.build();
  ({ app, bot } = await testBot(env, { knowledge, start: { platforms: ['telegram', 'wechat'], telegram: { pacing: instant }, wechat: { puppet, pacing: instant } } }));
  const sendFile = puppet.messageSendFile.bind(puppet);
  puppet.messageSendFile = async (conversationId, file) => {
    files.push({ room: conversationId, size: (await file.toBuffer()).length });
    return sendFile(conversationId, file);
  };
  bot.wechat!.bot.on('message', (msg) => {
    if (msg.room()) roomMessages.push({ text: msg.text(), self: msg.self(), type: String(msg.type()) });
  });
  botUser = mocker.createContact({ name: '店小二' });
  mocker.login(botUser);
  fan = mocker.createContact({ name: '小王' });
  room = mocker.createRoom({ topic: '粉丝1群', memberIdList: [botUser.id, fan.id] });
  // The bot learns the room from what is said in it (no shop file: every group it is in is a fan group).
  fan.say('大家好').to(room);
  await until(async () => (await (await app.service('groups')).list()).some((g) => g.id === room.id));
}, 60_000);

afterAll(async () => {
  await bot?.close();
  await server?.stop();
  data.cleanup();
});

describe('lives in the chats', () => {
  it('answers a fan\'s question about the live without an @-mention, with the shop\'s usual answer while none is planned; chit-chat stays unanswered', async () => {
    fan.say('今天的直播好好看啊').to(room);
    fan.say('今晚几点直播？').to(room);
    const answer = await until(() => botSaid().find((m) => m.text.startsWith('@小王')));
    expect(answer.text).toBe(`@小王 ${prompts.render('cs/script/live-when-brief')}`);
    await new Promise((r) => setTimeout(r, 300));
    expect(botSaid()).toHaveLength(1);
  });

  it('plans a live from /live in Telegram: a preview with 确认 / 取消, then the preannounce arrives in the WeChat room', async () => {
    const start = new Date(Date.now() + 40 * 60_000);
    const { day, time } = localDayTime(start, 'Asia/Shanghai');
    // 40 minutes ahead is tomorrow after 23:20 in Shanghai: the announcement names the day as people do.
    startsOn = localDayTime(new Date(), 'Asia/Shanghai').day === day ? '今天' : '明天';
    const client = admin();
    await client.sendCommand(client.makeCommand(`/live\n标题：周二宠粉夜\n时间：${day} ${time}\n福利：满99减10；前50名送福袋\n商品：保温杯，羽绒服\n群：粉丝1群`));
    const preview = await until(() => toAdmin().find((m) => m.message.reply_markup && m.message.text.includes('预览')));
    expect(preview.message.text).toContain('周二宠粉夜');
    expect(preview.message.text).toContain('满99减10');
    expect(preview.message.text).toContain('发到 1 个群：粉丝1群');
    // Nothing is scheduled before 确认.
    expect(await (await app.service('lives')).list()).toEqual([]);
    const [ok, no] = preview.message.reply_markup!.inline_keyboard[0]!;
    expect([ok!.text, no!.text]).toEqual([prompts.render('live/admin-button-ok'), prompts.render('live/admin-button-no')]);
    await client.sendCallback(client.makeCallbackQuery(ok!.callback_data, { message: { message_id: preview.messageId } }));
    await until(() => toAdmin().find((m) => m.message.text.startsWith('✅ 已安排直播「周二宠粉夜」')));
    // Planned 40 minutes ahead, later than the hour: the preannounce goes now, text then poster.
    const announced = await until(() => botSaid().find((m) => m.text.includes('📢 直播预告｜周二宠粉夜')), 20_000);
    expect(announced.text).toContain(`${startsOn} ${time}`);
    // The poster follows, as a picture (the mock puppet takes the file but shows no message for it).
    const file = await until(() => files.find((f) => f.room === room.id), 20_000);
    expect(file.size).toBeGreaterThan(50_000);
    // A second press of 确认 schedules nothing more.
    await client.sendCallback(client.makeCallbackQuery(ok!.callback_data, { message: { message_id: preview.messageId } }));
    await new Promise((r) => setTimeout(r, 300));
    expect(await (await app.service('lives')).list()).toHaveLength(1);
  });

  it('then tells a fan asking in the group the next live\'s time, title and main offer', async () => {
    const before = botSaid().length;
    fan.say('今晚几点开播呀').to(room);
    const answer = await until(() => botSaid().slice(before).find((m) => m.text.startsWith('@小王')));
    expect(answer.text).toContain('「周二宠粉夜」');
    expect(answer.text).toContain('满99减10');
    expect(answer.text).toMatch(new RegExp(`${startsOn} \\d\\d:\\d\\d`));
  });

  it('walks an operator through /live step by step, and /lives cancels with a button', async () => {
    const client = admin();
    const asked = (n: number) => until(() => toAdmin().filter((m) => m.message.text.includes('步：')).length >= n);
    await client.sendCommand(client.makeCommand('/live'));
    await asked(1);
    for (const [i, answer] of ['年货节预热', `${localDayTime(new Date(Date.now() + 86_400_000), 'Asia/Shanghai').day} 20:00`, '跳过', '满199减30', '跳过', '全部'].entries()) {
      await client.sendMessage(client.makeMessage(answer));
      if (i < 5) await asked(i + 2);
    }
    const preview = await until(() => toAdmin().find((m) => m.message.reply_markup && m.message.text.includes('年货节预热')));
    await client.sendCallback(client.makeCallbackQuery(preview.message.reply_markup!.inline_keyboard[0]![0]!.callback_data, { message: { message_id: preview.messageId } }));
    await until(() => toAdmin().find((m) => m.message.text.startsWith('✅ 已安排直播「年货节预热」')));
    await client.sendCommand(client.makeCommand('/lives'));
    const listed = await until(() => toAdmin().find((m) => m.message.reply_markup && m.message.text.includes('年货节预热') && m.message.text.includes('编号')));
    await client.sendCallback(client.makeCallbackQuery(listed.message.reply_markup!.inline_keyboard[0]![0]!.callback_data, { message: { message_id: listed.messageId } }));
    await until(() => toAdmin().find((m) => m.message.text.startsWith('已取消直播「年货节预热」')));
    const lives = await (await app.service('lives')).list();
    expect(lives.find((s) => s.title === '年货节预热')?.status).toBe('cancelled');
  });

  it('refuses a live an operator writes wrong, saying every problem, and /live to a fan', async () => {
    const client = admin();
    const before = toAdmin().length;
    await client.sendCommand(client.makeCommand('/live\n标题：\n时间：2020-01-01 20:00\n群：不存在的群'));
    const refusal = await until(() => toAdmin().slice(before).find((m) => m.message.text.includes('有问题')));
    expect(refusal.message.text).toContain('标题不能为空');
    expect(refusal.message.text).toContain('已经过去了');
    expect(refusal.message.text).toContain('没有叫“不存在的群”的群');
    const fanClient = server.getClient(TOKEN, { userId: 5005, chatId: 5005, type: 'private', firstName: '粉丝' });
    await fanClient.sendCommand(fanClient.makeCommand('/live'));
    const told = await until(() => (server.storage.botMessages as BotMessage[]).find((m) => String(m.message.chat_id) === '5005'));
    expect(told.message.text).toBe(prompts.render('bot/not-allowed'));
  });
});
