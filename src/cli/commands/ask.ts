import type { Command } from 'commander';
import type { Prompts } from '../../kernel/prompts.js';
import { MAX_K } from '../../knowledge/knowledge-base.js';
import type { Answer } from '../../knowledge/types.js';
import type { App } from '../../app/app.js';
import { readBatchFile, runBatch } from '../batch.js';
import { describeError, EXIT_FAILURE, note, out, UsageError } from '../output.js';

interface AskOptions {
  json?: boolean;
  k?: string;
  batch?: string;
}

/** The human-readable form of an answer: the answer, then its sources. */
export function formatAnswer(answer: Answer, prompts: Prompts): string {
  const lines = [answer.answer];
  if (answer.mode === 'llm' && answer.found) lines.push(prompts.render('cli/ask-mode-llm'));
  if (answer.sources.length > 0) {
    lines.push('', prompts.render('cli/ask-sources-title'));
    answer.sources.forEach((s, i) =>
      lines.push(prompts.render('cli/ask-source-line', { n: i + 1, doc: s.doc, section: s.section })),
    );
  }
  return lines.join('\n');
}

function parseK(value: string | undefined, prompts: Prompts): number | undefined {
  if (value === undefined) return undefined;
  const k = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (!(k >= 1 && k <= MAX_K)) throw new UsageError(prompts.render('cli/ask-invalid-k', { value, max: MAX_K }));
  return k;
}

/** `opsbot ask`: answers questions from the playbook, one or a file of them. */
export function registerAsk(program: Command, prompts: Prompts, app: () => App): void {
  program
    .command('ask')
    .description(prompts.render('cli/ask-description'))
    .argument('[question...]', prompts.render('cli/ask-question-argument'))
    .option('--json', prompts.render('cli/json-option'))
    .option('--k <n>', prompts.render('cli/ask-k-option'))
    .option('--batch <file>', prompts.render('cli/ask-batch-option'))
    .addHelpText('after', prompts.render('cli/ask-examples'))
    .action(async (words: string[], options: AskOptions) => {
      const k = parseK(options.k, prompts);
      if (words.length === 0 && !options.batch) throw new UsageError(prompts.render('cli/ask-needs-question'));
      const { knowledge, logger } = app();
      // Whoever runs the CLI has the shop's files: staff-only passages included.
      const ask = (q: string) => knowledge.ask(q, { audience: 'staff', ...(k === undefined ? {} : { k }) });
      if (!options.batch) {
        const answer = await ask(words.join(' '));
        out(options.json ? JSON.stringify(answer) : formatAnswer(answer, prompts));
        return;
      }
      // A bad line does not stop the batch: it gets its own error result, and the exit code says so.
      const questions = await readBatchFile(options.batch, prompts);
      let found = 0;
      const failed = await runBatch(
        questions,
        prompts.render('cli/ask-progress'),
        async (question) => {
          const answer = await ask(question);
          if (answer.found) found++;
          out(options.json ? JSON.stringify(answer) : `【${answer.question}】\n${formatAnswer(answer, prompts)}\n`);
        },
        (question, err, item) => {
          const { message } = describeError(err, prompts, logger);
          const result = { question, found: false, answer: message, sources: [], mode: 'extractive', item, error: { code: err.code } };
          out(options.json ? JSON.stringify(result) : `【${question}】\n${message}\n`);
        },
      );
      const total = questions.length;
      note(prompts.render('cli/ask-batch-summary', { total, found, missing: total - found - failed, failed }));
      if (failed > 0) process.exitCode = EXIT_FAILURE;
    });
}
