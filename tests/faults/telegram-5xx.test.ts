import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TelegramAdapter } from '../../src/bot/adapters/telegram.js';
import { Reason } from '../../src/bot/deliveries/reasons.js';
import { RoleDirectory } from '../../src/bot/roles.js';
import { Router } from '../../src/bot/router.js';
import { memoryStore, prompts, silentLogger } from '../helpers.js';
import { FakeBotApi, serverError, tooManyRequests } from './telegram-api.js';

const TOKEN = '7012345678:AAHk3xQ9zLmNoPqRsTuVwXyZ0123456789';
let api: FakeBotApi;
let adapter: TelegramAdapter;
const store = memoryStore();

beforeAll(async () => {
  api = new FakeBotApi(TOKEN);
  await api.start();
  const router = new Router({ store, prompts, logger: silentLogger, roles: new RoleDirectory({ admins: [], agents: [] }) }).start();
  adapter = new TelegramAdapter({ token: TOKEN, apiRoot: api.apiRoot, router, store, logger: silentLogger, prompts, tz: 'Asia/Shanghai', pacing: { gap: [0, 0], chatSwitchGap: [0, 0], quietHours: { start: '00:00', end: '00:00' } } });
  await adapter.start({ webhook: true });
});
afterEach(() => {
  vi.useRealTimers();
  api.force = () => undefined;
});
afterAll(async () => {
  await adapter.stop();
  await api.stop();
});

/** Sends on fake timers: auto-retry's backoff (3 s, 6 s, 12 s) and retry_after waits pass at once; the HTTP calls stay real. */
async function sendOnFakeTime(chat: string): Promise<Awaited<ReturnType<TelegramAdapter['send']>>> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  let result: Awaited<ReturnType<TelegramAdapter['send']>> | undefined;
  void adapter.send(chat, { kind: 'text', text: '直播提醒' }, { source: 'live:L5:reminder', deadline: Date.now() + 3_600_000 }).then((r) => (result = r));
  for (let i = 0; result === undefined && i < 2_000; i++) {
    // Real I/O first (the fake server's answer), then the waits between tries.
    await new Promise((r) => setImmediate(r));
    await vi.advanceTimersByTimeAsync(250);
  }
  vi.useRealTimers();
  if (!result) throw new Error('the send never ended');
  return result;
}

describe('Telegram failing the same send again and again', () => {
  it('a 5xx each time: three backed-off retries, then failed with Telegram\'s reason (not forever)', async () => {
    api.force = (method) => (method === 'sendMessage' ? serverError(502) : undefined);
    const before = api.count('sendMessage');
    const result = await sendOnFakeTime('-7');
    expect(result).toMatchObject({ status: 'failed', reason: '502: Bad Gateway' });
    expect(api.count('sendMessage') - before).toBe(4);
    expect(api.sent('-7')).toEqual([]);
    expect((await store.tables.deliveries.list({ source: 'live:L5:reminder' })).map((d) => [d.chat, d.status])).toContainEqual(['-7', 'failed']);
  });

  it('a short 429 each time: waited three times, then failed as rate limited', async () => {
    api.force = (method) => (method === 'sendMessage' ? tooManyRequests(3) : undefined);
    const before = api.count('sendMessage');
    const result = await sendOnFakeTime('-8');
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(new RegExp(`^${Reason.RATE_LIMITED}`));
    expect(api.count('sendMessage') - before).toBe(4);
  });
});
