import type { Command } from 'commander';
import type { Prompts } from '../../kernel/prompts.js';
import type { App } from '../../app/app.js';
import { note, out, progressBar } from '../output.js';

interface KbBuildOptions {
  playbook?: string;
  json?: boolean;
  force?: boolean;
}

/** `opsbot kb build`: builds or refreshes the knowledge base index. */
export function registerKb(program: Command, prompts: Prompts, app: () => App): void {
  const kb = program
    .command('kb')
    .description(prompts.render('cli/kb-description'))
    .addHelpText('after', prompts.render('cli/kb-examples'));
  kb.command('build')
    .description(prompts.render('cli/kb-build-description'))
    .option('--playbook <dir>', prompts.render('cli/kb-build-playbook-option'))
    .option('--force', prompts.render('cli/kb-build-force-option'))
    .option('--json', prompts.render('cli/json-option'))
    .addHelpText('after', prompts.render('cli/kb-build-examples'))
    .action(async (options: KbBuildOptions) => {
      const { knowledge } = app();
      const progress = progressBar(prompts);
      const summary = await knowledge
        .build({
          ...(options.playbook ? { playbookDir: options.playbook } : {}),
          ...(options.force ? { force: true } : {}),
          retryFailedEmbeddings: true,
          onProgress: progress.onProgress,
        })
        .finally(progress.stop);
      if (options.json) {
        out(JSON.stringify(summary));
        return;
      }
      const params = { documents: summary.documents, chunks: summary.chunks, index: summary.index, seconds: (summary.ms / 1000).toFixed(2) };
      out(prompts.render(summary.rebuilt ? 'cli/kb-build-summary' : 'cli/kb-build-unchanged', params));
      if (summary.embedding === 'failed') note(prompts.render('cli/kb-build-embedding-failed'));
    });
}
