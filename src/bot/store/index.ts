import type { Logger } from '../../kernel/logger.js';
import type { DeliveryLog } from '../deliveries/types.js';
import { failureLogger } from './failure.js';
import type { Pools } from './pools.js';
import type { SqliteJobs } from './sqlite-jobs.js';
import type { SqliteOutbox } from './sqlite-outbox.js';
import type { SqliteProcesses } from './sqlite-processes.js';

/**
 * State shared by every opsbot process of a shop: keyv on a SQLite file by default, on Redis when
 * REDIS_URL is set. Plain values go through keyv; anything that must never double-count (a duplicate
 * message, a send, a claim) goes through one atomic operation of the backend, never a read then a write.
 * Every failure throws STORE_UNAVAILABLE: a store outage fails closed, never reads as "not found".
 */
export interface Store {
  /** The backend, for logs and `/healthz`. */
  readonly kind: 'sqlite' | 'redis';
  /** The value under `key`, or undefined. */
  get<T>(key: string): Promise<T | undefined>;
  /** Stores `value` under `key`, for `ttlMs` when given. */
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  /** Removes `key`; true when it existed. */
  delete(key: string): Promise<boolean>;
  /** Every live value whose key starts with `prefix`, as [key, value] (for registries, not hot paths). */
  list<T>(prefix: string): Promise<[string, T][]>;
  /** Marks `key` taken for `ttlMs` (or for good) if nobody has; true only for the one caller that took it. */
  setIfAbsent(key: string, ttlMs?: number): Promise<boolean>;
  /** Frees a key `setIfAbsent` took (or a counter), so it can be taken again; true when it was taken. */
  release(key: string): Promise<boolean>;
  /** Adds `by` to the counter under `key` (created at 0, expiring `ttlMs` after creation) and returns the new value. */
  increment(key: string, by?: number, ttlMs?: number): Promise<number>;
  /** Stocks of distinct items handed out under rules, each take atomic (coupon codes). */
  readonly pools: Pools;
  /** Closes connections (once; again is a no-op); further calls fail with STORE_UNAVAILABLE. */
  close(): Promise<void>;
  /** The runtime's own tables on this backend, behind named operations (for the runtime, never for plugins). */
  readonly tables: SqliteTables | RedisTables;
}

/** The runtime's tables in the SQLite file: each operation one statement. */
export interface SqliteTables {
  readonly kind: 'sqlite';
  readonly deliveries: DeliveryLog;
  readonly jobs: SqliteJobs;
  readonly outbox: SqliteOutbox;
  readonly processes: SqliteProcesses;
}

/** On Redis the delivery log is sorted sets; jobs and the outbox are BullMQ queues on the same server. */
export interface RedisTables {
  readonly kind: 'redis';
  readonly url: string;
  /** Prefix of every key, so several shops (and tests) share one Redis. */
  readonly namespace: string;
  readonly deliveries: DeliveryLog;
}

export interface StoreOptions {
  /** The data dir; the SQLite file is `opsbot.sqlite` in it. */
  readonly dataDir: string;
  readonly redisUrl?: string;
  /** Key prefix, so several shops can share one Redis. */
  readonly namespace?: string;
  /** Clock for expiry on SQLite (tests); Redis keeps its own time. */
  readonly now?: () => number;
  /** Where store failures are logged (cause at error level, throttled, no stack). */
  readonly logger?: Logger;
}

/** Opens the configured store: Redis when `redisUrl` is given, else the SQLite file under the data dir. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const namespace = options.namespace ?? 'opsbot';
  const report = options.logger ? failureLogger(options.logger) : undefined;
  // Each backend's client is loaded only when it is used.
  if (options.redisUrl) return (await import('./redis.js')).openRedis(options.redisUrl, namespace, report);
  return (await import('./sqlite.js')).openSqlite(options.dataDir, namespace, options.now ?? Date.now, report);
}

/** Opens the store the configuration names: Redis when REDIS_URL is set, else the SQLite file in the data dir. */
export function openConfiguredStore(
  config: { readonly dataDir: string; readonly redisUrl?: string; readonly redisNamespace?: string },
  logger?: Logger,
): Promise<Store> {
  return openStore({
    dataDir: config.dataDir,
    ...(config.redisUrl ? { redisUrl: config.redisUrl, namespace: config.redisNamespace ?? 'opsbot' } : {}),
    ...(logger ? { logger } : {}),
  });
}
