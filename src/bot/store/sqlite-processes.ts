import type { Query } from './sqlite.js';

export const PROCESSES_DDL = ['CREATE TABLE IF NOT EXISTS opsbot_processes (owner TEXT PRIMARY KEY, seen INTEGER NOT NULL)'];

/** A process counts as alive while its heartbeat is younger than this. */
export const PROCESS_STALE_MS = 15_000;

/** Heartbeats of the processes sharing the SQLite file: claims whose owner stopped beating are orphans. */
export interface SqliteProcesses {
  /** Records that `owner` is alive now. */
  beat(owner: string): Promise<void>;
  /** `owner` stopped cleanly. */
  gone(owner: string): Promise<void>;
}

export function sqliteProcesses(q: Query, now: () => number): SqliteProcesses {
  return {
    async beat(owner) {
      await q('INSERT INTO opsbot_processes (owner, seen) VALUES (?, ?) ON CONFLICT(owner) DO UPDATE SET seen = excluded.seen', owner, now());
      await q('DELETE FROM opsbot_processes WHERE seen < ?', now() - 24 * 3600_000);
    },
    async gone(owner) {
      await q('DELETE FROM opsbot_processes WHERE owner = ?', owner);
    },
  };
}

/** SQL: the owners alive at `?` (a time: now minus PROCESS_STALE_MS). */
export const LIVE_OWNERS = 'SELECT owner FROM opsbot_processes WHERE seen >= ?';
