import type KeyvRedis from '@keyv/redis';
import { DELIVERY_KEEP_MS, type Delivery, type DeliveryLog, type DeliveryQuery } from '../deliveries/types.js';
import type { StoreSite } from './failure.js';
import { guarded } from './guard.js';

type Client = Awaited<ReturnType<KeyvRedis<unknown>['getClient']>>;

// The record, then its place in each index (all, its chat, each ':'-prefix of its source), trimming
// what is older than the log keeps: one script, so a reader never sees a record half indexed.
const RECORD_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], ARGV[2], ARGV[3])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. ARGV[5])
  redis.call('PEXPIRE', KEYS[i], ARGV[4])
end
return 1`;

/** `live:42:reminder` → live, live:42, live:42:reminder: the prefixes a source can be listed by without a scan. */
export function sourcePrefixes(source: string): string[] {
  const parts = source.split(':');
  return parts.map((_, i) => parts.slice(0, i + 1).join(':'));
}

/**
 * The delivery log on Redis: one key per record (kept 30 days) and sorted sets by time for all sends,
 * per chat and per source prefix, so the newest first by chat or by source is a range read.
 */
export function redisDeliveries(client: Client, namespace: string, site: StoreSite): DeliveryLog {
  const rec = (id: string) => `${namespace}:dlv:${id}`;
  const idx = (name: string) => `${namespace}:dlv-idx:${name}`;
  const indexesOf = (d: Delivery) => [idx('all'), idx(`chat:${d.chat}`), ...sourcePrefixes(d.source).map((p) => idx(`src:${p}`))];
  const read = async (ids: string[]): Promise<Delivery[]> => {
    if (ids.length === 0) return [];
    const values = await client.mGet(ids.map(rec));
    return values.flatMap((v) => (v ? [JSON.parse(String(v)) as Delivery] : []));
  };
  return {
    record: (d) =>
      guarded(site, async () => {
        const at = Date.parse(d.at);
        await client.eval(RECORD_SCRIPT, {
          keys: [rec(d.id), ...indexesOf(d)],
          // Kept 30 days behind the newest send: `at` is on the app's clock (OPSBOT_NOW), not Redis's.
          arguments: [JSON.stringify(d), String(at), d.id, String(DELIVERY_KEEP_MS), String(at - DELIVERY_KEEP_MS)],
        });
      }),
    list: (query: DeliveryQuery = {}) =>
      guarded(site, async () => {
        const limit = query.limit ?? 100;
        // The narrowest index holding every answer: the chat's; for a source prefix, the index of its whole
        // segments (`live:42:` → live:42, `escalation:ab` → escalation); else all sends. What the index
        // cannot tell apart is filtered after reading.
        const cut = query.source?.lastIndexOf(':') ?? -1;
        const segments = cut > 0 ? query.source!.slice(0, cut) : undefined;
        const key = query.chat !== undefined ? idx(`chat:${query.chat}`) : segments ? idx(`src:${segments}`) : idx('all');
        const min = query.since ? String(query.since.getTime()) : '-inf';
        const keep = (d: Delivery) => (!query.source || d.source.startsWith(query.source)) && (query.chat === undefined || d.chat === query.chat);
        const out: Delivery[] = [];
        const page = Math.max(limit, 100);
        for (let offset = 0; out.length < limit; offset += page) {
          const ids = await client.zRange(key, '+inf', min, { BY: 'SCORE', REV: true, LIMIT: { offset, count: page } });
          for (const d of await read(ids.map(String))) if (keep(d) && out.length < limit) out.push(d);
          if (ids.length < page) break;
        }
        return out;
      }),
    get: (id) => guarded(site, async () => (await read([id]))[0]),
  };
}
