import type { Command } from 'commander';
import type { App } from '../../app/app.js';
import { startBot } from '../../app/bot.js';
import type { Prompts } from '../../kernel/prompts.js';
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

/** Runs the platforms this process runs until SIGINT/SIGTERM, then stops them, drains the send queues and closes the store. */
async function runPlatforms(app: App): Promise<void> {
  const { config, logger, prompts } = app;
  const { documents, chunks } = await app.knowledge.build({ saveRequired: false });
  const bot = await startBot(app, { health: () => ({ knowledge: { documents, chunks } }) });
  const telegramMode = bot.telegram ? (config.telegram?.webhookUrl ? 'webhook' : 'polling') : 'off';
  out(
    prompts.render('cli/start-running', {
      port: bot.httpPort ?? config.httpPort,
      telegram: prompts.render(`cli/platform-${telegramMode}`),
      wechat: prompts.render(bot.wechat ? 'cli/platform-on' : 'cli/platform-off'),
    }),
  );
  const signal = await untilSignal();
  logger.info({ signal }, 'stopping: draining the send queues');
  await bot.close();
  out(prompts.render('cli/start-stopped'));
}

/**
 * `opsbot start`: the platforms this process runs (OPSBOT_PLATFORMS; by default Telegram when
 * TELEGRAM_BOT_TOKEN is set and WeChat when WECHATY_PUPPET is set), the scheduler and the local HTTP
 * server. With no platform configured it opens the local playground; without a terminal it says the
 * assistant is ready and how to ask, and exits cleanly.
 */
export function registerStart(program: Command, prompts: Prompts, app: () => App): void {
  program
    .command('start')
    .description(prompts.render('cli/start-description'))
    .addHelpText('after', prompts.render('cli/start-examples'))
    .action(async () => {
      const rt = app();
      if (rt.config.platforms.length > 0) return runPlatforms(rt);
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        const { documents, chunks } = await rt.knowledge.build({ saveRequired: false });
        out(prompts.render('cli/playground-no-tty', { documents, chunks }));
        return;
      }
      await runPlayground(rt, { role: 'fan' });
    });
}
