import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { storeError } from './db-errors.js';
import { migrate } from './db-schema.js';
import { beginImport, BUSY_MS, type ImportWriter } from './db-writer.js';
import { BASE_FIELDS, type BaseField, type Sums } from './definitions.js';
import { byProductMonthly, RAW, sourceFor, type Source } from './db-summaries.js';

export type { ImportCounts, ImportWriter } from './db-writer.js';

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

export interface MetricsDbOptions {
  /** false: every question is answered from the raw rows, never the summary tables (tests compare the two). */
  readonly summaries?: boolean;
}

/**
 * The metrics database: a SQLite file under the data dir (better-sqlite3), one row per date × channel ×
 * product, the primary key making a re-import replace rather than add, indexed for date (the key's
 * first column), channel and product; and summary tables per date × channel and date × product
 * (db-summaries.ts) that answer every question not needing both a channel and a product.
 */
export class MetricsDb {
  private readonly db: Database.Database;
  private readonly sumsSql = BASE_FIELDS.map((f) => `SUM(${f}) AS ${f}`).join(', ');
  private readonly statements = new Map<string, Database.Statement>();
  private readonly summaries: boolean;

  constructor(
    readonly path: string,
    options: MetricsDbOptions = {},
  ) {
    this.summaries = options.summaries ?? true;
    let db: Database.Database | undefined;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma(`busy_timeout = ${BUSY_MS}`);
      this.db = db;
      migrate(db);
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

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.guard(() => this.db.prepare(sql));
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Starts one import transaction for rows carrying `fields` (see db-writer.ts). */
  beginImport(fields: readonly BaseField[]): ImportWriter {
    return beginImport(this.db, this.path, fields);
  }

  /** Sums of every base field over a period, with the number of rows they came from. */
  sums(q: SumsQuery): { rows: number; sums: Sums } {
    const { where, params } = this.where(q);
    const { table, count } = this.source(q);
    const monthly = table === 'metrics_by_product' ? byProductMonthly(q, this.sumsSql, undefined) : undefined;
    const sql = monthly?.sql ?? `SELECT ${count} AS n, ${this.sumsSql} FROM ${table} WHERE ${where}`;
    const r = this.guard(() => this.statement(sql).get(...(monthly?.params ?? params))) as Record<string, number | null>;
    return { rows: r.n ?? 0, sums: pickSums(r) };
  }

  /** Sums grouped by one dimension, in key order (dates ascending). */
  groupSums(q: SumsQuery, by: Dimension): GroupSums[] {
    const { where, params } = this.where(q);
    const { table, count } = this.source(q, by);
    const monthly = table === 'metrics_by_product' && by === 'product' ? byProductMonthly(q, this.sumsSql, by) : undefined;
    const sql = monthly?.sql ?? `SELECT ${by} AS key, ${count} AS n, ${this.sumsSql} FROM ${table} WHERE ${where} GROUP BY ${by} ORDER BY ${by}`;
    const rows = this.guard(() => this.statement(sql).all(...(monthly?.params ?? params))) as Record<string, number | string | null>[];
    return rows.map((r) => ({ key: String(r.key), rows: Number(r.n), sums: pickSums(r as Record<string, number | null>) }));
  }

  /** The first and last day with data within a query's period and filters. */
  span(q: SumsQuery): { first: string; last: string } | undefined {
    const { where, params } = this.where(q);
    const r = this.guard(() => this.statement(`SELECT MIN(date) AS first, MAX(date) AS last FROM ${this.source(q).table} WHERE ${where}`).get(...params)) as {
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

  /** The table a query reads: the smallest summary that holds it, or the raw rows. */
  private source(q: SumsQuery, by?: Dimension): Source {
    return this.summaries ? sourceFor(q.filters, by) : RAW;
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

function pickSums(r: Record<string, number | null>): Sums {
  const out = {} as Record<BaseField, number | null>;
  for (const f of BASE_FIELDS) out[f] = r[f] ?? null;
  return out;
}
