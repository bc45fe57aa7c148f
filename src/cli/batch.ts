import { ErrorCode, UserFacingError } from '../kernel/errors.js';
import type { Prompts } from '../kernel/prompts.js';
import { charCount, longerThan } from '../kernel/text.js';
import { countingBar } from './output.js';
import { readTextArgument } from './file-argument.js';

/** A batch is questions or messages, one a line: 8 MB is some 200,000 of them. */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/**
 * Far above every command's own limit (a question 500, a customer message 2,000), which refuses with its
 * own code first; a longer line is a paste accident, refused alone before any command looks at it.
 */
export const MAX_LINE_CHARS = 10_000;
/** How much of a refused line is shown back (the person recognises it; a 1 MB line is not echoed). */
const ECHO_CHARS = 80;

/** The non-empty lines of a `--batch` file (UTF-8, UTF-16 or GBK); a clear error when it cannot be read or has none. */
export async function readBatchFile(file: string, prompts: Prompts): Promise<string[]> {
  const text = await readTextArgument(file, prompts, MAX_BATCH_BYTES);
  const lines = text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (lines.length === 0) throw new UserFacingError(ErrorCode.CLI_BATCH_EMPTY, 'errors/cli-batch-empty', { file });
  return lines;
}

/** A line as shown back in a batch's results: clipped, so a pasted article is not printed again. */
export function echoOf(line: string): string {
  const chars = [...line];
  return chars.length > ECHO_CHARS ? `${chars.slice(0, ECHO_CHARS).join('')}…` : line;
}

/**
 * Runs `each` over the lines of a batch with a progress bar; a line that fails with a UserFacingError
 * (or is longer than MAX_LINE_CHARS) goes to `failed`, with its echo and its number among the batch's
 * lines, and the batch goes on. Returns how many failed.
 */
export async function runBatch(
  lines: readonly string[],
  label: string,
  each: (line: string) => Promise<void>,
  failed: (echo: string, err: UserFacingError, n: number) => void,
): Promise<number> {
  let failures = 0;
  const bar = countingBar(label, lines.length);
  try {
    for (const [i, line] of lines.entries()) {
      try {
        if (longerThan(line, MAX_LINE_CHARS)) {
          throw new UserFacingError(ErrorCode.CLI_BATCH_LINE_TOO_LONG, 'errors/cli-batch-line-too-long', { n: i + 1, length: charCount(line), max: MAX_LINE_CHARS });
        }
        await each(line);
      } catch (err) {
        if (!(err instanceof UserFacingError)) throw err;
        failures++;
        failed(echoOf(line), err, i + 1);
      } finally {
        bar.tick();
      }
    }
  } finally {
    bar.stop();
  }
  return failures;
}
