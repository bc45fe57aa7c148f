import { readFile } from 'node:fs/promises';
import { ErrorCode, UserFacingError } from '../kernel/errors.js';
import { countingBar } from './output.js';
import { decodeText } from '../knowledge/decode.js';

/** The non-empty lines of a `--batch` file (UTF-8, UTF-16 or GBK); a clear error when it cannot be read or has none. */
export async function readBatchFile(file: string): Promise<string[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new UserFacingError(ErrorCode.CLI_FILE_UNREADABLE, 'errors/cli-file-unreadable', {
      file,
      reason: (err as NodeJS.ErrnoException).code ?? 'error',
    });
  }
  const decoded = decodeText(bytes);
  if (!decoded.ok) {
    throw new UserFacingError(ErrorCode.CLI_FILE_UNREADABLE, 'errors/cli-file-unreadable', { file, reason: decoded.reason });
  }
  const lines = decoded.text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (lines.length === 0) throw new UserFacingError(ErrorCode.CLI_BATCH_EMPTY, 'errors/cli-batch-empty', { file });
  return lines;
}

/**
 * Runs `each` over the lines of a batch with a progress bar; a line that fails with a UserFacingError
 * goes to `failed` and the batch goes on. Returns how many failed.
 */
export async function runBatch(
  lines: readonly string[],
  label: string,
  each: (line: string) => Promise<void>,
  failed: (line: string, err: UserFacingError) => void,
): Promise<number> {
  let failures = 0;
  const bar = countingBar(label, lines.length);
  try {
    for (const line of lines) {
      try {
        await each(line);
      } catch (err) {
        if (!(err instanceof UserFacingError)) throw err;
        failures++;
        failed(line, err);
      } finally {
        bar.tick();
      }
    }
  } finally {
    bar.stop();
  }
  return failures;
}
