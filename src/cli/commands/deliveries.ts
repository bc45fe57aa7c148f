import type { Command } from 'commander';
import type { App } from '../../app/app.js';
import type { Delivery } from '../../bot/deliveries/types.js';
import type { Prompts } from '../../kernel/prompts.js';
import { out, UsageError } from '../output.js';

interface DeliveriesOptions {
  since?: string;
  chat?: string;
  source?: string;
  limit?: string;
  json?: boolean;
}

/** `opsbot deliveries`: the delivery log, newest first, by time, chat or source. */
export function registerDeliveries(program: Command, prompts: Prompts, app: () => App): void {
  program
    .command('deliveries')
    .description(prompts.render('cli/deliveries-description'))
    .option('--since <time>', prompts.render('cli/deliveries-since-option'))
    .option('--chat <id>', prompts.render('cli/deliveries-chat-option'))
    .option('--source <prefix>', prompts.render('cli/deliveries-source-option'))
    .option('--limit <n>', prompts.render('cli/deliveries-limit-option'))
    .option('--json', prompts.render('cli/json-option'))
    .addHelpText('after', prompts.render('cli/deliveries-examples'))
    .action(async (options: DeliveriesOptions) => {
      // The delivery log's and the scheduler's code are loaded by this command only.
      const [{ reasonInWords }, { deliveryFields, parseSince }, { localTime }] = await Promise.all([
        import('../../bot/deliveries/reasons.js'),
        import('../../bot/deliveries/types.js'),
        import('../../bot/scheduler/runner.js'),
      ]);
      /** The `deliveries --json` contract: these fields in this order. */
      const deliveryJson = (d: Delivery): string => JSON.stringify(deliveryFields(d));
      const rt = app();
      const since = options.since === undefined ? undefined : parseSince(options.since, rt.now());
      if (options.since !== undefined && !since) throw new UsageError(prompts.render('cli/deliveries-invalid-since', { value: options.since }));
      const limit = options.limit === undefined ? 100 : /^\d{1,5}$/.test(options.limit) ? Number(options.limit) : NaN;
      if (!(limit >= 1 && limit <= 10_000)) throw new UsageError(prompts.render('cli/deliveries-invalid-limit', { value: options.limit ?? '' }));
      const log = await rt.service('deliveries');
      const list = await log.list({ ...(since ? { since } : {}), ...(options.chat ? { chat: options.chat } : {}), ...(options.source ? { source: options.source } : {}), limit });
      if (options.json) {
        for (const d of list) out(deliveryJson(d));
        return;
      }
      if (list.length === 0) {
        out(prompts.render('cli/deliveries-none'));
        return;
      }
      // Groups by name where the registry knows them.
      const groups = await rt.service('groups');
      const names = new Map((await groups.list()).map((g) => [`${g.platform}:${g.id}`, g.name]));
      for (const d of list) {
        const name = names.get(`${d.platform}:${d.chat}`);
        out(
          prompts.render('cli/deliveries-line', {
            at: localTime(d.at, rt.config.tz),
            status: prompts.render(`cli/delivery-status-${d.status}`),
            platform: prompts.render(`cli/platform-name-${d.platform}`),
            chat: name ? `${name}（${d.chat}）` : d.chat,
            source: d.source,
            reason: d.reason ? prompts.render('cli/jobs-reason', { reason: reasonInWords(d.reason, prompts) }) : '',
          }),
        );
      }
    });
}
