import type { PoolClaim, Pools, PoolStats, TakeResult } from './pools.js';
import type { Query } from './sqlite.js';
import type { Transaction, Tx } from './sqlite-tx.js';

export const POOLS_DDL = [
  `CREATE TABLE IF NOT EXISTS opsbot_pools (
     pool TEXT PRIMARY KEY, total INTEGER NOT NULL, taken INTEGER NOT NULL, per_holder INTEGER NOT NULL,
     starts INTEGER, ends INTEGER, created INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS opsbot_pool_items (
     pool TEXT NOT NULL, seq INTEGER NOT NULL, item TEXT NOT NULL, holder TEXT, taken_seq INTEGER, taken_at INTEGER, meta TEXT,
     PRIMARY KEY (pool, seq), UNIQUE (pool, item))`,
  'CREATE INDEX IF NOT EXISTS opsbot_pool_items_holder ON opsbot_pool_items (pool, holder)',
  'CREATE INDEX IF NOT EXISTS opsbot_pool_items_taken ON opsbot_pool_items (pool, taken_seq)',
];

interface PoolRow {
  total: number;
  taken: number;
  per_holder: number;
  starts: number | null;
  ends: number | null;
}

const INSERT_CHUNK = 400;

/** Pools in the SQLite file: a row per pool and a row per item; each take one BEGIN IMMEDIATE transaction. */
export function sqlitePools(q: Query, namespace: string, tx: Transaction): Pools {
  const id = (pool: string) => `${namespace}:${pool}`;
  const heldBy = async (t: Pick<Tx, 'all'>, pool: string, holder: string) =>
    (await t.all('SELECT item FROM opsbot_pool_items WHERE pool = ? AND holder = ? ORDER BY taken_seq', id(pool), holder)).map((r) => String(r.item));
  return {
    create: (pool, items, rules) =>
      tx(async (t) => {
        if ((await t.all('SELECT 1 FROM opsbot_pools WHERE pool = ?', id(pool))).length > 0) return false;
        await t.run(
          'INSERT INTO opsbot_pools (pool, total, taken, per_holder, starts, ends, created) VALUES (?, ?, 0, ?, ?, ?, ?)',
          id(pool),
          items.length,
          rules.limit,
          rules.startsAt ?? null,
          rules.endsAt ?? null,
          Date.now(),
        );
        for (let i = 0; i < items.length; i += INSERT_CHUNK) {
          const chunk = items.slice(i, i + INSERT_CHUNK);
          await t.run(`INSERT INTO opsbot_pool_items (pool, seq, item) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`, ...chunk.flatMap((item, j) => [id(pool), i + j + 1, item]));
        }
        return true;
      }),
    take: (pool, holder, at, meta = {}) =>
      tx(async (t): Promise<TakeResult> => {
        const [row] = (await t.all('SELECT total, taken, per_holder, starts, ends FROM opsbot_pools WHERE pool = ?', id(pool))) as unknown as PoolRow[];
        if (!row) return { status: 'missing' };
        const held = await heldBy(t, pool, holder);
        if (held.length >= row.per_holder) return { status: 'held', items: held };
        if (row.starts !== null && at < row.starts) return { status: 'not_started', startsAt: row.starts };
        if (row.ends !== null && at >= row.ends) return { status: 'ended' };
        if (row.taken >= row.total) return { status: 'empty' };
        // Items go in order, one take at a time: the next is the one after the last taken, found by its key.
        const seq = row.taken + 1;
        const [free] = await t.all('SELECT item FROM opsbot_pool_items WHERE pool = ? AND seq = ? AND taken_seq IS NULL', id(pool), seq);
        if (!free) return { status: 'empty' };
        await t.run('UPDATE opsbot_pool_items SET holder = ?, taken_seq = ?, taken_at = ?, meta = ? WHERE pool = ? AND seq = ?', holder, seq, at, JSON.stringify(meta), id(pool), seq);
        await t.run('UPDATE opsbot_pools SET taken = ? WHERE pool = ?', seq, id(pool));
        return { status: 'taken', item: String(free.item), seq, taken: seq, total: row.total };
      }),
    // `q` is guarded itself: wrapping it again would take a second shared turn inside the first.
    held: (pool, holder) => heldBy({ all: q }, pool, holder),
    async stats(pool): Promise<PoolStats | undefined> {
      const [row] = await q('SELECT total, taken FROM opsbot_pools WHERE pool = ?', id(pool));
      return row ? { total: Number(row.total), taken: Number(row.taken) } : undefined;
    },
    async claims(pool): Promise<PoolClaim[]> {
      const rows = await q('SELECT taken_seq, holder, item, taken_at, meta FROM opsbot_pool_items WHERE pool = ? AND taken_seq IS NOT NULL ORDER BY taken_seq', id(pool));
      return rows.map((r) => ({
        seq: Number(r.taken_seq),
        holder: String(r.holder),
        item: String(r.item),
        at: new Date(Number(r.taken_at)).toISOString(),
        meta: JSON.parse(String(r.meta ?? '{}')) as Record<string, string>,
      }));
    },
  };
}

