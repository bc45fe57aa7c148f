import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCode, UserFacingError } from '../../kernel/errors.js';
import { BASE_FIELDS, type BaseField, type Sums } from './definitions.js';

/** One day × channel × product, as imported. Money in fen; `null` where the export had no value. */
export interface MetricRow {
  readonly date: string;
  readonly channel: string;
  readonly product: string;
  readonly values: Readonly<Partial<Record<BaseField, number | null>>>;
}

export type Dimension = 'channel' | 'product' | 'date';

export interface Filters {
  readonly channel?: string;
  readonly product?: string;
}

export interface SumsQuery {
  readonly from: string;
  readonly to: string;
  readonly filters?: Filters;
}

/** Rows aggregated by one dimension, in key order. */
export interface GroupSums {
  readonly key: string;
  readonly rows: number;
  readonly sums: Sums;
}

const SCHEMA_VERSION = 1;
/** How long a query waits for a writer's lock. */
const BUSY_MS = 5_000;
/** How long an import waits for another import to finish. */
const IMPORT_WAIT_MS = 120_000;

/**
 * The metrics database: a SQLite file under the data dir (better-sqlite3), one row per date × channel ×
 * product, the primary key making a re-import replace rather than add. Indexed for date (the key's
 * first column), channel and product.
 */
