import { Writable } from 'node:stream';
import pretty from 'pino-pretty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelegramAdapter } from '../../src/bot/adapters/telegram.js';
import { RoleDirectory } from '../../src/bot/roles.js';
import { Router } from '../../src/bot/router.js';
import { createLogger } from '../../src/kernel/logger.js';
import type { LogLevel } from '../../src/kernel/config.js';
import { memoryStore, memoryStream, prompts } from '../helpers.js';
import { FakeBotApi } from './telegram-api.js';

const TOKEN = '7012345678:AAHk3xQ9zLmNoPqRsTuVwXyZ0123456789';
let api: FakeBotApi;

beforeAll(async () => {
  api = new FakeBotApi(TOKEN);
  // The menu and pictures refused, as telegram-test-api and some self-hosted servers do.
  api.force = (method) => (method === 'setMyCommands' || method === 'sendPhoto' ? { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: method not supported' } } : undefined);
  await api.start();
});
afterAll(() => api.stop());

/** Runs the Telegram failures that log (menu refused, a picture refused, an update whose handler throws) and returns what the log shows. */
async function failuresLoggedAt(level: LogLevel, asTerminal: boolean): Promise<string> {
  const { stream, lines } = memoryStream();
  let text = '';
  const destination = asTerminal ? pretty({ destination: new Writable({ write: (chunk, _enc, done) => void ((text += String(chunk)), done()) }), sync: true, colorize: false }) : stream;
  const logger = createLogger({ level, secrets: [TOKEN], destination });
  const router = new Router({ store: memoryStore(), prompts, logger, roles: new RoleDirectory({ admins: [], agents: [] }) })
    .register({ name: 'boom', commands: [{ name: 'boom', description: 'cmd/ask' }], roles: ['fan'], handle: () => Promise.reject(new TypeError('a handler bug')) })
    .start();
  const adapter = new TelegramAdapter({ token: TOKEN, apiRoot: api.apiRoot, router, store: memoryStore(), logger, prompts, tz: 'Asia/Shanghai', pacing: { gap: [0, 0], chatSwitchGap: [0, 0], quietHours: { start: '00:00', end: '00:00' } } });
  await adapter.start({ webhook: true });
  const sent = await adapter.send('42', { kind: 'image', data: Buffer.from('png'), mime: 'image/png', caption: '海报' });
  await adapter.bot.handleUpdate({ update_id: 1, message: { message_id: 1, date: 0, chat: { id: 42, type: 'private', first_name: 'a' }, from: { id: 42, is_bot: false, first_name: 'a' }, text: '/boom' } });
  await adapter.stop();
  expect(sent.status).toBe('sent'); // the caption went as text
  return asTerminal ? text : JSON.stringify(lines());
}

describe('Telegram failures in the log', () => {
  for (const level of ['info', 'warn'] as const) {
    for (const asTerminal of [true, false]) {
      it(`at ${level}, ${asTerminal ? 'in a terminal' : 'as JSON'}: said in one line each, no stack trace, no token`, async () => {
        const log = await failuresLoggedAt(level, asTerminal);
        expect(log).toMatch(/setMyCommands/);
        expect(log).not.toMatch(/\bat .+\.[jt]s:\d+:\d+/);
        // What failed is still said: Telegram's own words.
        expect(log).toContain('Bad Request: method not supported');
        expect(log).not.toContain(TOKEN);
      });
    }
  }

  it('at debug the stack is there, for whoever asked for it', async () => {
    const log = await failuresLoggedAt('debug', false);
    expect(log).toMatch(/\bat .+\.[jt]s:\d+:\d+/);
    expect(log).not.toContain(TOKEN);
  });
});
