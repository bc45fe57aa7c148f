import { Bot, type Transformer } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TelegramConnection } from '../../src/bot/adapters/telegram-connection.js';
import { silentLogger } from '../helpers.js';

const TOKEN = '7012345678:AAHk3xQ9zLmNoPqRsTuVwXyZ0123456789';
const ME = { id: 7012345678, is_bot: true, first_name: 'ops', username: 'ops_bot' } as UserFromGetMe;
type Answer = { ok: true; result: unknown } | { ok: false; error_code: number; description: string };
const badGateway: Answer = { ok: false, error_code: 502, description: 'Bad Gateway' };

/** One call the bot made, held until the test answers it. */
interface HeldCall {
  readonly method: string;
  answer(reply: Answer): void;
}

/**
 * The Bot API as a script: getMe and getUpdates wait for the test to answer them (a call cut off by
 * its signal is refused), anything else is answered `true` at once. Counts the getMe calls in flight.
 */
class ScriptedApi {
  private readonly held: HeldCall[] = [];
  private readonly taken = new Set<HeldCall>();
  private readonly waiters: { method: string; resolve: (call: HeldCall) => void }[] = [];
  private getMeInFlight = 0;
  maxGetMeInFlight = 0;

  readonly transformer: Transformer = (_prev, method, _payload, signal) => {
    if (method !== 'getMe' && method !== 'getUpdates') return Promise.resolve({ ok: true, result: true } as never);
    return new Promise((resolve, reject) => {
      if (method === 'getMe') this.maxGetMeInFlight = Math.max(this.maxGetMeInFlight, ++this.getMeInFlight);
      let settled = false;
      const call: HeldCall = {
        method,
        answer: (reply) => {
          if (settled) return;
          settled = true;
          if (method === 'getMe') this.getMeInFlight--;
          this.held.splice(this.held.indexOf(call), 1);
          resolve(reply as never);
        },
      };
      signal?.addEventListener('abort', () => {
        if (settled) return;
        settled = true;
        this.held.splice(this.held.indexOf(call), 1);
        reject(new Error('aborted'));
      });
      this.held.push(call);
      const waiter = this.waiters.findIndex((w) => w.method === method);
      if (waiter >= 0) this.waiters.splice(waiter, 1)[0]!.resolve(call);
    });
  };

  /** The next call of `method` not yet taken by the test: one already held, or the next to come. */
  next(method: string): Promise<HeldCall> {
    const call = this.held.find((c) => c.method === method && !this.taken.has(c));
    if (call) {
      this.taken.add(call);
      return Promise.resolve(call);
    }
    return new Promise((resolve) =>
      this.waiters.push({
        method,
        resolve: (c) => {
          this.taken.add(c);
          resolve(c);
        },
      }),
    );
  }

  /** Every getMe call waiting for an answer. */
  heldGetMe(): HeldCall[] {
    return this.held.filter((c) => c.method === 'getMe');
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TelegramConnection: the probe while polling is cut off', () => {
  it('runs one getMe loop at a time when the state flips twice, and stop() leaves no timer', async () => {
    vi.useFakeTimers();
    const retryMs = 1_000;
    const api = new ScriptedApi();
    const bot = new Bot(TOKEN);
    const connection = new TelegramConnection({ bot, token: TOKEN, logger: silentLogger, onConnected: async () => {}, retryMs });
    bot.api.config.use(api.transformer);
    bot.api.config.use(connection.observe);

    const started = connection.start();
    (await api.next('getMe')).answer({ ok: true, result: ME });
    await started;
    expect(connection.status).toBe('polling');

    // A poll fails: unreachable, and the first probe loop waits `retryMs` before its getMe.
    (await api.next('getUpdates')).answer(badGateway);
    await vi.advanceTimersByTimeAsync(0);
    expect(connection.status).toBe('unreachable');
    await vi.advanceTimersByTimeAsync(retryMs);
    const firstProbe = await api.next('getMe');

    // While that getMe is pending, a poll gets through (polling) and the next fails (unreachable again).
    (await api.next('getUpdates')).answer({ ok: true, result: [] });
    await vi.advanceTimersByTimeAsync(0);
    expect(connection.status).toBe('polling');
    (await api.next('getUpdates')).answer(badGateway);
    await vi.advanceTimersByTimeAsync(0);
    expect(connection.status).toBe('unreachable');

    // A retry interval later the runner polls again (held): a second loop would have asked getMe by now.
    await vi.advanceTimersByTimeAsync(retryMs);
    await api.next('getUpdates');
    expect(api.maxGetMeInFlight).toBe(1);

    // Every probe's getMe fails: each loop that exists goes back to its pause.
    firstProbe.answer(badGateway);
    for (const call of api.heldGetMe()) call.answer(badGateway);
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBeGreaterThan(0);

    await connection.stop();
    expect(connection.status).toBe('stopped');
    expect(vi.getTimerCount()).toBe(0);
    expect(api.maxGetMeInFlight).toBe(1);
  });
});
