import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { UserFacingError } from '../../bot/errors.js';
import type { Prompts } from '../../bot/prompts.js';
import * as playbookQa from '../../skills/playbook-qa/index.js';
import type { Runtime } from '../runtime.js';
import { describeError, note, out } from '../output.js';

/**
 * `opsbot start`. No chat platform is wired up yet, so it runs the local playground: questions typed in
 * a terminal are answered from the playbook. Without a terminal it says how to ask and exits cleanly.
 */
export function registerStart(program: Command, prompts: Prompts, runtime: () => Runtime): void {
  program
    .command('start')
    .description(prompts.render('cli/start-description'))
    .addHelpText('after', prompts.render('cli/start-examples'))
    .action(async () => {
      const { knowledge, logger } = runtime();
      const { documents, chunks } = await knowledge.build({ saveRequired: false });
      const summary = { documents, chunks };
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        out(prompts.render('cli/playground-no-tty', summary));
        return;
      }
      out(prompts.render('cli/playground-welcome', summary));
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      rl.on('SIGINT', () => rl.close());
      const closed = new Promise<void>((resolve) => rl.once('close', resolve));
      try {
        for (;;) {
          const line = await Promise.race([rl.question(prompts.render('cli/playground-prompt')), closed.then(() => undefined)]);
          if (line === undefined || ['exit', 'quit', '退出'].includes(line.trim())) break;
          if (!line.trim()) continue;
          try {
            out((await playbookQa.handle(line, { knowledge })).reply + '\n');
          } catch (err) {
            if (!(err instanceof UserFacingError)) throw err;
            note(describeError(err, prompts, logger).message);
          }
        }
      } finally {
        rl.close();
      }
      out(prompts.render('cli/playground-bye'));
    });
}
