import { LIVE_OWNERS, PROCESS_STALE_MS } from './sqlite-processes.js';
import type { Query } from './sqlite.js';
import type { Transaction } from './sqlite-tx.js';

export const JOBS_DDL = [
  `CREATE TABLE IF NOT EXISTS opsbot_jobs (
     id TEXT PRIMARY KEY, kind TEXT NOT NULL, at INTEGER NOT NULL, deadline INTEGER NOT NULL, payload TEXT NOT NULL,
     state TEXT NOT NULL, reason TEXT, owner TEXT, created INTEGER NOT NULL, updated INTEGER NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS opsbot_jobs_due ON opsbot_jobs (state, at)',
  'CREATE INDEX IF NOT EXISTS opsbot_jobs_updated ON opsbot_jobs (updated)',
];

/** A row of the jobs table: times in epoch ms, the payload as JSON. */
export interface JobRow {
  readonly id: string;
  readonly kind: string;
  readonly at: number;
  readonly deadline: number;
  readonly payload: string;
  readonly state: string;
  readonly reason: string | null;
  readonly owner: string | null;
  readonly updated: number;
}

/** The scheduler's named operations on SQLite: each one statement, so two processes never both claim a job. */
export interface SqliteJobs {
  /** The job with this id: inserted, revived if it was cancelled, or as it already is. */
  insert(job: Pick<JobRow, 'id' | 'kind' | 'at' | 'deadline' | 'payload'>): Promise<JobRow>;
  /** Several jobs as `insert` does each, in one statement: all of them or none. */
  insertAll(jobs: readonly Pick<JobRow, 'id' | 'kind' | 'at' | 'deadline' | 'payload'>[]): Promise<void>;
  cancel(id: string, reason: string): Promise<boolean>;
  reschedule(id: string, at: number, deadline: number): Promise<boolean>;
  /** Marks up to `limit` pending jobs due at `at` (the scheduler's clock) running for `owner`, and returns them. */
  claimDue(owner: string, at: number, limit: number): Promise<JobRow[]>;
  /** Ends a job `owner` is running. */
  finish(id: string, owner: string, state: string, reason: string | null): Promise<void>;
  /**
   * Running jobs whose owner has not beaten for `staleMs` become interrupted, or pending again with the
   * `resumed` reason when their kind is in `rerun` and they were not resumed before; returns them.
   */
  interruptOrphans(reasons: { interrupted: string; resumed: string }, staleMs?: number, rerun?: readonly string[]): Promise<JobRow[]>;
  get(id: string): Promise<JobRow | undefined>;
  /** Pending and running jobs, and the others updated since `since` (up to `limit`, pending ones first), soonest first. */
  list(limit: number, since: number): Promise<JobRow[]>;
  /** When the next pending job is due, if any. */
  nextAt(): Promise<number | undefined>;
}

const KEEP_MS = 30 * 24 * 3600_000;

export function sqliteJobs(q: Query, now: () => number, transaction: Transaction): SqliteJobs {
  const rows = async (sql: string, ...params: unknown[]) => (await q(sql, ...params)) as unknown as JobRow[];
  let writes = 0;
  const INSERT_ROWS = 4_000;
  const UPSERT = `ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, at = excluded.at, deadline = excluded.deadline, payload = excluded.payload,
           state = 'pending', reason = NULL, owner = NULL, updated = excluded.updated
         WHERE opsbot_jobs.state = 'cancelled'`;
  return {
    async insertAll(jobs) {
      const t = now();
      const statement = (rows: number) => `INSERT INTO opsbot_jobs (id, kind, at, deadline, payload, state, created, updated) VALUES ${Array(rows).fill("(?, ?, ?, ?, ?, 'pending', ?, ?)").join(', ')}
         ${UPSERT}`;
      const params = (chunk: typeof jobs) => chunk.flatMap((job) => [job.id, job.kind, job.at, job.deadline, job.payload, t, t]);
      // One statement holds 4,000 rows (7 parameters a row, under SQLite's 32,766). A push to fewer groups
      // (every shop's) is one statement on the shared connection; a wider one is one transaction, so it
      // too is added all or none.
      if (jobs.length <= INSERT_ROWS) {
        if (jobs.length > 0) await q(statement(jobs.length), ...params(jobs));
        return;
      }
      await transaction(async (tx) => {
        for (let i = 0; i < jobs.length; i += INSERT_ROWS) {
          const chunk = jobs.slice(i, i + INSERT_ROWS);
          await tx.run(statement(chunk.length), ...params(chunk));
        }
      });
    },
    async insert(job) {
      const t = now();
      await q(
        `INSERT INTO opsbot_jobs (id, kind, at, deadline, payload, state, created, updated) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, at = excluded.at, deadline = excluded.deadline, payload = excluded.payload,
           state = 'pending', reason = NULL, owner = NULL, updated = excluded.updated
         WHERE opsbot_jobs.state = 'cancelled'`,
        job.id,
        job.kind,
        job.at,
        job.deadline,
        job.payload,
        t,
        t,
      );
      if (++writes % 200 === 1) await q(`DELETE FROM opsbot_jobs WHERE state NOT IN ('pending', 'running') AND updated < ?`, t - KEEP_MS);
      return (await this.get(job.id))!;
    },
    async cancel(id, reason) {
      return (await q(`UPDATE opsbot_jobs SET state = 'cancelled', reason = ?, updated = ? WHERE id = ? AND state = 'pending' RETURNING id`, reason, now(), id)).length === 1;
    },
    async reschedule(id, at, deadline) {
      return (await q(`UPDATE opsbot_jobs SET at = ?, deadline = ?, updated = ? WHERE id = ? AND state = 'pending' RETURNING id`, at, deadline, now(), id)).length === 1;
    },
    claimDue(owner, at, limit) {
      return rows(
        `UPDATE opsbot_jobs SET state = 'running', owner = ?, updated = ?
         WHERE id IN (SELECT id FROM opsbot_jobs WHERE state = 'pending' AND at <= ? ORDER BY at LIMIT ?) RETURNING *`,
        owner,
        now(),
        at,
        limit,
      );
    },
    async finish(id, owner, state, reason) {
      await q(`UPDATE opsbot_jobs SET state = ?, reason = ?, updated = ? WHERE id = ? AND owner = ? AND state = 'running'`, state, reason, now(), id, owner);
    },
    interruptOrphans(reasons, staleMs = PROCESS_STALE_MS, rerun = []) {
      const t = now();
      const again = `kind IN (${rerun.map(() => '?').join(', ') || 'NULL'}) AND reason IS NOT ?`;
      return rows(
        `UPDATE opsbot_jobs SET state = CASE WHEN ${again} THEN 'pending' ELSE 'interrupted' END,
           reason = CASE WHEN ${again} THEN ? ELSE ? END, owner = NULL, updated = ?
         WHERE state = 'running' AND owner NOT IN (${LIVE_OWNERS}) RETURNING *`,
        ...rerun,
        reasons.resumed,
        ...rerun,
        reasons.resumed,
        reasons.resumed,
        reasons.interrupted,
        t,
        t - staleMs,
      );
    },
    async get(id) {
      return (await rows('SELECT * FROM opsbot_jobs WHERE id = ?', id))[0];
    },
    list(limit, since) {
      // Pending and running ones first when there are more than `limit`, newest of the rest after; shown soonest first.
      return rows(
        `SELECT * FROM (SELECT * FROM opsbot_jobs WHERE state IN ('pending', 'running') OR updated >= ?
                        ORDER BY state IN ('pending', 'running') DESC, updated DESC LIMIT ?) ORDER BY at`,
        since,
        limit,
      );
    },
    async nextAt() {
      const [row] = await q(`SELECT MIN(at) AS at FROM opsbot_jobs WHERE state = 'pending'`);
      return row?.at == null ? undefined : Number(row.at);
    },
  };
}
