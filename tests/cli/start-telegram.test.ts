import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, PACKAGE_ROOT, prompts, tempDir } from '../helpers.js';

const TOKEN = '654321:START-test-token-for-the-emulator';


async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

let server: TelegramServer;
const work = tempDir('opsbot-start-');

beforeAll(async () => {
  server = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 120 });
  await server.start();
});
afterAll(async () => {
  await server.stop();
  work.cleanup();
});

function start(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number> } {
  let output = '';
  const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin/opsbot.js'), 'start'], {
    cwd: work.dir,
    env: { PATH: process.env.PATH ?? '', OPSBOT_DATA_DIR: join(work.dir, 'data'), LOG_LEVEL: 'warn', TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: server.config.apiURL, ...env },
  });
  child.stdout!.on('data', (d: Buffer) => (output += String(d)));
  child.stderr!.on('data', (d: Buffer) => (output += String(d)));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  return { child, output: () => output, exited };
}

const replies = (chatId: number) => server.storage.botMessages.filter((m) => String(m.message.chat_id) === String(chatId)).map((m) => String(m.message.text));

describe('opsbot start with Telegram', () => {
  it('polls, answers, reports health on 127.0.0.1, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const run = start({ OPSBOT_HTTP_PORT: String(port) });
    const health = await until(async () => {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      const body = r?.ok ? ((await r.json()) as Record<string, unknown>) : undefined;
      return body?.telegram === 'polling' ? body : undefined; // 'starting' until connected
    });
    expect(health).toMatchObject({ ok: true, store: 'sqlite', telegram: 'polling' });
    const client = server.getClient(TOKEN, { userId: 3003, chatId: 3003, type: 'private' });
    await client.sendCommand(client.makeCommand('/ask 直播预告应该提前多久发'));
    const [answer] = await until(() => (replies(3003).length > 0 ? replies(3003) : undefined));
    expect(answer).toContain('前一小时');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain(prompts.render('cli/start-stopped'));
    expect(run.output()).not.toContain(TOKEN);
  });

  it('in webhook mode, refuses a request without the secret token and answers one with it', async () => {
    const port = await freePort();
    const secret = 'shop_secret_123';
    const url = `http://127.0.0.1:${port}/telegram/webhook`;
    const run = start({ OPSBOT_HTTP_PORT: String(port), TELEGRAM_WEBHOOK_URL: url, TELEGRAM_WEBHOOK_SECRET: secret });
    await until(async () => ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok ? true : undefined));
    const update = (id: number) =>
      JSON.stringify({
        update_id: id,
        message: { message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: 4004, type: 'private', first_name: '小赵' }, from: { id: 4004, is_bot: false, first_name: '小赵' }, text: '福袋谁能发？' },
      });
    const refused = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: update(1) });
    expect(refused.status).toBe(401);
    const accepted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: update(2) });
    expect(accepted.status).toBe(200);
    const [answer] = await until(() => (replies(4004).length > 0 ? replies(4004) : undefined));
    expect(answer).toContain('福袋');
    expect(replies(4004)).toHaveLength(1);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    // A first connection is no news: nothing said of Telegram's connection on stderr.
    for (const key of ['cli/telegram-back', 'cli/telegram-unreachable']) expect(run.output()).not.toContain(prompts.render(key));
  });
});
