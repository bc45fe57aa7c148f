import type Database from 'better-sqlite3';
import type { Dimension, Filters, SumsQuery } from './db.js';
import { BASE_FIELDS } from './definitions.js';

/**
 * Summary tables: the raw rows (date × channel × product) summed per date × channel and per date ×
 * product, with the number of raw rows in `n`. A question over a year then reads a few thousand summary
 * rows instead of hundreds of thousands of raw ones. They are rebuilt from the raw rows for every date an
 * import touched, inside the import's transaction, so they never disagree with the raw rows. SUM over
 * summary rows equals SUM over the raw rows they came from, NULL included (NULL only when every raw value
 * is NULL), so every figure stays "sums first, then division".
 */
export interface Source {
  readonly table: string;
  /** The expression for the number of raw rows behind a result. */
  readonly count: string;
}

export const RAW: Source = { table: 'daily_metrics', count: 'COUNT(*)' };
const BY_CHANNEL: Source = { table: 'metrics_by_channel', count: 'SUM(n)' };
const BY_PRODUCT: Source = { table: 'metrics_by_product', count: 'SUM(n)' };

/**
 * A by-product query (no channel, not by date) over a period holding whole months, as SQL that reads
 * those months from the month table and only the days around them from the day table: a year is about
 * 3,000 month rows and at most two months of days instead of 365 days of every product. Undefined when
 * the period holds no whole month.
 */
export function byProductMonthly(q: SumsQuery, sumsSql: string, by: 'product' | undefined): { sql: string; params: string[] } | undefined {
  const split = monthsOf(q.from, q.to);
  if (!split) return undefined;
  const product = q.filters?.product;
  const filter = product === undefined ? '' : ' AND product = ?';
  const cols = `product, n, ${BASE_FIELDS.join(', ')}`;
  const inner = [
    `SELECT ${cols} FROM metrics_by_product WHERE date BETWEEN ? AND ?${filter}`,
    `SELECT ${cols} FROM metrics_month_product WHERE month BETWEEN ? AND ?${filter}`,
    `SELECT ${cols} FROM metrics_by_product WHERE date BETWEEN ? AND ?${filter}`,
  ].join(' UNION ALL ');
  const sql = by
    ? `SELECT product AS key, SUM(n) AS n, ${sumsSql} FROM (${inner}) GROUP BY product ORDER BY product`
    : `SELECT SUM(n) AS n, ${sumsSql} FROM (${inner})`;
  const params = [split.head, split.months, split.tail].flatMap((range) => (product === undefined ? [...range] : [...range, product]));
  return { sql, params };
}

/** A range that matches nothing ('1' sorts after '0'). */
const NONE: readonly [string, string] = ['1', '0'];

/** The whole months ('YYYY-MM') inside a period and the days before and after them; undefined without a whole month. */
export function monthsOf(from: string, to: string): { head: readonly [string, string]; months: readonly [string, string]; tail: readonly [string, string] } | undefined {
  const firstMonth = from.endsWith('-01') ? from.slice(0, 7) : nextMonth(from.slice(0, 7));
  const lastMonth = to === lastDay(to.slice(0, 7)) ? to.slice(0, 7) : previousMonth(to.slice(0, 7));
  if (firstMonth > lastMonth) return undefined;
  const head = from < `${firstMonth}-01` ? ([from, lastDay(previousMonth(firstMonth))] as const) : NONE;
  const tail = to > lastDay(lastMonth) ? ([`${nextMonth(lastMonth)}-01`, to] as const) : NONE;
  return { head, months: [firstMonth, lastMonth], tail };
}

function lastDay(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${String(y + 1).padStart(4, '0')}-01` : `${month.slice(0, 4)}-${String(m + 1).padStart(2, '0')}`;
}

function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${String(y - 1).padStart(4, '0')}-12` : `${month.slice(0, 4)}-${String(m - 1).padStart(2, '0')}`;
}

/** The smallest table that holds a query's filters and grouping: raw rows only when it needs both channel and product. */
export function sourceFor(filters: Filters | undefined, by?: Dimension): Source {
  const channel = filters?.channel !== undefined || by === 'channel';
  const product = filters?.product !== undefined || by === 'product';
  if (channel && product) return RAW;
  return product ? BY_PRODUCT : BY_CHANNEL;
}

const sums = BASE_FIELDS.map((f) => `SUM(${f})`).join(', ');
const columns = BASE_FIELDS.map((f) => `${f} INTEGER`).join(', ');

/** The summary tables and the per-connection list of dates an import touched. */
export const SUMMARY_SCHEMA = `
  CREATE TABLE IF NOT EXISTS metrics_by_channel (
    date TEXT NOT NULL, channel TEXT NOT NULL, n INTEGER NOT NULL, ${columns}, PRIMARY KEY (date, channel)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS metrics_by_product (
    date TEXT NOT NULL, product TEXT NOT NULL, n INTEGER NOT NULL, ${columns}, PRIMARY KEY (date, product)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS metrics_by_product_product ON metrics_by_product (product, date);
  CREATE TABLE IF NOT EXISTS metrics_month_product (
    month TEXT NOT NULL, product TEXT NOT NULL, n INTEGER NOT NULL, ${columns}, PRIMARY KEY (month, product)
  ) WITHOUT ROWID;
`;

