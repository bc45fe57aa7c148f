import type { Command } from 'commander';
import type { Prompts } from '../../bot/prompts.js';
import type { Runtime } from '../runtime.js';
import { out } from '../output.js';
import { runPlayground } from './chat.js';

/**
 * `opsbot start`. No chat platform is configured yet, so it runs the local playground (as a fan, in a
 * private chat). Without a terminal it says the assistant is ready and how to ask, and exits cleanly.
 */
export function registerStart(program: Command, prompts: Prompts, runtime: () => Runtime): void {
  program
    .command('start')
    .description(prompts.render('cli/start-description'))
    .addHelpText('after', prompts.render('cli/start-examples'))
    .action(async () => {
      const rt = runtime();
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        const { documents, chunks } = await rt.knowledge.build({ saveRequired: false });
        out(prompts.render('cli/playground-no-tty', { documents, chunks }));
        return;
      }
      await runPlayground(rt, { role: 'fan' });
    });
}
