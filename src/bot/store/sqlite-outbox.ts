import { LIVE_OWNERS, PROCESS_STALE_MS } from './sqlite-processes.js';
import type { Query } from './sqlite.js';

export const OUTBOX_DDL = [
  `CREATE TABLE IF NOT EXISTS opsbot_outbox (
     id TEXT PRIMARY KEY, dedupe_key TEXT NOT NULL UNIQUE, platform TEXT NOT NULL, account TEXT NOT NULL, entry TEXT NOT NULL,
     priority INTEGER NOT NULL, not_before INTEGER NOT NULL, state TEXT NOT NULL, owner TEXT, result TEXT,
     created INTEGER NOT NULL, updated INTEGER NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS opsbot_outbox_next ON opsbot_outbox (state, platform, account, priority, not_before)',
];

/** A row of the outbox table: the entry itself as JSON; `result` once it has ended. */
export interface OutboxRow {
  readonly id: string;
  readonly entry: string;
  readonly state: 'queued' | 'sending' | 'done';
  readonly result: string | null;
}

/** The outbox's named operations on SQLite: each one statement, so an entry is taken by one process only. */
export interface SqliteOutbox {
  /** Adds an entry unless its dedupe key is taken; returns the row under that key and whether it is new. */
  enqueue(row: { id: string; dedupeKey: string; platform: string; account: string; entry: string; priority: number }): Promise<{ row: OutboxRow; created: boolean }>;
  /** Takes the next entry for one of `accounts` that may go at `at` (the app's clock), replies and urgent ones first; one waiting for an entry that has not ended is left. */
  claimNext(owner: string, platform: string, accounts: readonly string[], at: number): Promise<OutboxRow | undefined>;
  /** Puts an entry back to wait until `notBefore` (quiet hours, on the app's clock). */
  defer(id: string, owner: string, notBefore: number): Promise<void>;
  /** Ends an entry with its result. */
  finish(id: string, result: string): Promise<void>;
  /** Ends an entry that is still waiting (not taken by any sender) with `result`; the row if it was. */
  cancelQueued(id: string, result: string): Promise<OutboxRow | undefined>;
  /** Entries being sent by processes that stopped beating, now taken by `owner` to settle. */
  adoptOrphans(owner: string, platform: string, accounts: readonly string[], staleMs?: number): Promise<OutboxRow[]>;
  get(id: string): Promise<OutboxRow | undefined>;
}

const KEEP_MS = 30 * 24 * 3600_000;

export function sqliteOutbox(q: Query, now: () => number): SqliteOutbox {
  const rows = async (sql: string, ...params: unknown[]) => (await q(sql, ...params)) as unknown as OutboxRow[];
  let writes = 0;
  return {
    async enqueue(r) {
      const t = now();
      const created = await q(
        `INSERT INTO opsbot_outbox (id, dedupe_key, platform, account, entry, priority, not_before, state, created, updated)
         VALUES (?, ?, ?, ?, ?, ?, 0, 'queued', ?, ?) ON CONFLICT(dedupe_key) DO NOTHING RETURNING id`,
        r.id,
        r.dedupeKey,
        r.platform,
        r.account,
        r.entry,
        r.priority,
        t,
        t,
      );
      if (++writes % 200 === 1) await q(`DELETE FROM opsbot_outbox WHERE state = 'done' AND updated < ?`, t - KEEP_MS);
      const [row] = await rows('SELECT * FROM opsbot_outbox WHERE dedupe_key = ?', r.dedupeKey);
      return { row: row!, created: created.length === 1 };
    },
    async claimNext(owner, platform, accounts, at) {
      // Ties in `created` (a notice's messages pushed in one millisecond) keep their order by rowid.
      const [row] = await rows(
        `UPDATE opsbot_outbox SET state = 'sending', owner = ?, updated = ?
         WHERE id = (SELECT id FROM opsbot_outbox o WHERE state = 'queued' AND platform = ? AND account IN (SELECT value FROM json_each(?))
                     AND not_before <= ?
                     AND NOT EXISTS (SELECT 1 FROM opsbot_outbox p WHERE p.id = json_extract(o.entry, '$.after') AND p.state <> 'done')
                     ORDER BY priority DESC, created, rowid LIMIT 1)
         RETURNING *`,
        owner,
        now(),
        platform,
        JSON.stringify(accounts),
        at,
      );
      return row;
    },
    async defer(id, owner, notBefore) {
      await q(`UPDATE opsbot_outbox SET state = 'queued', owner = NULL, not_before = ?, updated = ? WHERE id = ? AND owner = ?`, notBefore, now(), id, owner);
    },
    async finish(id, result) {
      await q(`UPDATE opsbot_outbox SET state = 'done', result = ?, updated = ? WHERE id = ?`, result, now(), id);
    },
    async cancelQueued(id, result) {
      return (await rows(`UPDATE opsbot_outbox SET state = 'done', result = ?, updated = ? WHERE id = ? AND state = 'queued' RETURNING *`, result, now(), id))[0];
    },
    adoptOrphans(owner, platform, accounts, staleMs = PROCESS_STALE_MS) {
      const t = now();
      return rows(
        `UPDATE opsbot_outbox SET owner = ?, updated = ?
         WHERE state = 'sending' AND platform = ? AND account IN (SELECT value FROM json_each(?)) AND owner NOT IN (${LIVE_OWNERS}) RETURNING *`,
        owner,
        t,
        platform,
        JSON.stringify(accounts),
        t - staleMs,
      );
    },
    async get(id) {
      return (await rows('SELECT * FROM opsbot_outbox WHERE id = ?', id))[0];
    },
  };
}