/** Fills the summary tables from every raw row (a database made before they existed). */
export function fillSummaries(db: Database.Database): void {
  db.exec('DELETE FROM metrics_by_channel; DELETE FROM metrics_by_product; DELETE FROM metrics_month_product;');
  refreshSummaries(db, db.prepare('SELECT DISTINCT date FROM daily_metrics').pluck().all() as string[]);
}

/**
 * The newest import the summaries hold. An earlier opsbot on the same file (a rollback) writes raw rows and
 * notes its import, but no summaries: at open the dates of every import past this mark are rebuilt.
 */
export function catchUpSummaries(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS metrics_summarized (id INTEGER NOT NULL)');
  const newestImport = () => db.prepare('SELECT COALESCE(MAX(id), 0) FROM imports').pluck().get() as number;
  const markOf = () => db.prepare('SELECT id FROM metrics_summarized').pluck().get() as number | undefined;
  // The usual open: up to date, and no write lock taken to find that out.
  const seen = markOf();
  if (seen !== undefined && newestImport() <= seen) return;
  db.transaction(() => {
    const newest = newestImport();
    const mark = markOf();
    // No mark yet: the summaries were just built, or kept by this version's imports since.
    if (mark === undefined) return void db.prepare('INSERT INTO metrics_summarized (id) VALUES (?)').run(newest);
    if (newest <= mark) return;
    const missed = db.prepare('SELECT first_date, last_date FROM imports WHERE id > ? AND first_date IS NOT NULL').all(mark) as { first_date: string; last_date: string }[];
    const dates = db.prepare('SELECT DISTINCT date FROM daily_metrics WHERE date BETWEEN ? AND ?').pluck();
    refreshSummaries(db, missed.flatMap((r) => dates.all(r.first_date, r.last_date) as string[]));
    markSummarized(db, newest);
  }).immediate();
}

/** Notes that the summaries hold import `id` (inside the import's transaction). */
export function markSummarized(db: Database.Database, id: number): void {
  db.prepare('UPDATE metrics_summarized SET id = ?').run(id);
}

const TOUCHED = 'SELECT date FROM temp.import_dates';

/**
 * Rebuilds the summaries of `dates` from the raw rows and adds their channel and product names to the
 * names table; returns how many raw rows those dates held before and after (the import's added keys).
 * Runs inside the import's transaction.
 */
export function refreshSummaries(db: Database.Database, dates: Iterable<string>): { before: number; after: number } {
  db.exec('CREATE TEMP TABLE IF NOT EXISTS import_dates (date TEXT PRIMARY KEY) WITHOUT ROWID; DELETE FROM temp.import_dates;');
  const add = db.prepare('INSERT OR IGNORE INTO temp.import_dates (date) VALUES (?)');
  const days = [...new Set(dates)];
  for (const d of days) add.run(d);
  const counted = db.prepare(`SELECT COALESCE(SUM(n), 0) AS n FROM metrics_by_channel WHERE date IN (${TOUCHED})`).pluck();
  const before = counted.get() as number;
  // One date at a time: each GROUP BY sorts a day's rows in memory, three times faster than one sort of them all.
  const steps = [
    'DELETE FROM metrics_by_channel WHERE date = ?',
    'DELETE FROM metrics_by_product WHERE date = ?',
    `INSERT INTO metrics_by_channel SELECT date, channel, COUNT(*), ${sums} FROM daily_metrics WHERE date = ? GROUP BY channel`,
    `INSERT INTO metrics_by_product SELECT date, product, COUNT(*), ${sums} FROM daily_metrics WHERE date = ? GROUP BY product`,
  ].map((sql) => db.prepare(sql));
  for (const d of days) for (const step of steps) step.run(d);
  // Months from the day summaries just rebuilt: a month of a product is its days' sums.
  const monthSteps = [
    'DELETE FROM metrics_month_product WHERE month = ?',
    `INSERT INTO metrics_month_product SELECT substr(date, 1, 7), product, SUM(n), ${sums} FROM metrics_by_product WHERE date BETWEEN ? || '-01' AND ? || '-31' GROUP BY product`,
  ].map((sql) => db.prepare(sql));
  for (const m of new Set(days.map((d) => d.slice(0, 7)))) {
    monthSteps[0]!.run(m);
    monthSteps[1]!.run(m, m);
  }
  db.exec(`
    INSERT OR IGNORE INTO dimension_names (kind, name) SELECT DISTINCT 'channel', channel FROM metrics_by_channel WHERE date IN (${TOUCHED});
    INSERT OR IGNORE INTO dimension_names (kind, name) SELECT DISTINCT 'product', product FROM metrics_by_product WHERE date IN (${TOUCHED});
  `);
  const after = counted.get() as number;
  db.exec('DELETE FROM temp.import_dates');
  return { before, after };
}
