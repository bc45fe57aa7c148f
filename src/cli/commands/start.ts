import type { Command } from 'commander';
import type { App } from '../../app/app.js';
import type { Bot } from '../../app/bot.js';
import type { Prompts } from '../../kernel/prompts.js';
import { note, out } from '../output.js';

/** The states of Telegram's connection the terminal is told of. */
const TELEGRAM_NOTICES = new Set(['unreachable', 'unauthorized', 'conflict', 'stopped', 'polling', 'webhook']);

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

/**
 * `opsbot start`: the platforms this process runs (OPSBOT_PLATFORMS; by default Telegram when
 * TELEGRAM_BOT_TOKEN is set and WeChat when WECHATY_PUPPET is set), the scheduler, and the HTTP server
 * with the web console (its playground works with no platform at all), until SIGINT/SIGTERM; then it
 * stops them, drains the send queues and closes the store. The last line it prints is the console's URL.
 */
export function registerStart(program: Command, prompts: Prompts, app: () => App): void {
  program
    .command('start')
    .description(prompts.render('cli/start-description'))
    .addHelpText('after', prompts.render('cli/start-examples'))
    .action(async () => {
      const rt = app();
      const { config, logger } = rt;
      // The bot, its HTTP server (Fastify) and the console are loaded here only: `ask` or `kpi` never pay for them.
      const [{ startBot }, { openConsole }] = await Promise.all([import('../../app/bot.js'), import('../../console/index.js')]);
      const { documents, chunks } = await rt.knowledge.build({ saveRequired: false });
      const web = await openConsole(rt);
      let bot: Bot;
      try {
        bot = await startBot(rt, {
          extend: web.extend,
          health: () => ({ knowledge: { documents, chunks } }),
          // Telegram's trouble and its end, said to the person at the terminal (the log has the details).
          onPlatformStatus: (platform, status) => {
            if (platform === 'telegram' && TELEGRAM_NOTICES.has(status)) note(prompts.render(`cli/telegram-${status === 'polling' || status === 'webhook' ? 'back' : status}`));
          },
        });
      } catch (err) {
        await web.close();
        throw err;
      }
      const status = bot.telegram?.status;
      const telegramMode = !bot.telegram ? 'off' : status === 'unreachable' || status === 'unauthorized' ? `telegram-${status}` : config.telegram?.webhookUrl ? 'webhook' : 'polling';
      out(
        prompts.render('cli/start-running', {
          telegram: prompts.render(`cli/platform-${telegramMode}`),
          wechat: prompts.render(bot.wechat ? 'cli/platform-on' : 'cli/platform-off'),
          documents,
          chunks,
          url: web.url(bot.httpPort ?? config.httpPort),
        }),
      );
      const signal = await untilSignal();
      logger.info({ signal }, 'stopping: draining the send queues');
      // The shop's bot and the playground's demo shop are independent: they stop side by side.
      await Promise.all([bot.close(), web.close()]);
      out(prompts.render('cli/start-stopped'));
    });
}
