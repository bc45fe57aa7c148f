import type { Command } from 'commander';
import type { App } from '../../app/app.js';
import type { Prompts } from '../../kernel/prompts.js';
import { out } from '../output.js';

/** `opsbot groups`: the groups the bot is in, configured or learnt, from the shared store. */
export function registerGroups(program: Command, prompts: Prompts, app: () => App): void {
  program
    .command('groups')
    .description(prompts.render('cli/groups-description'))
    .option('--json', prompts.render('cli/json-option'))
    .addHelpText('after', prompts.render('cli/groups-examples'))
    .action(async (options: { json?: boolean }) => {
      const registry = await app().service('groups');
      const groups = await registry.list();
      const fans = new Set((await registry.fanGroups()).map((g) => `${g.platform}:${g.id}`));
      if (options.json) {
        for (const g of groups) out(JSON.stringify({ ...g, fanGroup: fans.has(`${g.platform}:${g.id}`) }));
        return;
      }
      if (groups.length === 0) {
        out(prompts.render('cli/groups-none', { file: app().config.shopFile }));
        return;
      }
      for (const g of groups) {
        out(
          prompts.render('cli/groups-line', {
            platform: prompts.render(`cli/platform-name-${g.platform}`),
            name: g.name,
            id: g.id,
            tags: g.tags.length > 0 ? g.tags.join(prompts.render('cli/list-separator')) : prompts.render('cli/groups-no-tags'),
            fan: prompts.render(fans.has(`${g.platform}:${g.id}`) ? 'cli/groups-fan-yes' : 'cli/groups-fan-no'),
            skills: g.skills ? g.skills.join(prompts.render('cli/list-separator')) : prompts.render('cli/groups-all-skills'),
            status: prompts.render(`cli/groups-status-${g.status}`),
          }),
        );
      }
    });
}
