import type { Command } from 'commander';
import { TelegramAdapter } from '../../bot/adapters/telegram.js';
import { WechatAdapter } from '../../bot/adapters/wechat.js';
import { createAssistant } from '../../bot/assistant.js';
import { startHttpServer, type HttpHandler } from '../../bot/http.js';
import type { Prompts } from '../../bot/prompts.js';
import type { Runtime } from '../runtime.js';
import { out } from '../output.js';
import { runPlayground } from './chat.js';

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Runs every configured platform until SIGINT/SIGTERM, then stops them, drains the send queues and closes the store. */
async function runPlatforms(rt: Runtime): Promise<void> {
  const { config, logger, prompts } = rt;
  const { documents, chunks } = await rt.knowledge.build({ saveRequired: false });
  const assistant = await createAssistant(rt);
  const common = { router: assistant.router, store: assistant.store, logger, tz: config.tz, onMembership: assistant.onMembership };
  const inTelegram = (people: readonly string[], role: 'admin' | 'agent') =>
    people.filter((p) => p.startsWith('telegram:')).map((p) => ({ id: p.slice('telegram:'.length), role }));
  // An admin listed as an agent too keeps the admin menu (last wins).
  const staff = [...inTelegram(assistant.agents, 'agent'), ...inTelegram(assistant.admins, 'admin')];
  const telegram = config.telegram
    ? new TelegramAdapter({ ...common, prompts, staff, token: config.telegram.token, ...(config.telegram.apiRoot ? { apiRoot: config.telegram.apiRoot } : {}) })
    : undefined;
  // Operators hear of trouble on WeChat through Telegram, where they are, at once (not held by quiet
  // hours); the log has it either way.
  const alertOperators = (what: 'rate-limited' | 'logged-out', detail: string) => {
    logger.error({ what, detail }, 'wechat: operators alerted');
    const text = prompts.render(`bot/alert-wechat-${what}`, { detail });
    for (const id of assistant.admins.filter((a) => a.startsWith('telegram:'))) {
      void telegram?.send(id.slice('telegram:'.length), { kind: 'text', text }, { urgent: true });
    }
  };
  const wechat = config.wechat ? new WechatAdapter({ ...common, dataDir: config.dataDir, onAlert: alertOperators }) : undefined;
  if (telegram) assistant.transports.set('telegram', telegram);
  if (wechat) assistant.transports.set('wechat', wechat);
  const routes: Record<string, HttpHandler> = {};
  if (telegram && config.telegram?.webhookUrl) routes['/telegram/webhook'] = telegram.webhookHandler(config.telegram.webhookSecret);
  const telegramMode = config.telegram ? (config.telegram.webhookUrl ? 'webhook' : 'polling') : 'off';
  const http = await startHttpServer({
    port: config.httpPort,
    logger,
    routes,
    health: () => ({
      store: assistant.store.kind,
      telegram: telegram ? telegram.status : 'off',
      wechat: wechat ? (wechat.bot.isLoggedIn ? 'logged-in' : 'waiting-for-login') : 'off',
      knowledge: { documents, chunks },
    }),
  });
  if (telegram) {
    await telegram.start({ webhook: telegramMode === 'webhook' });
    if (config.telegram?.webhookUrl) await telegram.bot.api.setWebhook(config.telegram.webhookUrl, { secret_token: config.telegram.webhookSecret });
  }
  await wechat?.start();
  // Reminders go out where the agents can be reached: the process that runs Telegram.
  if (telegram) assistant.escalations.start();
  out(prompts.render('cli/start-running', { port: http.port, telegram: prompts.render(`cli/platform-${telegramMode}`), wechat: prompts.render(wechat ? 'cli/platform-on' : 'cli/platform-off') }));
  const signal = await untilSignal();
  logger.info({ signal }, 'stopping: draining the send queues');
  // Take no more updates first, so nothing accepted loses its answer; then send what is queued.
  await http.close();
  await Promise.all([telegram?.stop(), wechat?.stop()]);
  await assistant.close();
  out(prompts.render('cli/start-stopped'));
}

/**
 * `opsbot start`: every configured platform (Telegram when TELEGRAM_BOT_TOKEN is set, WeChat when
 * WECHATY_PUPPET is set) and the local HTTP server. With no platform configured it opens the local
 * playground; without a terminal it says the assistant is ready and how to ask, and exits cleanly.
 */
export function registerStart(program: Command, prompts: Prompts, runtime: () => Runtime): void {
  program
    .command('start')
    .description(prompts.render('cli/start-description'))
    .addHelpText('after', prompts.render('cli/start-examples'))
    .action(async () => {
      const rt = runtime();
      if (rt.config.telegram || rt.config.wechat) return runPlatforms(rt);
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        const { documents, chunks } = await rt.knowledge.build({ saveRequired: false });
        out(prompts.render('cli/playground-no-tty', { documents, chunks }));
        return;
      }
      await runPlayground(rt, { role: 'fan' });
    });
}
