import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Keyv from 'keyv';
import KeyvRedis from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';
import { ErrorCode, UserFacingError } from './errors.js';

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
  /** Closes connections (once; again is a no-op); further calls fail with STORE_UNAVAILABLE. */
  close(): Promise<void>;
}

export interface StoreOptions {
  /** The data dir; the SQLite file is `opsbot.sqlite` in it. */
  readonly dataDir: string;
  readonly redisUrl?: string;
  /** Key prefix, so several shops can share one Redis. */
  readonly namespace?: string;
  /** Clock for expiry on SQLite (tests); Redis keeps its own time. */
  readonly now?: () => number;
}

function unavailable(kind: string, err: unknown): UserFacingError {
  return new UserFacingError(ErrorCode.STORE_UNAVAILABLE, 'errors/store-unavailable', {}, { cause: err, details: { kind } });
}

async function guarded<T>(kind: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UserFacingError) throw err;
    throw unavailable(kind, err);
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

// Atomic counters and markers live in their own table beside keyv's, on keyv's own connection.
const ATOMIC_TABLE = 'opsbot_atomic';

/** Opens the configured store: Redis when `redisUrl` is given, else the SQLite file under the data dir. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const namespace = options.namespace ?? 'opsbot';
  return options.redisUrl ? openRedis(options.redisUrl, namespace) : openSqlite(options.dataDir, namespace, options.now ?? Date.now);
}

/** The plain-value half of a store, the same on both backends: keyv, every failure coded. */
function keyvMethods(keyv: Keyv, kind: Store['kind'], namespace: string): Pick<Store, 'get' | 'set' | 'delete' | 'list'> {
  return {
    get: (key) => guarded(kind, () => keyv.get(key)),
    set: async (key, value, ttlMs) => {
      await guarded(kind, () => keyv.set(key, value, ttlMs));
    },
    delete: (key) => guarded(kind, () => keyv.delete(key)),
    list: (prefix) => guarded(kind, () => listVia(keyv, namespace, prefix)),
  };
}

/** Opens the store the configuration names: Redis when REDIS_URL is set, else the SQLite file in the data dir. */
export function openConfiguredStore(config: { readonly dataDir: string; readonly redisUrl?: string }): Promise<Store> {
  return openStore({ dataDir: config.dataDir, ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}) });
}

/** Walks keyv's iterator (SQLite rows or a Redis SCAN), keeping the keys under `prefix` that have not expired. */
async function listVia<T>(keyv: Keyv, namespace: string, prefix: string): Promise<[string, T][]> {
  const out: [string, T][] = [];
  if (!keyv.iterator) return out;
  for await (const [rawKey, value] of keyv.iterator(namespace)) {
    const key = String(rawKey).startsWith(`${namespace}:`) ? String(rawKey).slice(namespace.length + 1) : String(rawKey);
    if (key.startsWith(prefix) && value !== undefined) out.push([key, value as T]);
  }
  return out.sort(([a], [b]) => a.localeCompare(b));
}

