import { ErrorCode, UserFacingError } from '../../kernel/errors.js';

const CORRUPT = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);

/**
 * The error to say for a failure of the metrics file: corrupt (never overwritten: moving it away is the
 * operator's choice), a full disk, or a file or folder that cannot be opened; any other error as it is.
 */
export function storeError(path: string, err: unknown, opening: boolean): unknown {
  if (err instanceof UserFacingError) return err;
  const code = String((err as { code?: unknown }).code ?? '');
  const options = { cause: err };
  if (CORRUPT.has(code) || code.startsWith('SQLITE_CORRUPT')) {
    return new UserFacingError(ErrorCode.METRICS_DB_CORRUPT, 'errors/metrics-db-corrupt', { path }, options);
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return new UserFacingError(ErrorCode.METRICS_DB_UNAVAILABLE, 'errors/metrics-db-full', { path }, options);
  const key = /^(?:SQLITE_READONLY|SQLITE_PERM|SQLITE_AUTH|EACCES|EPERM|EROFS)/.test(code)
    ? 'errors/metrics-db-no-permission'
    : /^(?:SQLITE_CANTOPEN|ENOTDIR|EEXIST|ENOENT)/.test(code)
      ? 'errors/metrics-db-cannot-open'
      : code.startsWith('SQLITE_IOERR') || opening
        ? 'errors/metrics-db-io'
        : undefined;
  return key ? new UserFacingError(ErrorCode.METRICS_DB_UNAVAILABLE, key, { path }, options) : err;
}