export class MetricsDb {
  private readonly db: Database.Database;
  private readonly sumsSql = BASE_FIELDS.map((f) => `SUM(${f}) AS ${f}`).join(', ');
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly path: string) {
    let db: Database.Database | undefined;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma(`busy_timeout = ${BUSY_MS}`);
      this.db = db;
      this.migrate();
    } catch (err) {
      // A file that cannot be used is left as it is; the connection is closed so a retry starts clean.
      if (db?.open) db.close();
      throw storeError(path, err, true);
    }
  }

  /** Runs a statement, a corrupt file or a full disk said as the UserFacingError naming this file. */
  private guard<T>(run: () => T): T {
    try {
      return run();
    } catch (err) {
      throw storeError(this.path, err, false);
    }
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version >= SCHEMA_VERSION) return;
    const columns = BASE_FIELDS.map((f) => `${f} INTEGER`).join(', ');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS daily_metrics (
        date TEXT NOT NULL, channel TEXT NOT NULL, product TEXT NOT NULL, ${columns},
        PRIMARY KEY (date, channel, product)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS daily_metrics_by_channel ON daily_metrics (channel, date);
      CREATE INDEX IF NOT EXISTS daily_metrics_by_product ON daily_metrics (product, date);
      CREATE TABLE IF NOT EXISTS dimension_names (kind TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (kind, name)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS imports (
        id INTEGER PRIMARY KEY, file TEXT NOT NULL, rows INTEGER NOT NULL, added INTEGER NOT NULL,
        first_date TEXT, last_date TEXT, at TEXT NOT NULL
      );
      PRAGMA user_version = ${SCHEMA_VERSION};
    `);
  }

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.guard(() => this.db.prepare(sql));
      this.statements.set(sql, s);
    }
    return s;
  }

  /**
   * Starts one import transaction for rows carrying `fields`. Each row replaces what is stored under its
   * key for those fields; fields the file does not have keep their stored values, so a traffic export
   * and a sales export of the same days complete each other.
   */
  beginImport(fields: readonly BaseField[]): ImportWriter {
    const present = new Set(fields);
    const updates = BASE_FIELDS.map((f) => (present.has(f) ? `${f} = excluded.${f}` : `${f} = COALESCE(excluded.${f}, ${f})`));
    const upsert = this.guard(() => this.db.prepare(
      `INSERT INTO daily_metrics (date, channel, product, ${BASE_FIELDS.join(', ')})
       VALUES (?, ?, ?, ${BASE_FIELDS.map(() => '?').join(', ')})
       ON CONFLICT (date, channel, product) DO UPDATE SET ${updates.join(', ')}`,
    ));
    const name = this.guard(() => this.db.prepare('INSERT OR IGNORE INTO dimension_names (kind, name) VALUES (?, ?)'));
    // Another import holds the write lock: wait for it (up to two minutes), then count inside the lock.
    try {
      this.db.pragma(`busy_timeout = ${IMPORT_WAIT_MS}`);
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_BUSY') {
        throw new UserFacingError(ErrorCode.METRICS_DB_BUSY, 'errors/metrics-db-busy', { seconds: IMPORT_WAIT_MS / 1000 }, { cause: err });
      }
      throw storeError(this.path, err, false);
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_MS}`);
    }
    let countBefore: number;
    try {
      countBefore = this.count();
    } catch (err) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // The error to say is the one that stopped the count.
      }
      throw err;
    }
    const names = { channel: new Set<string>(), product: new Set<string>() };
    let open = true;
    let rows = 0;
    let first: string | undefined;
    let last: string | undefined;
    return {
      write: (row) => {
        this.guard(() => upsert.run(row.date, row.channel, row.product, ...BASE_FIELDS.map((f) => row.values[f] ?? null)));
        names.channel.add(row.channel);
        names.product.add(row.product);
        rows++;
        if (first === undefined || row.date < first) first = row.date;
        if (last === undefined || row.date > last) last = row.date;
      },
      commit: (file) => {
        const added = this.guard(() => {
          for (const kind of ['channel', 'product'] as const) for (const n of names[kind]) name.run(kind, n);
          const count = this.count() - countBefore;
          this.statement('INSERT INTO imports (file, rows, added, first_date, last_date, at) VALUES (?, ?, ?, ?, ?, ?)').run(
            file,
            rows,
            count,
            first ?? null,
            last ?? null,
            new Date().toISOString(),
          );
          this.db.exec('COMMIT');
          return count;
        });
        open = false;
        return { rows, added, replaced: rows - added, ...(first ? { first, last: last! } : {}) };
      },
      rollback: () => {
        // On a corrupt or full file ROLLBACK can fail too; the error already being thrown is the one to say.
        try {
          if (open && this.db.inTransaction) this.db.exec('ROLLBACK');
        } catch {
          // SQLite rolls back itself when the connection closes.
        }
        open = false;
      },
    };
  }

  /** Sums of every base field over a period, with the number of rows they came from. */
  sums(q: SumsQuery): { rows: number; sums: Sums } {
    const { where, params } = this.where(q);
    const r = this.guard(() => this.statement(`SELECT COUNT(*) AS n, ${this.sumsSql} FROM daily_metrics WHERE ${where}`).get(...params)) as Record<string, number | null>;
    return { rows: r.n ?? 0, sums: pickSums(r) };
  }

  /** Sums grouped by one dimension, in key order (dates ascending). */
  groupSums(q: SumsQuery, by: Dimension): GroupSums[] {
    const { where, params } = this.where(q);
    const rows = this.guard(() =>
      this.statement(`SELECT ${by} AS key, COUNT(*) AS n, ${this.sumsSql} FROM daily_metrics WHERE ${where} GROUP BY ${by} ORDER BY ${by}`).all(...params),
    ) as Record<string, number | string | null>[];
    return rows.map((r) => ({ key: String(r.key), rows: Number(r.n), sums: pickSums(r as Record<string, number | null>) }));
  }

  /** The first and last day with data within a query's period and filters. */
  span(q: SumsQuery): { first: string; last: string } | undefined {
    const { where, params } = this.where(q);
    const r = this.guard(() => this.statement(`SELECT MIN(date) AS first, MAX(date) AS last FROM daily_metrics WHERE ${where}`).get(...params)) as {
      first: string | null;
      last: string | null;
    };
    return r.first && r.last ? { first: r.first, last: r.last } : undefined;
  }

  /** The channel or product names the data holds. */
  names(kind: 'channel' | 'product'): string[] {
    return (this.guard(() => this.statement('SELECT name FROM dimension_names WHERE kind = ? ORDER BY name').all(kind)) as { name: string }[]).map((r) => r.name);
  }

  /** The first and last date with data, or undefined when nothing was imported. */
  coverage(): { first: string; last: string } | undefined {
    const r = this.guard(() => this.statement('SELECT MIN(date) AS first, MAX(date) AS last FROM daily_metrics').get()) as { first: string | null; last: string | null };
    return r.first && r.last ? { first: r.first, last: r.last } : undefined;
  }

  /** How many rows are stored. */
  count(): number {
    return (this.guard(() => this.statement('SELECT COUNT(*) AS n FROM daily_metrics').get()) as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private where(q: SumsQuery): { where: string; params: string[] } {
    const clauses = ['date BETWEEN ? AND ?'];
    const params = [q.from, q.to];
    if (q.filters?.channel !== undefined) {
      clauses.push('channel = ?');
      params.push(q.filters.channel);
    }
    if (q.filters?.product !== undefined) {
      clauses.push('product = ?');
      params.push(q.filters.product);
    }
    return { where: clauses.join(' AND '), params };
  }
}

/** One import in progress: rows go in one transaction, committed or rolled back as a whole. */
export interface ImportWriter {
  write(row: MetricRow): void;
  commit(file: string): ImportCounts;
  rollback(): void;
}

export interface ImportCounts {
  readonly rows: number;
  /** Keys that were not stored before. */
  readonly added: number;
  /** Keys stored before, whose values this import replaced. */
  readonly replaced: number;
  readonly first?: string;
  readonly last?: string;
}

const CORRUPT = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);

/**
 * The error to say for a failure of the metrics file: corrupt (never overwritten: moving it away is the
 * operator's choice), a full disk, or a file or folder that cannot be opened; any other error as it is.
 */
function storeError(path: string, err: unknown, opening: boolean): unknown {
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

function pickSums(r: Record<string, number | null>): Sums {
  const out = {} as Record<BaseField, number | null>;
  for (const f of BASE_FIELDS) out[f] = r[f] ?? null;
  return out;
}
