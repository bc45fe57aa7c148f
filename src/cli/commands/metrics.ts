import type { Command } from 'commander';
import { UserFacingError } from '../../kernel/errors.js';
import type { Prompts } from '../../kernel/prompts.js';
import type { ImportSummary } from '../../skills/metrics/import.js';
import type { App } from '../../app/app.js';
import { describeError, note, out, rowsBar } from '../output.js';

interface JsonOption {
  json?: boolean;
}

/** The `metrics import --json` shape. */
function importJson(s: ImportSummary): string {
  const { file, rows, added, replaced, first, last, encoding, delimiter, columns, ignored, totals } = s;
  return JSON.stringify({ file, rows, added, replaced, from: first ?? null, to: last ?? null, encoding, delimiter, columns, ignored, totals });
}

/** `opsbot metrics import FILE` and `opsbot metrics status`: the shop's exports into the metrics database. */
export function registerMetrics(program: Command, prompts: Prompts, app: () => App): void {
  const metrics = program
    .command('metrics')
    .description(prompts.render('cli/metrics-description'))
    .addHelpText('after', prompts.render('cli/metrics-examples'));

  metrics
    .command('import')
    .description(prompts.render('cli/metrics-import-description'))
    .argument('<file>', prompts.render('cli/metrics-import-file-argument'))
    .option('--json', prompts.render('cli/json-option'))
    .addHelpText('after', prompts.render('cli/metrics-import-examples'))
    .action(async (file: string, options: JsonOption) => {
      // The importer (CSV, encodings) is loaded by this command only, not by every command the CLI knows.
      const { importMetricsFile, listed } = await import('../../skills/metrics/import.js');
      const rt = app();
      const { db } = await rt.service('metrics');
      const bar = rowsBar(prompts.render('cli/metrics-import-progress'));
      let summary: ImportSummary;
      try {
        summary = await importMetricsFile(file, { db, prompts, onProgress: bar.update });
      } catch (err) {
        bar.stop();
        if (options.json && err instanceof UserFacingError) {
          out(JSON.stringify({ file, error: { code: err.code, message: describeError(err, prompts, rt.logger).message, ...err.params } }));
        }
        throw err;
      } finally {
        bar.stop();
      }
      if (options.json) {
        out(importJson(summary));
        return;
      }
      out(
        prompts.render('cli/metrics-import-summary', {
          file: summary.file,
          rows: summary.rows.toLocaleString('en-US'),
          added: summary.added.toLocaleString('en-US'),
          replaced: summary.replaced.toLocaleString('en-US'),
          from: summary.first ?? '-',
          to: summary.last ?? '-',
          columns: Object.values(summary.columns).join(prompts.render('cli/list-separator')),
        }),
      );
      if (summary.totals > 0) note(prompts.render('cli/metrics-import-totals', { count: summary.totals }));
      if (summary.ignored.length > 0) {
        // Said once, and bounded: an export with hundreds of unused columns gets one short line.
        note(prompts.render('cli/metrics-import-ignored', { columns: listed(summary.ignored, prompts.render('cli/list-separator'), prompts) }));
      }
    });

  metrics
    .command('status')
    .description(prompts.render('cli/metrics-status-description'))
    .option('--json', prompts.render('cli/json-option'))
    .action(async (options: JsonOption) => {
      const { db } = await app().service('metrics');
      const coverage = db.coverage();
      const channels = db.names('channel');
      const products = db.names('product');
      const status = { rows: db.count(), from: coverage?.first ?? null, to: coverage?.last ?? null, channels, products: products.length, path: db.path };
      if (options.json) {
        out(JSON.stringify(status));
        return;
      }
      if (!coverage) {
        out(prompts.render('metrics/nothing-imported'));
        return;
      }
      out(
        prompts.render('cli/metrics-status', {
          rows: status.rows.toLocaleString('en-US'),
          from: coverage.first,
          to: coverage.last,
          channels: channels.join(prompts.render('cli/list-separator')) || '-',
          products: products.length.toLocaleString('en-US'),
          path: db.path,
        }),
      );
    });
}
