import type KeyvRedis from '@keyv/redis';
import type { StoreSite } from './failure.js';
import { guarded } from './guard.js';
import type { PoolClaim, Pools, TakeResult } from './pools.js';

type Client = Awaited<ReturnType<KeyvRedis<unknown>['getClient']>>;

/*
 * A pool's keys share one hash tag (`{pool}`), so they sit on one slot of a cluster:
 *   …:rules   hash: total, taken, limit, starts, ends (absent until the pool is complete)
 *   …:free    list of the items not taken, in order
 *   …:held    hash: holder → the items they hold, JSON
 *   …:claims  list of every take, JSON, in order
 */

// Every check and the take in one script: Redis runs it whole, with no other command in between
// (exported for bench/coupon.ts, which runs it through redis-benchmark as the ceiling).
export const TAKE_SCRIPT = `
local rules = KEYS[1]; local free = KEYS[2]; local held = KEYS[3]; local claims = KEYS[4]
if redis.call('EXISTS', rules) == 0 then return {'missing'} end
local r = redis.call('HMGET', rules, 'total', 'taken', 'limit', 'starts', 'ends')
local total = tonumber(r[1]); local taken = tonumber(r[2]); local limit = tonumber(r[3])
local at = tonumber(ARGV[2])
local mine = redis.call('HGET', held, ARGV[1])
local items = mine and cjson.decode(mine) or {}
if #items >= limit then return {'held', mine} end
if r[4] and r[4] ~= '' and at < tonumber(r[4]) then return {'not_started', r[4]} end
if r[5] and r[5] ~= '' and at >= tonumber(r[5]) then return {'ended'} end
if taken >= total then return {'empty'} end
local item = redis.call('LPOP', free)
if not item then return {'empty'} end
taken = taken + 1
redis.call('HSET', rules, 'taken', taken)
table.insert(items, item)
redis.call('HSET', held, ARGV[1], cjson.encode(items))
redis.call('RPUSH', claims, cjson.encode({seq = taken, holder = ARGV[1], item = item, at = at, meta = cjson.decode(ARGV[3])}))
return {'taken', item, tostring(taken), tostring(total)}`;

// Marks the pool complete (its rules) once every item is in, unless someone completed it first.
const CREATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'total', ARGV[1], 'taken', 0, 'limit', ARGV[2], 'starts', ARGV[3], 'ends', ARGV[4])
return 1`;

const PUSH_CHUNK = 1_000;

/** Pools on Redis: a hash, two lists and a hash of holders per pool; each take one Lua script. */
export function redisPools(client: Client, namespace: string, site: StoreSite): Pools {
  const keys = (pool: string) => {
    const base = `${namespace}:pool:{${pool}}`;
    return { rules: `${base}:rules`, free: `${base}:free`, held: `${base}:held`, claims: `${base}:claims`, loading: `${base}:loading` };
  };
  const parseHeld = (json: string | null | undefined): string[] => (json ? (JSON.parse(json) as string[]) : []);
  return {
    create: (pool, items, rules) =>
      guarded(site, async () => {
        const k = keys(pool);
        if ((await client.exists(k.rules)) === 1) return false;
        // One creator fills the list; the pool exists for takers only once its rules are written.
        if ((await client.set(k.loading, '1', { NX: true, PX: 60_000 })) !== 'OK') return false;
        try {
          await client.del(k.free);
          for (let i = 0; i < items.length; i += PUSH_CHUNK) await client.rPush(k.free, items.slice(i, i + PUSH_CHUNK) as string[]);
          const args = [String(items.length), String(rules.limit), rules.startsAt !== undefined ? String(rules.startsAt) : '', rules.endsAt !== undefined ? String(rules.endsAt) : ''];
          return Number(await client.eval(CREATE_SCRIPT, { keys: [k.rules], arguments: args })) === 1;
        } finally {
          await client.del(k.loading);
        }
      }),
    take: (pool, holder, at, meta = {}) =>
      guarded(site, async (): Promise<TakeResult> => {
        const k = keys(pool);
        const reply = (await client.eval(TAKE_SCRIPT, { keys: [k.rules, k.free, k.held, k.claims], arguments: [holder, String(at), JSON.stringify(meta)] })) as string[];
        switch (reply[0]) {
          case 'taken':
            return { status: 'taken', item: reply[1]!, seq: Number(reply[2]), taken: Number(reply[2]), total: Number(reply[3]) };
          case 'held':
            return { status: 'held', items: parseHeld(reply[1]) };
          case 'not_started':
            return { status: 'not_started', startsAt: Number(reply[1]) };
          case 'ended':
            return { status: 'ended' };
          case 'empty':
            return { status: 'empty' };
          default:
            return { status: 'missing' };
        }
      }),
    held: (pool, holder) => guarded(site, async () => parseHeld(await client.hGet(keys(pool).held, holder))),
    stats: (pool) =>
      guarded(site, async () => {
        const [total, taken] = await client.hmGet(keys(pool).rules, ['total', 'taken']);
        return total == null ? undefined : { total: Number(total), taken: Number(taken) };
      }),
    claims: (pool) =>
      guarded(site, async () =>
        (await client.lRange(keys(pool).claims, 0, -1)).map((json) => {
          const c = JSON.parse(json) as { seq: number; holder: string; item: string; at: number; meta: Record<string, string> | unknown[] };
          // cjson writes an empty table as an array.
          const meta = Array.isArray(c.meta) ? {} : c.meta;
          return { seq: c.seq, holder: c.holder, item: c.item, at: new Date(c.at).toISOString(), meta } satisfies PoolClaim;
        }),
      ),
  };
}
