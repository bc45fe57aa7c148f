import { createServer, type IncomingMessage as HttpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../../src/app/bot.js';
import { KnowledgeBase } from '../../../src/knowledge/knowledge-base.js';
import { prompts, silentLogger, tempDir, testBot, testConfig, until } from '../../helpers.js';
import { fixtureDb } from './fixture.js';

/**
 * /kpi end to end through grammY against a Bot API server of the test's own (telegram-test-api cannot
 * take a photo upload): updates go in by getUpdates, and every call the bot makes is recorded, the
 * chart's multipart upload included.
 */
const TOKEN = '123456:TEST-token-for-the-kpi-test';
const ADMIN = 1001;
const AGENT = 3003;
const FAN = 2002;
const GROUP = -5005;

interface Call {
  readonly method: string;
  readonly json?: Record<string, unknown>;
  readonly raw: Buffer;
}

const calls: Call[] = [];
const pending: unknown[] = [];
let updateId = 1;
let messageId = 100;
let api: Server;
let bot: Bot;
const data = tempDir('opsbot-kpi-telegram-');

function body(req: HttpRequest): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

async function answer(req: HttpRequest, res: ServerResponse): Promise<void> {
  const method = (req.url ?? '').split('/').pop() ?? '';
  const raw = await body(req);
  const json = (req.headers['content-type'] ?? '').includes('json') && raw.length > 0 ? (JSON.parse(raw.toString()) as Record<string, unknown>) : undefined;
  res.setHeader('content-type', 'application/json');
  const ok = (result: unknown): void => {
    res.end(JSON.stringify({ ok: true, result }));
  };
  if (method === 'getMe') return ok({ id: 42, is_bot: true, first_name: 'opsbot', username: 'opsbot_test_bot' });
  if (method === 'getUpdates') {
    const offset = Number(json?.offset ?? 0);
    const deadline = Date.now() + 300;
    while (Date.now() < deadline && !pending.some((u) => (u as { update_id: number }).update_id >= offset)) await new Promise((r) => setTimeout(r, 20));
    const due = pending.filter((u) => (u as { update_id: number }).update_id >= offset);
    return ok(due);
  }
  calls.push({ method, raw, ...(json ? { json } : {}) });
  if (method === 'sendMessage' || method === 'sendPhoto') {
    return ok({ message_id: messageId++, date: 0, chat: { id: 1, type: 'private' }, ...(method === 'sendMessage' ? { text: String(json?.text) } : { photo: [] }) });
  }
  return ok(true);
}

/** Delivers a message from `userId` in `chatId` (a group when negative). */
function say(userId: number, text: string, chatId = userId): void {
  const chat = chatId < 0 ? { id: chatId, type: 'group', title: '粉丝群' } : { id: chatId, type: 'private', first_name: 'x' };
  const entities = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]!.length }] : undefined;
  pending.push({
    update_id: updateId++,
    message: { message_id: messageId++, date: Math.floor(Date.now() / 1000), chat, from: { id: userId, is_bot: false, first_name: `u${userId}` }, text, ...(entities ? { entities } : {}) },
  });
}

const sentTo = (chatId: number, method = 'sendMessage') => calls.filter((c) => c.method === method && Number(c.json?.chat_id ?? multipartField(c.raw, 'chat_id')) === chatId);

/** A plain field of a multipart upload. */
function multipartField(raw: Buffer, name: string): string | undefined {
  const m = new RegExp(`name="${name}"\\r\\n\\r\\n([^\\r]*)`).exec(raw.toString('latin1'));
  return m?.[1];
}

beforeAll(async () => {
  api = createServer((req, res) => void answer(req, res));
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
  fixtureDb(`${data.dir}/metrics.sqlite`).close();
  // OPSBOT_NOW as a day: "today" is 2026-11-25 in the shop's time zone.
  const env = {
    OPSBOT_DATA_DIR: data.dir,
    OPSBOT_NOW: '2026-11-25',
    OPSBOT_ADMINS: `telegram:${ADMIN}`,
    OPSBOT_AGENTS: `telegram:${AGENT}`,
    OPSBOT_SHOP_FILE: `${data.dir}/none.json`,
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
  };
  const knowledge = new KnowledgeBase({ config: testConfig(env), logger: silentLogger, prompts });
  await knowledge.build();
  ({ bot } = await testBot(env, { knowledge, start: { platforms: ['telegram'], telegram: { pacing: { gap: [0, 0], chatSwitchGap: [0, 0], quietHours: { start: '00:00', end: '00:00' } } } } }));
});

afterAll(async () => {
  await bot?.close();
  await new Promise<void>((r) => api.close(() => r()));
  data.cleanup();
});

describe('/kpi in Telegram', () => {
  it('answers an admin\'s trend question with the numbers as text and a PNG chart', async () => {
    say(ADMIN, '/kpi 近3天每天的销售额');
    const text = await until(() => sentTo(ADMIN).map((c) => String(c.json!.text)).find((t) => t.includes('销售额')));
    expect(text).toContain('11月22日至11月24日销售额：¥2,249.00');
    expect(text).toContain('11月24日：¥1,499.00');
    const photo = await until(() => sentTo(ADMIN, 'sendPhoto')[0]);
    const png = photo.raw.indexOf(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png).toBeGreaterThan(0);
    expect(photo.raw.length).toBeGreaterThan(10_000);
  });

  it('takes an admin\'s plain question in a private chat as a KPI question, and a how-to question as one for the playbook', async () => {
    const before = sentTo(ADMIN).length;
    say(ADMIN, '昨天转化率？');
    const kpi = await until(() => sentTo(ADMIN).slice(before).map((c) => String(c.json!.text))[0]);
    expect(kpi).toBe('📊 昨天（11月24日）支付转化率：9.09%');
    say(ADMIN, '怎么提高点击率');
    const qa = await until(() => sentTo(ADMIN).slice(before + 1).map((c) => String(c.json!.text))[0]);
    expect(qa).not.toContain('📊');
    expect(qa).toMatch(/图片|点击/);
  });

  it('politely refuses a fan and an agent, with no number in the reply', async () => {
    say(FAN, '/kpi 昨天销售额');
    const fan = await until(() => sentTo(FAN)[0]);
    expect(String(fan.json!.text)).toBe(prompts.render('metrics/admins-only'));
    say(AGENT, '/kpi 昨天销售额');
    const agent = await until(() => sentTo(AGENT)[0]);
    expect(String(agent.json!.text)).toBe(prompts.render('metrics/admins-only'));
    // A fan's plain question about numbers is not claimed by the metrics skill either.
    say(FAN, '昨天销售额多少');
    const second = await until(() => sentTo(FAN)[1]);
    expect(String(second.json!.text)).not.toMatch(/\d/);
  });

  it('lists /kpi in the admins\' /help only', async () => {
    expect(bot.router.commandsFor('admin').map((c) => c.name)).toContain('kpi');
    expect(bot.router.commandsFor('agent').map((c) => c.name)).not.toContain('kpi');
    expect(bot.router.commandsFor('fan').map((c) => c.name)).not.toContain('kpi');
  });

  it('never puts numbers into a group: an admin is asked to ask privately', async () => {
    say(ADMIN, '/kpi 昨天销售额', GROUP);
    const reply = await until(() => sentTo(GROUP)[0]);
    expect(String(reply.json!.text)).toBe(prompts.render('metrics/private-only'));
    expect(sentTo(GROUP, 'sendPhoto')).toHaveLength(0);
  });
});