async function openSqlite(dataDir: string, namespace: string, now: () => number): Promise<Store> {
  await guarded('sqlite', async () => mkdirSync(dataDir, { recursive: true }));
  // Several processes share the file: wait for a lock rather than fail, and let readers run beside a writer.
  const adapter = new KeyvSqlite({ uri: `sqlite://${join(dataDir, 'opsbot.sqlite')}`, busyTimeout: 10_000 });
  const keyv = new Keyv({ store: adapter, namespace, throwOnErrors: true });
  keyv.on('error', () => {}); // thrown to the caller as well; the event alone would crash the process
  const q = (sql: string, ...params: unknown[]) => guarded('sqlite', () => adapter.query(sql, ...params)) as Promise<Record<string, unknown>[]>;
  await q('PRAGMA journal_mode=WAL');
  await q(`CREATE TABLE IF NOT EXISTS ${ATOMIC_TABLE} (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires INTEGER)`);
  // Expired markers and counters are only ignored by the statements below; sweep them now and then.
  let writes = 0;
  const sweep = () => q(`DELETE FROM ${ATOMIC_TABLE} WHERE expires IS NOT NULL AND expires <= ?`, now());
  const swept = async () => {
    if (++writes % 500 === 0) await sweep();
  };
  await sweep();
  const k = (key: string) => `${namespace}:${key}`;
  const expiry = (ttlMs?: number) => (ttlMs && ttlMs > 0 ? now() + ttlMs : null);
  return {
    kind: 'sqlite',
    ...keyvMethods(keyv, 'sqlite', namespace),
    async setIfAbsent(key, ttlMs) {
      // One statement: SQLite runs it under a write lock, so two processes cannot both insert.
      const rows = await q(
        `INSERT INTO ${ATOMIC_TABLE} (key, value, expires) VALUES (?, 1, ?)
         ON CONFLICT(key) DO UPDATE SET value = 1, expires = excluded.expires
           WHERE ${ATOMIC_TABLE}.expires IS NOT NULL AND ${ATOMIC_TABLE}.expires <= ?
         RETURNING key`,
        k(key),
        expiry(ttlMs),
        now(),
      );
      await swept();
      return rows.length === 1;
    },
    async release(key) {
      const rows = await q(`DELETE FROM ${ATOMIC_TABLE} WHERE key = ? AND (expires IS NULL OR expires > ?) RETURNING key`, k(key), now());
      return rows.length === 1;
    },
    async increment(key, by = 1, ttlMs) {
      const t = now();
      const rows = await q(
        `INSERT INTO ${ATOMIC_TABLE} (key, value, expires) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET
           value = CASE WHEN ${ATOMIC_TABLE}.expires IS NOT NULL AND ${ATOMIC_TABLE}.expires <= ? THEN excluded.value ELSE ${ATOMIC_TABLE}.value + excluded.value END,
           expires = CASE WHEN ${ATOMIC_TABLE}.expires IS NOT NULL AND ${ATOMIC_TABLE}.expires <= ? THEN excluded.expires ELSE ${ATOMIC_TABLE}.expires END
         RETURNING value`,
        k(key),
        by,
        expiry(ttlMs),
        t,
        t,
      );
      await swept();
      return Number(rows[0]!.value);
    },
    close: once(() => guarded('sqlite', () => keyv.disconnect())),
  };
}

// INCRBY, then an expiry only when this call created the counter: one script, so no other client sees it half done.
const INCREMENT_SCRIPT = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if v == tonumber(ARGV[1]) and tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;

async function openRedis(url: string, namespace: string): Promise<Store> {
  // Unreachable at start: refuse to open. Lost later: reconnect for as long as it takes, with backoff,
  // while every call fails at once (no offline queue) so a reply never hangs on the store.
  let opened = false;
  const adapter = new KeyvRedis(
    {
      url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 5_000,
        reconnectStrategy: (retries: number) => (!opened && retries > 3 ? new Error('redis unreachable') : Math.min(100 * 2 ** retries, 5_000)),
      },
    },
    { throwOnConnectError: true, throwOnErrors: true },
  );
  const keyv = new Keyv({ store: adapter, namespace, throwOnErrors: true });
  keyv.on('error', () => {});
  const client = await guarded('redis', async () => adapter.getClient());
  opened = true;
  const k = (key: string) => `${namespace}:atomic:${key}`;
  return {
    kind: 'redis',
    ...keyvMethods(keyv, 'redis', namespace),
    setIfAbsent: (key, ttlMs) =>
      guarded('redis', async () => (await client.set(k(key), '1', ttlMs && ttlMs > 0 ? { NX: true, PX: ttlMs } : { NX: true })) === 'OK'),
    release: (key) => guarded('redis', async () => (await client.del(k(key))) === 1),
    increment: (key, by = 1, ttlMs) =>
      guarded('redis', async () =>
        Number(await client.eval(INCREMENT_SCRIPT, { keys: [k(key)], arguments: [String(by), String(ttlMs ?? 0)] })),
      ),
    close: once(() => guarded('redis', () => keyv.disconnect())),
  };
}
