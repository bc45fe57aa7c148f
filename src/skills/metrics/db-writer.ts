import type Database from 'better-sqlite3';
import { ErrorCode, UserFacingError } from '../../kernel/errors.js';
import type { MetricRow } from './db.js';
import { storeError } from './db-errors.js';
import { BASE_FIELDS, type BaseField } from './definitions.js';
import { markSummarized, refreshSummaries } from './db-summaries.js';

/** One import in progress: rows go in one transaction, committed or rolled back as a whole. */
export interface ImportWriter {
  /**
   * Stores a row read at `line` (0: not from a file); returns the line this import already stored the same
   * key from (a duplicate, not stored), else undefined.
   */
  write(row: MetricRow, line?: number): number | undefined;
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

/** How long a query waits for a writer's lock. */
export const BUSY_MS = 5_000;
/** How long an import waits for another import to finish. */
const IMPORT_WAIT_MS = 120_000;

/**
 * Starts one import transaction for rows carrying `fields`. Each row replaces what is stored under its
 * key for those fields; fields the file does not have keep their stored values, so a traffic export and
 * a sales export of the same days complete each other. Each row is marked with this import's id and its
 * line: a key this import already wrote is not updated (the upsert's WHERE), which is how a duplicate
 * is found without holding every key in memory. At commit the summaries of every date the import touched
 * are rebuilt in the same transaction.
 */
export function beginImport(db: Database.Database, path: string, fields: readonly BaseField[]): ImportWriter {
  const guard = <T>(run: () => T): T => {
    try {
      return run();
    } catch (err) {
      throw storeError(path, err, false);
    }
  };
  const present = new Set(fields);
  const updates = BASE_FIELDS.map((f) => (present.has(f) ? `${f} = excluded.${f}` : `${f} = COALESCE(excluded.${f}, ${f})`));
  const upsert = guard(() => db.prepare(
    `INSERT INTO daily_metrics (date, channel, product, ${BASE_FIELDS.join(', ')}, import_id, line)
     VALUES (?, ?, ?, ${BASE_FIELDS.map(() => '?').join(', ')}, ?, ?)
     ON CONFLICT (date, channel, product) DO UPDATE SET ${updates.join(', ')}, import_id = excluded.import_id, line = excluded.line
     WHERE daily_metrics.import_id IS NOT excluded.import_id`,
  ));
  const storedLine = guard(() => db.prepare('SELECT line FROM daily_metrics WHERE date = ? AND channel = ? AND product = ?').pluck());
  // Another import holds the write lock: wait for it (up to two minutes), then count inside the lock.
  try {
    db.pragma(`busy_timeout = ${IMPORT_WAIT_MS}`);
    db.exec('BEGIN IMMEDIATE');
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new UserFacingError(ErrorCode.METRICS_DB_BUSY, 'errors/metrics-db-busy', { seconds: IMPORT_WAIT_MS / 1000 }, { cause: err });
    }
    throw storeError(path, err, false);
  } finally {
    db.pragma(`busy_timeout = ${BUSY_MS}`);
  }
  let open = true;
  const rollback = () => {
    // On a corrupt or full file ROLLBACK can fail too; the error already being thrown is the one to say.
    try {
      if (open && db.inTransaction) db.exec('ROLLBACK');
    } catch {
      // SQLite rolls back itself when the connection closes.
    }
    open = false;
  };
  let id: number;
  try {
    id = guard(() => db.prepare('SELECT COALESCE(MAX(id), 0) + 1 FROM imports').pluck().get() as number);
  } catch (err) {
    rollback();
    throw err;
  }
  const params: (string | number | null)[] = new Array(BASE_FIELDS.length + 5).fill(null);
  params[params.length - 2] = id;
  const dates = new Set<string>();
  let rows = 0;
  let first: string | undefined;
  let last: string | undefined;
  return {
    write: (row, line = 0) => {
      // One parameter array reused for every row: a million rows allocate nothing here.
      params[0] = row.date;
      params[1] = row.channel;
      params[2] = row.product;
      for (let i = 0; i < BASE_FIELDS.length; i++) params[3 + i] = row.values[BASE_FIELDS[i]!] ?? null;
      params[params.length - 1] = line;
      let changes: number;
      try {
        changes = upsert.run(params).changes;
      } catch (err) {
        throw storeError(path, err, false);
      }
      if (changes === 0) return guard(() => storedLine.get(row.date, row.channel, row.product) as number);
      dates.add(row.date);
      rows++;
      if (first === undefined || row.date < first) first = row.date;
      if (last === undefined || row.date > last) last = row.date;
      return undefined;
    },
    commit: (file) => {
      const added = guard(() => {
        const { before, after } = refreshSummaries(db, dates);
        const count = after - before;
        db.prepare('INSERT INTO imports (id, file, rows, added, first_date, last_date, at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
          id,
          file,
          rows,
          count,
          first ?? null,
          last ?? null,
          new Date().toISOString(),
        );
        markSummarized(db, id);
        db.exec('COMMIT');
        return count;
      });
      open = false;
      return { rows, added, replaced: rows - added, ...(first ? { first, last: last! } : {}) };
    },
    rollback,
  };
}
