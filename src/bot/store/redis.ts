import Keyv from 'keyv';
import KeyvRedis from '@keyv/redis';
import { redisAddress, type StoreSite } from './failure.js';
import { guarded, once } from './guard.js';
import type { Store } from './index.js';
import { keyvMethods } from './keyv.js';
import { redisDeliveries } from './redis-deliveries.js';
import { redisPools } from './redis-pools.js';

// INCRBY, then an expiry only when this call created the counter: one script, so no other client sees it half done.
const INCREMENT_SCRIPT = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if v == tonumber(ARGV[1]) and tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;

/** Redis: keyv for plain values, one command or script per atomic operation, sorted sets for the delivery log. */
export async function openRedis(url: string, namespace: string, report?: StoreSite['report']): Promise<Store> {
  const site: StoreSite = { kind: 'redis', where: redisAddress(url), ...(report ? { report } : {}) };
  // Unreachable at start: refuse to open. Lost later: reconnect for as long as it takes, with backoff,
  // while every call fails at once (no offline queue) so a reply never hangs on the store.
  let opened = false;
  const adapter = new KeyvRedis(
    {
      url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 5_000,
        reconnectStrategy: (retries: number) => (!opened && retries > 3 ? new Error('redis unreachable') : Math.min(100 * 2 ** retries, 5_000)),
      },
    },
    { throwOnConnectError: true, throwOnErrors: true },
  );
  const keyv = new Keyv({ store: adapter, namespace, throwOnErrors: true });
  keyv.on('error', () => {});
  // The client's own errors say why (refused, wrong database, wrong password); its thrown ones only "not connected".
  adapter.on('error', (err: unknown) => {
    if (!/reconnect|redis unreachable/i.test(String((err as Error)?.message))) site.lastError = err;
  });
  const client = await guarded(site, async () => adapter.getClient());
  opened = true;
  const k = (key: string) => `${namespace}:atomic:${key}`;
  return {
    kind: 'redis',
    ...keyvMethods(keyv, site, namespace),
    setIfAbsent: (key, ttlMs) =>
      guarded(site, async () => (await client.set(k(key), '1', ttlMs && ttlMs > 0 ? { NX: true, PX: ttlMs } : { NX: true })) === 'OK'),
    release: (key) => guarded(site, async () => (await client.del(k(key))) === 1),
    increment: (key, by = 1, ttlMs) =>
      guarded(site, async () =>
        Number(await client.eval(INCREMENT_SCRIPT, { keys: [k(key)], arguments: [String(by), String(ttlMs ?? 0)] })),
      ),
    pools: redisPools(client, namespace, site),
    close: once(async () => {
      await guarded(site, () => keyv.disconnect());
      site.closed = true;
    }),
    tables: { kind: 'redis', url, namespace, deliveries: redisDeliveries(client, namespace, site) },
  };
}
