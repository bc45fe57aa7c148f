import type { Command } from 'commander';
import { webhookCallback } from 'grammy';
import { TelegramAdapter } from '../../bot/adapters/telegram.js';
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

/** Runs every configured platform until SIGINT/SIGTERM, then stops polling, drains the send queues and closes the store. */
async function runPlatforms(rt: Runtime): Promise<void> {
  const { config, logger, prompts } = rt;
  const telegram = config.telegram!;
  const { documents, chunks } = await rt.knowledge.build({ saveRequired: false });
  const assistant = await createAssistant(rt);
  const adapter = new TelegramAdapter({
    token: telegram.token,
    ...(telegram.apiRoot ? { apiRoot: telegram.apiRoot } : {}),
    router: assistant.router,
    store: assistant.store,
    logger,
    prompts,
    tz: config.tz,
  });
  const routes: Record<string, HttpHandler> = {};
  if (telegram.webhookUrl) {
    // grammY answers 401 to a request without the right secret token.
    routes['/telegram/webhook'] = webhookCallback(adapter.bot, 'http', { secretToken: telegram.webhookSecret });
  }
  const http = await startHttpServer({
    port: config.httpPort,
    logger,
    routes,
    health: () => ({ store: assistant.store.kind, telegram: telegram.webhookUrl ? 'webhook' : 'polling', knowledge: { documents, chunks } }),
  });
  await adapter.start({ webhook: Boolean(telegram.webhookUrl) });
  if (telegram.webhookUrl) await adapter.bot.api.setWebhook(telegram.webhookUrl, { secret_token: telegram.webhookSecret });
  out(prompts.render('cli/start-running', { port: http.port, telegram: telegram.webhookUrl ? 'webhook' : 'polling' }));
  const signal = await untilSignal();
  logger.info({ signal }, 'stopping: draining the send queues');
  await adapter.stop();
  await http.close();
  await assistant.close();
  out(prompts.render('cli/start-stopped'));
}

/**
 * `opsbot start`: every configured platform (Telegram when TELEGRAM_BOT_TOKEN is set) and the local HTTP
 * server. With no platform configured it opens the local playground; without a terminal it says the
 * assistant is ready and how to ask, and exits cleanly.
 */
export function registerStart(program: Command, prompts: Prompts, runtime: () => Runtime): void {
  program
    .command('start')
    .description(prompts.render('cli/start-description'))
    .addHelpText('after', prompts.render('cli/start-examples'))
    .action(async () => {
      const rt = runtime();
      if (rt.config.telegram) return runPlatforms(rt);
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        const { documents, chunks } = await rt.knowledge.build({ saveRequired: false });
        out(prompts.render('cli/playground-no-tty', { documents, chunks }));
        return;
      }
      await runPlayground(rt, { role: 'fan' });
    });
}
