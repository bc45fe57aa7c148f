import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { PuppetServer } from 'wechaty-puppet-service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/bot/store/index.js';
import { freePort, PACKAGE_ROOT, prompts, tempDir, until } from '../helpers.js';

/**
 * Two `opsbot start` processes on one Redis, as a shop that outgrew one machine runs them: A holds the
 * WeChat login (through a puppet service this test serves, with the mock puppet behind it), B runs
 * Telegram (against the emulator). A fan's complaint in A's group reaches the agent in B's Telegram,
 * and the agent's 发送 reaches the fan's group through A.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = '777777:CROSS-process-test-token';
const PUPPET_TOKEN = 'insecure_opsbot_cross_process';
const AGENT = 3003;
const namespace = `cross-${process.pid}-${Date.now()}`;
const work = tempDir('opsbot-cross-');

let telegram: TelegramServer;
let puppetServer: PuppetServer;
const mocker = new mock.Mocker();
const puppet = new PuppetMock({ mocker });
/** What the bot (process A) sent in WeChat, as the puppet saw it. */
const wechatSent: { room: string; text: string; mentions: readonly string[] }[] = [];
const children: { child: ChildProcess; output: () => string; exited: Promise<number> }[] = [];
let healthA = 0;
let healthB = 0;

function start(name: string, env: Record<string, string>) {
  let output = '';
  const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin/opsbot.js'), 'start'], {
    cwd: work.dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      OPSBOT_DATA_DIR: join(work.dir, name),
      OPSBOT_SHOP_FILE: join(work.dir, 'none.json'),
      OPSBOT_AGENTS: `telegram:${AGENT}`,
      REDIS_URL,
      OPSBOT_REDIS_NAMESPACE: namespace,
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  child.stdout!.on('data', (d: Buffer) => (output += String(d)));
  child.stderr!.on('data', (d: Buffer) => (output += String(d)));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  const run = { child, output: () => output, exited };
  children.push(run);
  return run;
}

const health = async (port: number) => {
  const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
  return r?.ok ? ((await r.json()) as Record<string, unknown>) : undefined;
};

interface BotMessage {
  messageId: number;
  message: { chat_id: string | number; text: string; reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] } };
}
const agentMessages = () => (telegram.storage.botMessages as BotMessage[]).filter((m) => String(m.message.chat_id) === String(AGENT));

beforeAll(async () => {
  telegram = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 300 });
  await telegram.start();
  const sendText = puppet.messageSendText.bind(puppet);
  puppet.messageSendText = async (conversationId: string, text: string, mentions?: string[]) => {
    wechatSent.push({ room: conversationId, text, mentions: mentions ?? [] });
    return sendText(conversationId, text);
  };
  const puppetPort = await freePort();
  puppetServer = new PuppetServer({ endpoint: `127.0.0.1:${puppetPort}`, puppet, token: PUPPET_TOKEN, tls: { disable: true } });
  await puppetServer.start();
  [healthA, healthB] = [await freePort(), await freePort()];
  // One shop configuration for both (Telegram and WeChat both configured); OPSBOT_PLATFORMS splits them.
  const telegramEnv = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: telegram.config.apiURL };
  start('a', {
    ...telegramEnv,
    OPSBOT_PLATFORMS: 'wechat',
    OPSBOT_HTTP_PORT: String(healthA),
    WECHATY_PUPPET: 'wechaty-puppet-service',
    WECHATY_PUPPET_SERVICE_ENDPOINT: `127.0.0.1:${puppetPort}`,
    WECHATY_PUPPET_SERVICE_TOKEN: PUPPET_TOKEN,
    WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true',
  });
  start('b', { ...telegramEnv, OPSBOT_PLATFORMS: 'telegram', OPSBOT_HTTP_PORT: String(healthB) });
  await until(async () => (await health(healthB))?.telegram === 'polling', 60_000);
  const a = await until(async () => {
    const h = await health(healthA);
    return h?.wechat === 'waiting-for-login' ? h : undefined;
  }, 60_000);
  // A runs WeChat only: it does not poll Telegram (no 409 with B).
  expect(a.telegram).toBe('off');
}, 120_000);

