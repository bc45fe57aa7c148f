import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Keyv from 'keyv';
import KeyvSqlite from '@keyv/sqlite';
import type { StoreSite } from './failure.js';
import { guarded, once } from './guard.js';
import type { Store } from './index.js';
import { keyvMethods } from './keyv.js';
import { DELIVERIES_DDL, sqliteDeliveries } from './sqlite-deliveries.js';
import { JOBS_DDL, sqliteJobs } from './sqlite-jobs.js';
import { OUTBOX_DDL, sqliteOutbox } from './sqlite-outbox.js';
import { POOLS_DDL, sqlitePools } from './sqlite-pools.js';
import { transactionsOf, TxConnection } from './sqlite-tx.js';
import { PROCESSES_DDL, sqliteProcesses } from './sqlite-processes.js';
import { WriteGate } from './write-gate.js';

/** One SQL statement on the store's connection, failures coded STORE_UNAVAILABLE. */
export type Query = (sql: string, ...params: unknown[]) => Promise<Record<string, unknown>[]>;

// Atomic counters and markers live in their own table beside keyv's, on keyv's own connection.
const ATOMIC_TABLE = 'opsbot_atomic';

/**
 * The SQLite file: keyv's table for plain values, and the runtime's own tables, all on keyv's one
 * connection (node-sqlite3). One SQLite library per process: a second library opening the same file
 * could drop the other's locks (SQLite's "multiple copies of SQLite in one application").
 */
export async function openSqlite(dataDir: string, namespace: string, now: () => number, report?: StoreSite['report']): Promise<Store> {
  const dir = resolve(dataDir);
  const file = join(dir, 'opsbot.sqlite');
  const gate = new WriteGate();
  const site: StoreSite = { kind: 'sqlite', where: dir, file, gate, ...(report ? { report } : {}) };
  await guarded(site, async () => makeDir(dir));
  // Several processes share the file: wait for a lock rather than fail, and let readers run beside a writer.
  const adapter = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 10_000 });
  const keyv = new Keyv({ store: adapter, namespace, throwOnErrors: true });
  keyv.on('error', () => {}); // thrown to the caller as well; the event alone would crash the process
  const q: Query = (sql, ...params) => guarded(site, () => adapter.query(sql, ...params)) as Promise<Record<string, unknown>[]>;
  await q('PRAGMA journal_mode=WAL');
  await q(`CREATE TABLE IF NOT EXISTS ${ATOMIC_TABLE} (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires INTEGER)`);
  for (const ddl of [...DELIVERIES_DDL, ...JOBS_DDL, ...OUTBOX_DDL, ...PROCESSES_DDL, ...POOLS_DDL]) await q(ddl);
  // Expired markers and counters are only ignored by the statements below; sweep them now and then.
  let writes = 0;
  const sweep = () => q(`DELETE FROM ${ATOMIC_TABLE} WHERE expires IS NOT NULL AND expires <= ?`, now());
  const swept = async () => {
    if (++writes % 500 === 0) await sweep();
  };
  await sweep();
  const k = (key: string) => `${namespace}:${key}`;
  // One connection of its own for transactions (coupon takes, wide job inserts), shared by the tables that need one.
  const txConnection = new TxConnection(file, gate);
  const transaction = transactionsOf(site, txConnection);
  const pools = sqlitePools(q, namespace, transaction);
  const expiry = (ttlMs?: number) => (ttlMs && ttlMs > 0 ? now() + ttlMs : null);
  return {
    kind: 'sqlite',
    ...keyvMethods(keyv, site, namespace),
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
    pools,
    close: once(async () => {
      // The transaction connection first, outside the gate: its queued transactions wait for the gate's
      // shared statements to end, and a close holding a shared turn would wait for them forever.
      await guarded(site, () => txConnection.close(), true);
      await guarded(site, () => keyv.disconnect());
      site.closed = true;
    }),
    tables: {
      kind: 'sqlite',
      deliveries: sqliteDeliveries(q),
      jobs: sqliteJobs(q, now, transaction),
      outbox: sqliteOutbox(q, now),
      processes: sqliteProcesses(q, now),
    },
  };
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir never returns on a path such as /proc/x/y
 * (it keeps retrying the ENOENT), and the refusal must come at once.
 */
function makeDir(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    const kind = statSync(at, { throwIfNoEntry: false });
    if (kind) {
      if (!kind.isDirectory()) throw Object.assign(new Error(`not a directory: ${at}`), { code: at === dir ? 'EEXIST' : 'ENOTDIR' });
      break;
    }
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const at of missing) mkdirSync(at);
}
