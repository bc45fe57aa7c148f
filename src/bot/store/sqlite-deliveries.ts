import { DELIVERY_KEEP_MS, type Delivery, type DeliveryLog, type DeliveryQuery } from '../deliveries/types.js';
import type { Query } from './sqlite.js';

export const DELIVERIES_DDL = [
  `CREATE TABLE IF NOT EXISTS opsbot_deliveries (
     id TEXT PRIMARY KEY, at INTEGER NOT NULL, platform TEXT NOT NULL, account TEXT, chat TEXT NOT NULL,
     source TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, message_id TEXT)`,
  'CREATE INDEX IF NOT EXISTS opsbot_deliveries_at ON opsbot_deliveries (at)',
  'CREATE INDEX IF NOT EXISTS opsbot_deliveries_chat ON opsbot_deliveries (chat, at)',
  'CREATE INDEX IF NOT EXISTS opsbot_deliveries_source ON opsbot_deliveries (source, at)',
];

function fromRow(r: Record<string, unknown>): Delivery {
  return {
    id: String(r.id),
    at: new Date(Number(r.at)).toISOString(),
    platform: r.platform as Delivery['platform'],
    ...(r.account ? { account: String(r.account) } : {}),
    chat: String(r.chat),
    source: String(r.source),
    status: r.status as Delivery['status'],
    ...(r.reason ? { reason: String(r.reason) } : {}),
    ...(r.message_id ? { messageId: String(r.message_id) } : {}),
  };
}

/** The delivery log as a table with indexes by time, chat and source; rows older than 30 days are swept. */
export function sqliteDeliveries(q: Query): DeliveryLog {
  let writes = 0;
  return {
    async record(d) {
      await q(
        `INSERT INTO opsbot_deliveries (id, at, platform, account, chat, source, status, reason, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET at = excluded.at, status = excluded.status, reason = excluded.reason, message_id = excluded.message_id`,
        d.id,
        Date.parse(d.at),
        d.platform,
        d.account ?? null,
        d.chat,
        d.source,
        d.status,
        d.reason ?? null,
        d.messageId ?? null,
      );
      // Kept 30 days behind the newest send: `at` is on the app's clock (OPSBOT_NOW), not the store's.
      if (++writes % 200 === 1) await q('DELETE FROM opsbot_deliveries WHERE at < ?', Date.parse(d.at) - DELIVERY_KEEP_MS);
    },
    async list(query: DeliveryQuery = {}) {
      const where: string[] = ['at >= ?'];
      const params: unknown[] = [query.since?.getTime() ?? 0];
      if (query.chat !== undefined) {
        where.push('chat = ?');
        params.push(query.chat);
      }
      if (query.source) {
        // A range on the indexed column: LIKE would not use the index (and would treat _ and % as wildcards).
        where.push('source >= ? AND source < ?');
        params.push(query.source, `${query.source}\u{10FFFF}`);
      }
      const rows = await q(`SELECT * FROM opsbot_deliveries WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT ?`, ...params, query.limit ?? 100);
      return rows.map(fromRow);
    },
    async get(id) {
      const [row] = await q('SELECT * FROM opsbot_deliveries WHERE id = ?', id);
      return row ? fromRow(row) : undefined;
    },
  };
}