afterAll(async () => {
  for (const { child } of children) child.kill('SIGTERM');
  // A process that does not stop within 45 s fails the test with what it printed, rather than a bare hook timeout.
  const codes = await Promise.all(
    children.map(async (c) => {
      const timer = setTimeout(() => c.child.kill('SIGKILL'), 45_000);
      const code = await c.exited;
      clearTimeout(timer);
      return code === 0 ? 0 : `${code}: ${c.output().slice(-3000)}`;
    }),
  );
  await puppetServer?.stop().catch(() => {});
  await telegram?.stop();
  work.cleanup();
  expect(codes).toEqual([0, 0]);
}, 60_000);

describe('an escalation across two opsbot start processes on one Redis', () => {
  it('reaches the agent in the Telegram process, and the agent\'s 发送 reaches the fan\'s group through the WeChat process', async () => {
    const botUser = mocker.createContact({ name: '店小二' });
    mocker.login(botUser);
    await until(async () => (await health(healthA))?.wechat === 'logged-in', 30_000);
    const fan = mocker.createContact({ name: '小王' });
    const room = mocker.createRoom({ topic: '粉丝1群', memberIdList: [botUser.id, fan.id] });
    fan.say('@店小二\u2005衣服质量太差了，刚穿一次就起球，我要给差评', [botUser]).to(room);

    // A answers the fan at once and escalates; B's Telegram tells the agent, each suggestion under its buttons.
    const promised = await until(() => wechatSent.find((m) => m.room === room.id && m.text === `@小王 ${prompts.render('cs/fan-escalated')}`), 30_000);
    expect(promised.mentions).toEqual([fan.id]);
    const header = await until(() => agentMessages().find((m) => m.message.text.includes('刚穿一次就起球')), 30_000);
    expect(header.message.text).toContain('粉丝1群');
    const suggestion = await until(() => agentMessages().find((m) => m.messageId > header.messageId && m.message.reply_markup), 30_000);
    const send = suggestion.message.reply_markup!.inline_keyboard[0]!.find((b) => b.text === '发送')!;
    const client = telegram.getClient(TOKEN, { userId: AGENT, chatId: AGENT, type: 'private', firstName: '客服小美' });
    await client.sendCallback(client.makeCallbackQuery(send.callback_data, { message: { message_id: suggestion.messageId } }));

    // The approved reply leaves through A's WeChat account, mentioning the fan.
    const chosen = suggestion.message.text.replace(/^建议 \d：/, '');
    // wechaty puts the mention in front of the text: "@小王 …".
    const reply = await until(() => wechatSent.find((m) => m.room === room.id && m.text === `@小王 ${chosen}`), 30_000);
    expect(reply.mentions).toEqual([fan.id]);
    // Every copy the agent has says it was sent.
    await until(() => agentMessages().some((m) => m.messageId === header.messageId && m.message.text.includes('已发送')), 20_000);

    // The shared delivery log has both sides: the notices in Telegram, the reply in WeChat.
    const id = send.callback_data.split(':')[1]!;
    const store = await openStore({ dataDir: work.dir, redisUrl: REDIS_URL, namespace });
    try {
      const log = await until(async () => {
        const list = await store.tables.deliveries.list({ source: `escalation:${id}` });
        return list.some((d) => d.platform === 'wechat') ? list : undefined;
      });
      expect(log.filter((d) => d.platform === 'wechat').map((d) => [d.chat, d.status])).toEqual([[room.id, 'sent']]);
      expect(log.filter((d) => d.platform === 'telegram').every((d) => d.status === 'sent' && d.chat === String(AGENT))).toBe(true);
    } finally {
      await store.close();
    }
  }, 120_000);
});
