import type { Command } from 'commander';
import { UserFacingError } from '../../kernel/errors.js';
import type { Prompts } from '../../kernel/prompts.js';
import type { ReplySuggestions } from '../../skills/cs-scripts/service.js';
import { readBatchFile, runBatch } from '../batch.js';
import type { App } from '../../app/app.js';
import { describeError, EXIT_FAILURE, note, out, UsageError } from '../output.js';

interface ReplyOptions {
  json?: boolean;
  batch?: string;
}

/** The human-readable form: the intent, then each suggestion with what it is based on. */
export function formatSuggestions(result: ReplySuggestions, prompts: Prompts): string {
  const lines = [
    prompts.render('cli/reply-intent', {
      label: prompts.render(`cs/intent-${result.intent}`),
      intent: result.intent,
      confidence: result.confidence.toFixed(2),
      mode: result.mode === 'model' ? prompts.render('cli/reply-mode-model') : '',
    }),
  ];
  if (result.suggestions.length === 0) return [...lines, prompts.render('cli/reply-none')].join('\n');
  lines.push(prompts.render('cli/reply-suggestions-title'));
  result.suggestions.forEach((s, i) => {
    lines.push(prompts.render('cli/reply-suggestion-line', { n: i + 1, tone: prompts.render(s.tone ? `cs/tone-${s.tone}` : 'cli/reply-tone-model'), text: s.text }));
    lines.push(prompts.render('cli/reply-source-line', { source: s.source, basis: s.basis ? ` · ${s.basis}` : '' }));
  });
  return lines.join('\n');
}

/** `opsbot reply`: the intent of a customer's message and two or three suggested replies, one message or a file of them. */
export function registerReply(program: Command, prompts: Prompts, app: () => App): void {
  program
    .command('reply')
    .description(prompts.render('cli/reply-description'))
    .argument('[message...]', prompts.render('cli/reply-message-argument'))
    .option('--json', prompts.render('cli/json-option'))
    .option('--batch <file>', prompts.render('cli/reply-batch-option'))
    .addHelpText('after', prompts.render('cli/reply-examples'))
    .action(async (words: string[], options: ReplyOptions) => {
      // The customer-service code is loaded by this command only, not by every command the CLI knows.
      const { replyFields } = await import('../../skills/cs-scripts/service.js');
      /** The --json shape. */
      const toJson = (result: ReplySuggestions): string => JSON.stringify(replyFields(result));
      if (words.length === 0 && !options.batch) throw new UsageError(prompts.render('cli/reply-needs-message'));
      if (words.length > 0 && options.batch) throw new UsageError(prompts.render('cli/reply-message-or-batch'));
      const rt = app();
      const cs = await rt.service('cs');
      const { defaulted } = await rt.service('facts');
      if (defaulted.length > 0) {
        const fields = defaulted.map((f) => prompts.render(`cs/fact-${f}`)).join(prompts.render('cli/list-separator'));
        note(prompts.render('cli/reply-facts-defaulted', { fields }));
      }
      const show = (r: ReplySuggestions) => out(options.json ? toJson(r) : formatSuggestions(r, prompts));
      const failure = (message: string, err: UserFacingError, item?: number) =>
        JSON.stringify({ message, intent: null, confidence: 0, suggestions: [], ...(item ? { item } : {}), error: { code: err.code, message: describeError(err, prompts, rt.logger).message } });
      if (!options.batch) {
        const message = words.join(' ');
        try {
          show(await cs.suggest(message));
        } catch (err) {
          // With --json the reader gets an object either way; the sentence goes to stderr as usual.
          if (options.json && err instanceof UserFacingError) out(failure(message, err));
          throw err;
        }
        return;
      }
      // A bad line does not stop the batch: it gets its own error object, and the exit code says so.
      const messages = await readBatchFile(options.batch, prompts);
      const failed = await runBatch(
        messages,
        prompts.render('cli/reply-progress'),
        async (message) => {
          const result = await cs.suggest(message);
          out(options.json ? toJson(result) : `【${message}】\n${formatSuggestions(result, prompts)}\n`);
        },
        (message, err, item) => out(options.json ? failure(message, err, item) : `【${message.slice(0, 40)}】\n${describeError(err, prompts, rt.logger).message}\n`),
      );
      note(prompts.render('cli/reply-batch-summary', { total: messages.length, done: messages.length - failed, failed }));
      if (failed > 0) process.exitCode = EXIT_FAILURE;
    });
}
