import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { PACKAGE_ROOT } from '../bot/paths.js';
import { Prompts } from '../bot/prompts.js';
import { registerAsk } from './commands/ask.js';
import { registerChat } from './commands/chat.js';
import { registerGroups } from './commands/groups.js';
import { registerKb } from './commands/kb.js';
import { registerKpi } from './commands/kpi.js';
import { registerMetrics } from './commands/metrics.js';
import { registerReply } from './commands/reply.js';
import { registerStart } from './commands/start.js';
import { translateCommanderError } from './commander-errors.js';
import { describeError, EXIT_USAGE, note } from './output.js';
import { createRuntime, type Runtime } from './runtime.js';

const TITLES: Record<string, string> = {
  'Usage:': 'cli/title-usage',
  'Options:': 'cli/title-options',
  'Commands:': 'cli/title-commands',
  'Arguments:': 'cli/title-arguments',
};

/** Builds the `opsbot` command line; the runtime (config, logger, knowledge base) is created on first use. */
export function buildProgram(prompts: Prompts, runtime: () => Runtime): Command {
  const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  const program = new Command('opsbot')
    .description(prompts.render('cli/program-description'))
    .version(version, '-V, --version', prompts.render('cli/version-option'))
    .helpOption('-h, --help', prompts.render('cli/help-option'))
    .helpCommand('help [command]', prompts.render('cli/help-command'))
    .addHelpText('after', prompts.render('cli/program-examples'))
    .configureHelp({ styleTitle: (title) => (TITLES[title] ? prompts.render(TITLES[title]) : title) })
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (text, write) => write(translateCommanderError(text, prompts)) })
    .exitOverride();
  registerKb(program, prompts, runtime);
  registerAsk(program, prompts, runtime);
  registerReply(program, prompts, runtime);
  registerMetrics(program, prompts, runtime);
  registerKpi(program, prompts, runtime);
  registerStart(program, prompts, runtime);
  registerChat(program, prompts, runtime);
  registerGroups(program, prompts, runtime);
  // Subcommands inherit the Chinese help and our own handling of usage errors.
  for (const command of program.commands) {
    command.copyInheritedSettings(program);
    for (const sub of command.commands) sub.copyInheritedSettings(command);
  }
  return program;
}

/** Runs the CLI with `argv` and resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // `opsbot ask --json … | head -1`: the reader has all it wanted; stop quietly, no stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw err;
  });
  const prompts = Prompts.load();
  let rt: Runtime | undefined;
  const runtime = () => (rt ??= createRuntime(prompts));
  const program = buildProgram(prompts, runtime);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with code 0; commander has already printed its message.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const { message, exitCode } = describeError(err, prompts, rt?.logger);
    note(message);
    return exitCode;
  }
}
