import type { TelegramAdapter } from '../bot/adapters/telegram.js';
import type { WechatAdapter } from '../bot/adapters/wechat.js';
import type { MembershipEvent, Platform, Transport } from '../bot/context.js';
import type { RawHandler } from '../bot/http.js';
import type { Router } from '../bot/router.js';
import type { App } from './app.js';
import type { StartOptions } from './bot.js';

/** The platforms one process runs. */
export interface Platforms {
  readonly telegram?: TelegramAdapter;
  readonly wechat?: WechatAdapter;
  /** The webhook, when Telegram runs in webhook mode. */
  readonly hooks: Record<string, RawHandler>;
  /** What /healthz says of them. */
  health(): Record<string, unknown>;
  /** Stops taking messages and sends what is queued. */
  stop(): Promise<void>;
}

interface Wiring extends StartOptions {
  readonly router: Router;
  readonly onMembership: (event: MembershipEvent, transport: Transport) => Promise<void>;
  readonly attach: (platform: Platform, transport: Transport, account: string) => Promise<void>;
}

/**
 * Builds and starts the platform adapters this process runs (each library loaded only when its platform
 * runs): Telegram by long polling or webhook, WeChat with whatever puppet wechaty is given. Each sends the
 * outbox of its account; trouble on WeChat is told to the operators on Telegram, through the outbox.
 */
export async function startPlatforms(app: App, wiring: Wiring): Promise<Platforms> {
  const { config, logger, prompts } = app;
  const wanted = new Set(wiring.platforms ?? config.platforms);
  const { store, roles, outbox } = await app.services(['store', 'roles', 'outbox']);
  const common = { router: wiring.router, store, logger, tz: config.tz, now: app.now, onMembership: wiring.onMembership };
  // The shop's quiet hours (OPSBOT_QUIET_HOURS); `off` is a range that is never entered.
  const quietHours = config.quietHours ?? { start: '00:00', end: '00:00' };
  const hooks: Record<string, RawHandler> = {};
  let telegram: TelegramAdapter | undefined;
  let wechat: WechatAdapter | undefined;
  const telegramConfig = config.telegram;
  if (wanted.has('telegram') && telegramConfig) {
    const { TelegramAdapter } = await import('../bot/adapters/telegram.js');
    const inTelegram = (people: readonly string[], role: 'admin' | 'agent') =>
      people.filter((p) => p.startsWith('telegram:')).map((p) => ({ id: p.slice('telegram:'.length), role }));
    // An admin listed as an agent too keeps the admin menu (last wins).
    const staff = [...inTelegram(roles.agents, 'agent'), ...inTelegram(roles.admins, 'admin')];
    telegram = new TelegramAdapter({
      ...common,
      prompts,
      staff,
      token: telegramConfig.token,
      ...(telegramConfig.apiRoot ? { apiRoot: telegramConfig.apiRoot } : {}),
      pacing: { quietHours, ...wiring.telegram?.pacing },
      ...(wiring.telegram?.retryMs ? { retryMs: wiring.telegram.retryMs } : {}),
      onStatus: (status, detail) => wiring.onPlatformStatus?.('telegram', status, detail),
    });
    const webhook = Boolean(telegramConfig.webhookUrl);
    if (webhook) hooks['/telegram/webhook'] = (headers, body) => telegram!.webhookUpdate(telegramConfig.webhookSecret, String(headers['x-telegram-bot-api-secret-token'] ?? ''), body);
    // Never fails the start: a refused token or an API away is a state (/healthz, onPlatformStatus).
    await telegram.start(webhook ? { webhookUrl: telegramConfig.webhookUrl!, webhookSecret: telegramConfig.webhookSecret } : {});
    // A refused token sends nothing: its outbox waits for a process whose token works (or expires).
    if (telegram.status !== 'unauthorized') await wiring.attach('telegram', telegram, telegram.account);
  }
  if (wanted.has('wechat') && config.wechat) {
    const { WechatAdapter } = await import('../bot/adapters/wechat.js');
    // Operators hear of trouble on WeChat in Telegram, at once (not held by quiet hours); the log has it either way.
    const alertOperators = (what: 'rate-limited' | 'logged-out', detail: string) => {
      logger.error({ what, detail }, 'wechat: operators alerted');
      const text = prompts.render(`bot/alert-wechat-${what}`, { detail });
      const minute = Math.floor(Date.now() / 60_000);
      for (const admin of roles.admins.filter((a) => a.startsWith('telegram:'))) {
        const chat = admin.slice('telegram:'.length);
        outbox
          .push({ platform: 'telegram', chat, content: { kind: 'text', text }, source: 'alert', dedupeKey: `alert:wechat:${what}:${minute}:${chat}`, urgent: true })
          .catch((err: unknown) => logger.error({ err }, 'wechat: the operators could not be alerted'));
      }
    };
    const adapter: WechatAdapter = new WechatAdapter({
      ...common,
      dataDir: config.dataDir,
      onAlert: alertOperators,
      // Its outbox is sent once the account is known, at each login.
      onLogin: (account) => void wiring.attach('wechat', adapter, account).catch((err: unknown) => logger.error({ err }, 'wechat: could not start sending the outbox')),
      ...(wiring.wechat?.puppet ? { puppet: wiring.wechat.puppet } : {}),
      pacing: { quietHours, ...wiring.wechat?.pacing },
    });
    wechat = adapter;
    await wechat.start();
  }
  const telegramMode = telegramConfig?.webhookUrl ? 'webhook' : 'polling';
  return {
    ...(telegram ? { telegram } : {}),
    ...(wechat ? { wechat } : {}),
    hooks,
    health: () => ({
      // Not ok while a platform this process runs cannot work (a refused token, the API away).
      ...(telegram?.down ? { ok: false } : {}),
      telegram: telegram ? telegram.status : 'off',
      wechat: wechat ? (wechat.bot.isLoggedIn ? 'logged-in' : 'waiting-for-login') : 'off',
      platforms: [...(telegram ? [`telegram:${telegramMode}`] : []), ...(wechat ? ['wechat'] : [])],
    }),
    stop: async () => {
      await Promise.all([telegram?.stop(), wechat?.stop()]);
    },
  };
}
