import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ErrorCode, UserFacingError } from '../../kernel/errors.js';
import type { Prompts } from '../../kernel/prompts.js';
import type { KpiAnswer, KpiReply } from '../../skills/metrics/service.js';
import { readBatchFile, runBatch } from '../batch.js';
import type { App } from '../../app/app.js';
import { describeError, EXIT_FAILURE, note, out, UsageError } from '../output.js';

interface KpiOptions {
  json?: boolean;
  now?: string;
  chart?: string;
  force?: boolean;
  batch?: string;
}

/** `opsbot kpi`: a KPI question in plain Chinese or English answered from the imported metrics. */
export function registerKpi(program: Command, prompts: Prompts, app: () => App): void {
  program
    .command('kpi')
    .description(prompts.render('cli/kpi-description'))
    .argument('[question...]', prompts.render('cli/kpi-question-argument'))
    .option('--json', prompts.render('cli/json-option'))
    .option('--now <YYYY-MM-DD>', prompts.render('cli/kpi-now-option'))
    .option('--chart <file>', prompts.render('cli/kpi-chart-option'))
    .option('--force', prompts.render('cli/kpi-force-option'))
    .option('--batch <file>', prompts.render('cli/kpi-batch-option'))
    .addHelpText('after', prompts.render('cli/kpi-examples'))
    .action(async (words: string[], options: KpiOptions) => {
      // The metrics code is loaded by this command only, not by every command the CLI knows.
      const [{ isDay }, { kpiFields, kpiJson }] = await Promise.all([import('../../skills/metrics/period.js'), import('../../skills/metrics/service.js')]);
      if (words.length === 0 && !options.batch) throw new UsageError(prompts.render('cli/kpi-needs-question'));
      if (words.length > 0 && options.batch) throw new UsageError(prompts.render('cli/kpi-question-or-batch'));
      if (options.batch && options.chart) throw new UsageError(prompts.render('cli/kpi-chart-or-batch'));
      if (options.now !== undefined && !isDay(options.now)) throw new UsageError(prompts.render('cli/kpi-invalid-now', { value: options.now }));
      const rt = app();
      const metrics = await rt.service('metrics');
      const ask = async (question: string): Promise<KpiReply> => {
        const reply = await metrics.ask(question, options.now ? { today: options.now } : {});
        // Nothing parsable: the reply lists what can be asked, and the exit code says it was not answered.
        if (reply.answer.metric === null) throw new UnknownQuestion(reply.answer);
        return reply;
      };
      const show = (a: KpiAnswer) => out(options.json ? kpiJson(a) : a.text);
      const explain = (err: UserFacingError) => (err instanceof UnknownQuestion ? err.answer.text : describeError(err, prompts, rt.logger).message);
      // With --json the reader gets an object in the contract's shape either way, with the error added.
      const failure = (question: string, err: UserFacingError) => {
        const text = explain(err);
        const base = err instanceof UnknownQuestion ? kpiFields(err.answer) : { question, metric: null, from: null, to: null, filters: {}, value: null, unit: null, text };
        return JSON.stringify({ ...base, error: { code: err.code, message: text } });
      };

      // Errors go to stderr; with --json the object in the contract's shape goes to stdout as well.
      const fail = (question: string, err: UserFacingError) => {
        note(explain(err));
        if (options.json) out(failure(question, err));
        process.exitCode = EXIT_FAILURE;
      };

      if (!options.batch) {
        const question = words.join(' ');
        let reply: KpiReply;
        try {
          // As `cp -n`: an existing file is kept unless --force, and nothing is asked or drawn.
          if (options.chart && !options.force && existsSync(options.chart)) throw chartExists(options.chart);
          reply = await ask(question);
        } catch (err) {
          if (!(err instanceof UserFacingError)) throw err;
          fail(question, err);
          return;
        }
        show(reply.answer);
        if (options.chart) {
          if (!reply.chart) {
            note(prompts.render('cli/kpi-no-chart'));
            return;
          }
          // ECharts is loaded only when a chart is drawn.
          const { renderChartAsync } = await import('../../skills/metrics/chart.js');
          const png = await renderChartAsync(reply.chart);
          try {
            // 'wx' fails if the file appeared meanwhile: the check above is not enough on its own.
            await writeFile(options.chart, png, { flag: options.force ? 'w' : 'wx' });
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code ?? '';
            fail(question, code === 'EEXIST' ? chartExists(options.chart) : chartUnwritable(options.chart, code, prompts));
            return;
          }
          note(prompts.render('cli/kpi-chart-written', { file: options.chart }));
        }
        return;
      }
      const questions = await readBatchFile(options.batch, prompts);
      const failed = await runBatch(
        questions,
        prompts.render('cli/kpi-progress'),
        async (question) => {
          const { answer } = await ask(question);
          out(options.json ? kpiJson(answer) : `【${question}】\n${answer.text}\n`);
        },
        (question, err) => (options.json ? out(failure(question, err)) : note(`【${question.slice(0, 40)}】\n${explain(err)}\n`)),
      );
      note(prompts.render('cli/kpi-batch-summary', { total: questions.length, done: questions.length - failed, failed }));
      if (failed > 0) process.exitCode = EXIT_FAILURE;
    });
}

function chartExists(file: string): UserFacingError {
  return new UserFacingError(ErrorCode.METRICS_CHART_EXISTS, 'errors/metrics-chart-exists', { file });
}

const WRITE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'cli/kpi-chart-no-folder',
  ENOTDIR: 'cli/kpi-chart-no-folder',
  EISDIR: 'cli/kpi-chart-is-folder',
  EACCES: 'cli/kpi-chart-no-permission',
  EPERM: 'cli/kpi-chart-no-permission',
  EROFS: 'cli/kpi-chart-no-permission',
  ENOSPC: 'cli/kpi-chart-disk-full',
};

function chartUnwritable(file: string, code: string, prompts: Prompts): UserFacingError {
  return new UserFacingError(ErrorCode.METRICS_CHART_FAILED, 'errors/metrics-chart-unwritable', {
    file,
    reason: prompts.render(WRITE_ERRORS[code] ?? 'cli/kpi-chart-write-failed'),
  });
}

/** A question that names no metric opsbot knows: answered with what can be asked, counted as not answered. */
class UnknownQuestion extends UserFacingError {
  constructor(readonly answer: KpiAnswer) {
    super(ErrorCode.METRICS_QUESTION_UNKNOWN, 'metrics/help');
  }
}
