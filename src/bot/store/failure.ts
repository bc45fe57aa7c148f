import { ErrorCode, UserFacingError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';

/** Where a store lives, for the message a person reads and the log: never a password. */
export interface StoreSite {
  readonly kind: 'sqlite' | 'redis';
  /** The data dir (SQLite) or the masked Redis address (`host:port/db`). */
  readonly where: string;
  /** The SQLite file itself. */
  readonly file?: string;
  /** The last error the client reported on its own (Redis hides the real cause behind "not connected"). */
  lastError?: unknown;
  /** Set by `close()`: later calls fail as a closed store, not as a fault to fix. */
  closed?: boolean;
  /** Logs a failure (throttled), once it is known. */
  report?: (err: UserFacingError) => void;
  /** SQLite: orders the shared connection's statements around the transactions' (see WriteGate). */
  readonly gate?: { shared<T>(fn: () => Promise<T>): Promise<T> };
}

/** Why a store failed, each with its sentence and whether trying again can help. */
type Reason = 'not-folder' | 'unusable' | 'unwritable' | 'corrupt' | 'full' | 'busy' | 'sqlite-failed' | 'redis-down' | 'redis-db' | 'redis-auth';

const RETRY_HELPS: Record<Reason, boolean> = {
  'not-folder': false,
  unusable: false,
  unwritable: false,
  corrupt: false,
  full: false,
  busy: true,
  'sqlite-failed': true,
  'redis-down': true,
  'redis-db': false,
  'redis-auth': false,
};

/** `redis://user:pass@host:6379/2` → `127.0.0.1:6379/2`: what a person needs to find the server, without the password. */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    const db = u.pathname.replace(/^\//, '');
    return `${u.hostname}:${u.port || '6379'}${db ? `/${db}` : ''}`;
  } catch {
    return 'REDIS_URL';
  }
}

const codeOf = (err: unknown): string => String((err as { code?: unknown } | undefined)?.code ?? '');
const messageOf = (err: unknown): string => String((err as { message?: unknown } | undefined)?.message ?? err);

function sqliteReason(err: unknown): Reason {
  const code = codeOf(err);
  if (code === 'EEXIST' || code === 'ENOTDIR') return 'not-folder';
  if (code === 'ENOENT') return 'unusable';
  if (['EACCES', 'EPERM', 'EROFS', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_PERM', 'SQLITE_AUTH'].includes(code)) return 'unwritable';
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return 'corrupt';
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') return 'full';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return 'busy';
  return 'sqlite-failed';
}

function redisReason(err: unknown): Reason {
  const text = messageOf(err);
  if (/DB index is out of range|invalid DB index/i.test(text)) return 'redis-db';
  if (/NOAUTH|WRONGPASS|AUTH|invalid password|invalid username/i.test(text)) return 'redis-auth';
  return 'redis-down';
}

/** The driver's own words for the log: its code and message, never shown to a user. */
export function causeText(err: unknown): string {
  const code = codeOf(err);
  const message = messageOf(err);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}

/**
 * The one error a store failure becomes (fails closed, never reads as "not found"): which store, where,
 * what to do and whether retrying can help, in Chinese; the driver's English stays in the cause and the log.
 */
export function storeFailure(site: StoreSite, err: unknown): UserFacingError {
  // "not connected" says nothing: the client's last reported error is the real cause.
  const cause = site.kind === 'redis' && site.lastError !== undefined && /not connected|closed/i.test(messageOf(err)) ? site.lastError : err;
  const reason = site.kind === 'sqlite' ? sqliteReason(cause) : redisReason(cause);
  const dirLevel = reason === 'not-folder' || reason === 'unusable' || reason === 'unwritable';
  const where = site.kind === 'sqlite' && !dirLevel ? (site.file ?? site.where) : site.where;
  const params: Record<string, string> = site.kind === 'sqlite' ? { path: where } : { address: where };
  const failure = new UserFacingError(ErrorCode.STORE_UNAVAILABLE, `errors/store-${reason}`, params, {
    cause,
    details: { kind: site.kind, where, reason, retryHelps: RETRY_HELPS[reason], publicPrompt: 'errors/store-unavailable' },
  });
  site.report?.(failure);
  return failure;
}

/** Logs store failures at error level with the driver's cause and no stack; one line per reason per `everyMs`. */
export function failureLogger(logger: Logger, everyMs = 10_000): (err: UserFacingError) => void {
  const last = new Map<string, number>();
  return (err) => {
    const reason = String(err.details.reason);
    const now = Date.now();
    if (now - (last.get(reason) ?? -Infinity) < everyMs) return;
    last.set(reason, now);
    logger.error({ code: err.code, ...err.details, cause: causeText(err.cause) }, 'the store failed');
  };
}
