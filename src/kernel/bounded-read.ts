import { open, type FileHandle } from 'node:fs/promises';
import { ErrorCode, OpsbotError } from './errors.js';

/** Why a file could not be read; callers turn it into their own sentence. */
export type UnreadableReason = 'missing' | 'directory' | 'permission' | 'too-large' | 'io';

/** The default cap for a file named on the command line (codes, users): far above any real list. */
export const MAX_FILE_ARGUMENT_BYTES = 16 * 1024 * 1024;

/** A file that could not be read, with the reason and the system's code (for the log, not the user). */
export class FileReadError extends OpsbotError {
  constructor(
    readonly file: string,
    readonly reason: UnreadableReason,
    readonly maxBytes: number,
    options: { cause?: unknown; systemCode?: string } = {},
  ) {
    super(ErrorCode.FILE_UNREADABLE, `cannot read ${file}: ${reason}${options.systemCode ? ` (${options.systemCode})` : ''}`, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      details: { reason },
    });
    this.name = 'FileReadError';
  }
}

const REASONS: Record<string, UnreadableReason> = {
  ENOENT: 'missing',
  ENOTDIR: 'missing',
  ELOOP: 'missing',
  EISDIR: 'directory',
  EACCES: 'permission',
  EPERM: 'permission',
};

function failure(file: string, err: unknown, maxBytes: number): FileReadError {
  const code = (err as NodeJS.ErrnoException).code;
  return new FileReadError(file, (code ? REASONS[code] : undefined) ?? 'io', maxBytes, { cause: err, ...(code ? { systemCode: code } : {}) });
}

/**
 * Reads at most `maxBytes` of `file`: a larger file (by its size, or by reading when it has none, as
 * /dev/zero or a pipe) is refused, so memory stays bounded and an endless source cannot hang the caller.
 */
export async function readFileBounded(file: string, maxBytes: number): Promise<Buffer> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    throw failure(file, err, maxBytes);
  }
  try {
    const info = await fh.stat();
    if (info.isDirectory()) throw new FileReadError(file, 'directory', maxBytes);
    if (info.isFile() && info.size > maxBytes) throw new FileReadError(file, 'too-large', maxBytes);
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, maxBytes + 1 - total));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      parts.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw new FileReadError(file, 'too-large', maxBytes);
    }
    return Buffer.concat(parts, total);
  } catch (err) {
    if (err instanceof FileReadError) throw err;
    throw failure(file, err, maxBytes);
  } finally {
    await fh.close().catch(() => {});
  }
}

/** A byte count as a person reads it: "8 MB", "512 KB". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round(n / (1024 * 1024))} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}
