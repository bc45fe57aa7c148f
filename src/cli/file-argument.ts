import { ErrorCode, UserFacingError } from '../kernel/errors.js';
import { FileReadError, formatBytes, MAX_FILE_ARGUMENT_BYTES, readFileBounded } from '../kernel/bounded-read.js';
import type { Prompts } from '../kernel/prompts.js';
import { decodeText } from '../knowledge/decode.js';

/** The refusal a person reads for a file argument: the path as given, and what to do about it. */
function refused(file: string, prompts: Prompts, why: string, params: Record<string, string | number> = {}, cause?: unknown): UserFacingError {
  const reason = prompts.render(`cli/file-${why}`, params);
  return new UserFacingError(ErrorCode.CLI_FILE_UNREADABLE, 'errors/cli-file-unreadable', { file, reason }, cause === undefined ? {} : { cause });
}

/** The bytes of a file named on the command line, at most `maxBytes`; refused in Chinese otherwise. */
export async function readFileArgument(file: string, prompts: Prompts, maxBytes = MAX_FILE_ARGUMENT_BYTES): Promise<Buffer> {
  try {
    return await readFileBounded(file, maxBytes);
  } catch (err) {
    if (!(err instanceof FileReadError)) throw err;
    // The system's code stays in the cause (for LOG_LEVEL=debug), never in the sentence.
    throw refused(file, prompts, err.reason, { cwd: process.cwd(), max: formatBytes(maxBytes) }, err);
  }
}

/** The text of a file named on the command line (UTF-8, UTF-16 or GBK); binary or undecodable is refused. */
export async function readTextArgument(file: string, prompts: Prompts, maxBytes = MAX_FILE_ARGUMENT_BYTES): Promise<string> {
  const decoded = decodeText(await readFileArgument(file, prompts, maxBytes));
  if (!decoded.ok) throw refused(file, prompts, decoded.reason);
  return decoded.text;
}
