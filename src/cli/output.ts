import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';
import type { SingleBar } from 'cli-progress';
import { ConfigError } from '../kernel/config.js';
import { OpsbotError, UserFacingError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import type { Prompts } from '../kernel/prompts.js';
import type { BuildProgress } from '../knowledge/indexer.js';

/** Exit codes: 0 done, 1 could not be done (bad input, missing files), 2 the command line itself was wrong. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** An error in how the command was called: shown with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {}

/** Writes one line to stdout: the command's output, nothing else goes there. */
export function out(line: string): void {
  process.stdout.write(line + '\n');
}

/** Writes one line to stderr: messages for the person at the terminal. */
export function note(line: string): void {
  process.stderr.write(line + '\n');
}

/** The sentence a person reads for an error, and the exit code; never a stack trace. */
export function describeError(err: unknown, prompts: Prompts, logger?: Logger): { message: string; exitCode: number } {
  if (err instanceof UsageError) {
    return { message: prompts.render('errors/cli-usage', { message: err.message }), exitCode: EXIT_USAGE };
  }
  if (err instanceof ConfigError) {
    const lines = err.problems.map((p) =>
      prompts.render('config/problem-line', { name: p.variable, message: prompts.render(p.key, p.params) }),
    );
    return { message: [prompts.render('errors/config-invalid'), ...lines].join('\n'), exitCode: EXIT_FAILURE };
  }
  if (err instanceof UserFacingError) {
    return { message: prompts.render(err.promptKey, err.params), exitCode: EXIT_FAILURE };
  }
  logger?.debug({ err }, 'unexpected error');
  const message = err instanceof OpsbotError ? `${err.code}: ${err.message}` : (err as Error)?.message ?? String(err);
  return { message: prompts.render('errors/unexpected', { message }), exitCode: EXIT_FAILURE };
}

// cli-progress is required only when a bar is drawn (stderr a terminal): piped and --json runs never load it.
const require = createRequire(import.meta.url);
const newBar = (options: ConstructorParameters<typeof SingleBar>[0]): SingleBar =>
  new (require('cli-progress') as typeof CliProgress).SingleBar(options);

/** A progress bar on stderr while a long job runs, only when stderr is a terminal. */
export function progressBar(prompts: Prompts): { onProgress: (p: BuildProgress) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { onProgress: () => {}, stop: () => {} };
  const bar = newBar({
    stream: process.stderr,
    format: '{stage} [{bar}] {percentage}% {value}/{total}',
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: true,
    clearOnComplete: true,
  });
  let stage: string | undefined;
  return {
    onProgress(p) {
      const label = prompts.render(`cli/kb-progress-${p.stage}`);
      if (stage !== p.stage) {
        if (stage) bar.stop();
        bar.start(p.total, p.done, { stage: label });
        stage = p.stage;
      } else bar.update(p.done, { stage: label });
    },
    stop() {
      if (stage) bar.stop();
    },
  };
}

/**
 * A progress bar over `total` items on stderr for batch jobs: when stderr is a terminal and the results
 * go to a file or a pipe (`--batch in.txt --json > out.jsonl`), so the bar never tangles with them.
 */
export function countingBar(label: string, total: number): { tick: () => void; stop: () => void } {
  if (!process.stderr.isTTY || process.stdout.isTTY || total < 2) return { tick: () => {}, stop: () => {} };
  const bar = stderrBar(label);
  bar.start(total, 0);
  return { tick: () => bar.increment(), stop: () => bar.stop() };
}

/** One look for every bar: `label [████░░] 42% 420,000/1,000,000` on stderr, cleared when done. */
function stderrBar(label: string): SingleBar {
  return newBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% {value}/{total}`,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: true,
    clearOnComplete: true,
    formatValue: (v, _options, type) => (type === 'value' || type === 'total' ? v.toLocaleString('en-US') : String(v)),
  });
}

/** A progress bar for a job measured in rows (an import), on stderr when it is a terminal. */
export function rowsBar(label: string): { update: (done: number, total: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = stderrBar(label);
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}

/** With `--json`, a refusal is also an error object on stdout (`{"error":{"code","message",…}}`); then it is thrown on. */
export function failAsJson(json: boolean | undefined, err: unknown, prompts: Prompts): never {
  if (json && err instanceof UserFacingError) out(JSON.stringify({ error: { code: err.code, message: describeError(err, prompts).message, ...err.details } }));
  throw err;
}
