import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { loadConfig } from '../kernel/config.js';
import { PACKAGE_ROOT } from '../kernel/paths.js';
import { Prompts } from '../kernel/prompts.js';
import { registerAsk } from './commands/ask.js';
import { registerChat } from './commands/chat.js';
import { registerGroups } from './commands/groups.js';
import { registerKb } from './commands/kb.js';
import { registerKpi } from './commands/kpi.js';
import { registerMetrics } from './commands/metrics.js';
import { registerReply } from './commands/reply.js';
import { registerStart } from './commands/start.js';
import { registerJobs } from './commands/jobs.js';
import { registerDeliveries } from './commands/deliveries.js';
import { registerCoupon } from './commands/coupon.js';
import { registerLive } from './commands/live.js';
import { translateCommanderError } from './commander-errors.js';
import { describeError, EXIT_USAGE, note } from './output.js';
import { App } from '../app/app.js';

const TITLES: Record<string, string> = {
  'Usage:': 'cli/title-usage',
  'Options:': 'cli/title-options',
  'Commands:': 'cli/title-commands',
  'Arguments:': 'cli/title-arguments',
};

/** Builds the `opsbot` command line; the runtime (config, logger, knowledge base) is created on first use. */
/** The app, built on first use; `quietLogs`: at `warn` unless LOG_LEVEL is set (the terminal chat). */
export type AppFactory = (options?: { readonly quietLogs?: boolean }) => App;

export function buildProgram(prompts: Prompts, app: AppFactory): Command {
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
  registerKb(program, prompts, app);
  registerAsk(program, prompts, app);
  registerReply(program, prompts, app);
  registerMetrics(program, prompts, app);
  registerKpi(program, prompts, app);
  registerStart(program, prompts, app);
  registerChat(program, prompts, app);
  registerGroups(program, prompts, app);
  registerJobs(program, prompts, app);
  registerDeliveries(program, prompts, app);
  registerLive(program, prompts, app);
  registerCoupon(program, prompts, app);
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
  let app: App | undefined;
  // Built on first use (reading the configuration), so --help works with a broken .env.
  const program = buildProgram(prompts, (options = {}) => {
    if (app) return app;
    const config = loadConfig();
    // The terminal chat shows the conversation, not INFO lines after each of them, unless LOG_LEVEL asks.
    const quiet = options.quietLogs && !config.logLevelSet ? { config: { ...config, logLevel: 'warn' as const } } : { config };
    return (app = new App({ prompts, ...quiet }));
  });
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with code 0; commander has already printed its message.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const { message, exitCode } = describeError(err, prompts, app?.logger);
    note(message);
    return exitCode;
  } finally {
    // Whatever the command opened (the store, a Redis connection, the metrics file) is closed.
    await app?.close().catch(() => {});
  }
}
