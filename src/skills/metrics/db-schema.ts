import type Database from 'better-sqlite3';
import { BASE_FIELDS } from './definitions.js';
import { catchUpSummaries, fillSummaries, SUMMARY_SCHEMA } from './db-summaries.js';

/** 1: raw rows, names, imports. 2: summary tables, and each raw row's import and line (the duplicate check). */
const SCHEMA_VERSION = 2;

/**
 * Brings a metrics database to the current schema in one transaction, holding the write lock so that two
 * processes opening an old file migrate it once.
 */
export function migrate(db: Database.Database): void {
  if ((db.pragma('user_version', { simple: true }) as number) >= SCHEMA_VERSION) return catchUpSummaries(db);
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version >= SCHEMA_VERSION) return;
    const columns = BASE_FIELDS.map((f) => `${f} INTEGER`).join(', ');
    db.exec(`
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
    `);
    const have = new Set((db.pragma('table_info(daily_metrics)') as { name: string }[]).map((c) => c.name));
    // The import that last wrote a row, and the line of its file: a second row with the same key in the same import is a duplicate.
    if (!have.has('import_id')) db.exec('ALTER TABLE daily_metrics ADD COLUMN import_id INTEGER');
    if (!have.has('line')) db.exec('ALTER TABLE daily_metrics ADD COLUMN line INTEGER');
    db.exec(SUMMARY_SCHEMA);
    fillSummaries(db);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
  catchUpSummaries(db);
}
